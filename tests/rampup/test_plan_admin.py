"""The ramp plan's monthly percentages are six labelled number fields in the admin."""

import pytest
from django.urls import reverse

from rampup.models import RampPlan
from tests.rampup.helpers import make_program

pytestmark = pytest.mark.django_db


def form_data(program, months):
    data = {
        "program": program.pk,
        "target_call": 100,
        "target_meeting": 20,
        "target_application": 10,
        "target_contract": 2,
        "meetings_per_day_norm": "1.5",
        "events_per_month_norm": "1",
        "referrals_per_month_norm": "1",
        "meetings_per_contract_norm": "10",
        "applications_per_contract_norm": "10",
    }
    for n, value in enumerate(months):
        data[f"percentages_{n}"] = value
    return data


def test_the_months_are_labelled_number_fields_not_json(client, hr):
    program = make_program(target_call=100)
    plan = RampPlan.objects.get(program=program)
    client.force_login(hr)
    edit = reverse("ramp_plans:edit", args=[plan.pk])
    html = client.get(edit).content.decode()
    assert html.count('type="number" name="percentages_') == 6
    assert "Month 1" in html
    assert "Month 6" in html

    response = client.post(edit, form_data(program, ["10", "30", "50,5", "", "", ""]))
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.percentages == [10, 30, 50.5]

    bad = client.post(edit, form_data(program, ["10", "", "150", "", "", ""]))
    assert bad.status_code == 200
    assert "Each percentage is a number from 0 to 100." in bad.content.decode()
    assert "Enter a valid JSON" not in bad.content.decode()
