"""The drill-down offers the sign-off exactly where the sign-off succeeds (the stage page and
the enrollment page: tests/courses/test_permissions.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Enrollment
from tests.courses.factories import enroll, finish_stage, make_program, stages_of
from tests.personas import PERSONAS, persona

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tasks_open", [False, True], ids=["ready", "open tasks"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_drill_down_offers_the_sign_off_exactly_where_it_succeeds(client, hr, tasks_open, who):
    program = make_program(stages=2, items=1, others=1)
    enrollment = enroll(program, by=hr)
    stage1, stage2 = stages_of(program)
    finish_stage(enrollment, stage1, hr=hr)
    if not tasks_open:
        finish_stage(enrollment, stage2, hr=hr)
    client.force_login(persona(who, enrollment))
    page = client.get(reverse("ramp_drilldown", args=[enrollment.pk]))
    assert page.status_code in (200, 404)
    url = reverse("ramp_sign_off", args=[enrollment.pk])
    shown = page.status_code == 200 and f'action="{url}"' in page.content.decode()

    response = client.post(url, {"note": "Ready"}, follow=True)
    enrollment.refresh_from_db()
    signed_off = enrollment.status == Enrollment.Status.INDEPENDENT
    assert shown == signed_off == (who in ("mentor", "director") and not tasks_open)
    if who == "director" and tasks_open:
        assert "still has open tasks in the last stage" in response.content.decode()
