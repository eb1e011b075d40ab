"""The decision-maker (ЛПР) flag of calls and meetings: the form, the CSV import, the API."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.models import Enrollment
from mentors.importing import import_csv
from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity
from people.roles import Role
from tests.conftest import make_user

from .factories import make_enrollment

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=MSK)
HEADER = "trainee_email,kind,occurred_at,source,external_id,amount,note,decision_maker_reached\n"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def enrollment():
    trainee = make_user(Role.TRAINEE, username="anna", email="anna@example.com")
    return make_enrollment(trainee=trainee, hire_date=date(2026, 2, 2))


def when(days_ago=1):
    return (NOW - timedelta(days=days_ago)).isoformat()


def test_the_form_records_the_flag_on_a_meeting_and_refuses_it_on_a_contract(client, enrollment):
    client.force_login(enrollment.trainee)
    page = client.get("/activity/")
    assert b"decision_maker_reached" in page.content
    response = client.post(
        "/activity/",
        {"kind": "meeting", "occurred_at": "2026-03-18T10:30", "decision_maker_reached": "on"},
    )
    assert response.status_code == 302
    assert Activity.objects.get().decision_maker_reached is True
    assert "ЛПР reached" in client.get("/activity/").content.decode()
    response = client.post(
        "/activity/",
        {"kind": "contract", "occurred_at": "2026-03-18T11:30", "decision_maker_reached": "on"},
    )
    assert response.status_code == 200
    assert "decision_maker_reached" in response.context["form"].errors
    assert Activity.objects.count() == 1


def test_csv_reads_yes_no_words_and_reports_a_bad_value(enrollment):
    text = HEADER + (
        f"anna@example.com,meeting,{when()},crm,m-1,,,yes\n"
        f"anna@example.com,call,{when(2)},crm,c-1,,,да\n"
        f"anna@example.com,call,{when(3)},crm,c-2,,,\n"
        f"anna@example.com,call,{when(4)},crm,c-3,,,0\n"
    )
    result = import_csv(io.BytesIO(text.encode()), enrollments=Enrollment.objects.all())
    assert result.ok
    assert result.created == 4
    flags = dict(Activity.objects.values_list("external_id", "decision_maker_reached"))
    assert flags == {"m-1": True, "c-1": True, "c-2": False, "c-3": False}

    bad = HEADER + (
        f"anna@example.com,meeting,{when()},crm,m-2,,,maybe\n"
        f"anna@example.com,contract,{when()},crm,d-2,100,,yes\n"
    )
    result = import_csv(io.BytesIO(bad.encode()), enrollments=Enrollment.objects.all())
    assert not result.saved
    assert [(e.row, e.field) for e in result.errors] == [
        (2, "decision_maker_reached"),
        (3, "decision_maker_reached"),
    ]


def test_an_old_header_without_the_column_still_imports(enrollment):
    text = "trainee_email,kind,occurred_at\n" + f"anna@example.com,meeting,{when()}\n"
    result = import_csv(io.BytesIO(text.encode()), enrollments=Enrollment.objects.all())
    assert result.created == 1
    assert Activity.objects.get().decision_maker_reached is False


def test_the_api_takes_and_returns_the_flag(enrollment):
    bot = make_user(username="crm-bot")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=bot)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    batch = [
        {
            "trainee": "anna@example.com",
            "kind": "meeting",
            "occurred_at": when(),
            "external_id": "m-1",
            "decision_maker_reached": True,
        },
        {
            "trainee": "anna@example.com",
            "kind": "call",
            "occurred_at": when(2),
            "external_id": "c-1",
        },
    ]
    response = api.post("/api/v1/activities/", batch, format="json")
    assert response.status_code == 201, response.json()
    listed = {
        a["external_id"]: a["decision_maker_reached"]
        for a in api.get("/api/v1/activities/").json()["results"]
    }
    assert listed == {"m-1": True, "c-1": False}
    wrong = [
        {
            "trainee": "anna@example.com",
            "kind": "referral",
            "occurred_at": when(),
            "decision_maker_reached": True,
        },
        {
            "trainee": "anna@example.com",
            "kind": "call",
            "occurred_at": when(),
            "decision_maker_reached": [1],
        },
    ]
    response = api.post("/api/v1/activities/", wrong, format="json")
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (0, "decision_maker_reached"),
        (1, "decision_maker_reached"),
    ]
