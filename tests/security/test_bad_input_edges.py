"""The inputs of issue #16 that answered 500, one case each: every one is now a clear 400, a
form error or a row error, and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrollment, EnrollmentEvent
from mentors.models import Activity

from .matrix import client_for, upload_activities

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999"
RECENT = (timezone.now() - timedelta(hours=2)).isoformat()


def counts():
    return (Activity.objects.count(), Enrollment.objects.count(), EnrollmentEvent.objects.count())


def good_item(**changes):
    return {
        "trainee": "trainee_a@example.com",
        "kind": "call",
        "occurred_at": RECENT,
        "source": "crm",
        "external_id": "edge-1",
        **changes,
    }


# --- GET filters ---------------------------------------------------------------------------

API_DATES = [
    "2026-13-45",
    "0001-01-01",
    "9999-12-31",
    "9999-99-99",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30",
    "\x00",
    "2026-01-01\x00",
]


@pytest.mark.parametrize("param", ["occurred_after", "occurred_before"])
@pytest.mark.parametrize("value", API_DATES)
def test_activities_api_dates_out_of_range_are_a_400_or_filter(world, param, value):
    client = client_for(world, "integration")
    response = client.get(reverse("api-activities"), {param: value})
    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert param in response.json()


@pytest.mark.parametrize("value", ["2026-13-45", "0001-01-01"])
def test_the_issues_activities_api_dates_are_a_400(world, value):
    client = client_for(world, "trainee_a")  # any token: a trainee's too
    response = client.get(reverse("api-activities"), {"occurred_after": value})
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_after"]


PAGE_FILTERS = [
    ("hr", "audit", {"date_from": "9999-99-99"}),
    ("hr", "audit", {"date_from": "0001-01-01", "date_to": "0001-01-01"}),
    ("hr", "audit", {"date_from": "9999-12-31", "date_to": "9999-12-31"}),
    ("hr", "audit", {"kind": "\x00", "trainee": "\x00"}),
    ("hr", "audit", {"page": HUGE_ID}),
    ("hr", "courses:enrollments", {"program": HUGE_ID}),
    ("hr", "courses:enrollments", {"stage": HUGE_ID, "mentor": HUGE_ID}),
    ("hr", "courses:enrollments", {"hire_month": "9999-99-99"}),
    ("hr", "courses:enrollments", {"hire_month": "0001-01-01"}),
    ("hr", "courses:enrollments", {"hire_month": "9999-12-31"}),
    ("hr", "courses:enrollments", {"status": "\x00", "page": HUGE_ID}),
    ("director", "dashboard", {"program": HUGE_ID, "mentor": HUGE_ID}),
    ("director", "dashboard", {"cohort": "9999-99", "status": "\x00"}),
    ("director", "dashboard", {"cohort": "0001-01"}),
    ("director", "dashboard_export_csv", {"program": HUGE_ID}),
    ("director", "dashboard_export_xlsx", {"mentor": HUGE_ID}),
    ("trainee_a", "mentors:activity", {"date_from": "0001-01-01", "date_to": "9999-12-31"}),
    ("trainee_a", "mentors:activity", {"date_from": "9999-99-99"}),
    ("head_of_sales", "mentors:bonuses", {"period_from": "0001-01-01", "period_to": "9999-12-31"}),
    ("head_of_sales", "mentors:bonuses", {"mentor": HUGE_ID, "period_to": "9999-99-99"}),
]


@pytest.mark.parametrize(("persona", "name", "query"), PAGE_FILTERS)
def test_page_filters_out_of_range_answer_without_a_server_error(world, persona, name, query):
    client = client_for(world, persona)
    response = client.get(reverse(name), query)
    assert response.status_code in (200, 400, 404), response.status_code


# --- API bodies ----------------------------------------------------------------------------


def test_a_lone_surrogate_in_an_api_note_is_a_400(world):
    client = client_for(world, "integration")
    before = counts()
    body = (
        '[{"trainee": "trainee_a@example.com", "kind": "call", '
        f'"occurred_at": "{RECENT}", "source": "crm", "external_id": "s1", '
        '"note": "\\ud800"}]'
    )
    response = client.post(reverse("api-activities"), body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "surrogate" in response.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_400(world, depth):
    client = client_for(world, "integration")
    before = counts()
    body = "[" * depth + "]" * depth
    response = client.post(reverse("api-activities"), body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "nested too deeply" in response.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize("length", [2_001, 9 * 2**20])
def test_an_api_note_longer_than_the_forms_is_a_400(world, length):
    client = client_for(world, "integration")
    before = counts()
    body = json.dumps([good_item(note="n" * length)])
    response = client.post(reverse("api-activities"), body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"] == [
        {"index": 0, "field": "note", "message": "At most 2000 characters."}
    ]
    assert counts() == before


def test_an_api_note_as_long_as_the_form_allows_is_saved(world):
    client = client_for(world, "integration")
    body = json.dumps([good_item(note="n" * 2_000)])
    response = client.post(reverse("api-activities"), body, content_type="application/json")
    assert response.status_code in (200, 201), response.content[:300]


# --- CSV files -----------------------------------------------------------------------------


def _enrollment_csv(cell: str) -> bytes:
    return (
        "email,first_name,last_name,program,hire_date\n"
        f"new.person@example.com,{cell},Person,Sales onboarding,2026-01-12\n"
    ).encode()


@pytest.mark.parametrize("cell", ["x" * 200_000, "Ni\x00na"], ids=["huge-cell", "nul"])
def test_enrollment_csv_with_a_huge_cell_or_a_nul_is_a_row_error(world, cell):
    client = client_for(world, "hr")
    before = counts()
    response = client.post(
        reverse("courses:enrollments_import"),
        {"file": SimpleUploadedFile("people.csv", _enrollment_csv(cell), content_type="text/csv")},
    )
    assert response.status_code == 200
    assert counts() == before
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "NUL character" in page or "cannot be read as CSV" in page


@pytest.mark.parametrize("cell", ["x" * 200_000, "no\x00te"], ids=["huge-cell", "nul"])
def test_activity_csv_with_a_huge_cell_or_a_nul_is_a_row_error(world, cell):
    client = client_for(world, "hr")
    before = counts()
    data = (
        "trainee_email,kind,occurred_at,source,external_id,amount,note\n"
        f"trainee_a@example.com,call,{RECENT},crm,csv-1,,{cell}\n"
    ).encode()
    status, page = upload_activities(client, data)
    assert status in (200, 302)
    assert "NUL character" in page or "cannot be read as CSV" in page
    assert counts() == before


# --- A dropped trainee ---------------------------------------------------------------------


@pytest.fixture
def dropped(world):
    from courses import services as course_services

    course_services.enrollment_drop(
        enrollment=world.enrollment_a, user=world.user("hr"), reason="Left the company"
    )
    world.enrollment_a.refresh_from_db()
    return world


def test_the_api_refuses_activity_for_a_dropped_trainee(dropped):
    client = client_for(dropped, "integration")
    before = counts()
    body = json.dumps([good_item(external_id="dropped-1")])
    response = client.post(reverse("api-activities"), body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "dropped" in response.content.decode()
    assert counts() == before


def test_the_csv_import_refuses_activity_for_a_dropped_trainee(dropped):
    client = client_for(dropped, "hr")
    before = counts()
    data = (
        "trainee_email,kind,occurred_at,source,external_id\n"
        f"trainee_a@example.com,call,{RECENT},crm,dropped-csv\n"
    ).encode()
    status, page = upload_activities(client, data)
    assert status == 302  # to the job's page
    assert "enrollment was dropped" in page
    assert counts() == before


@pytest.mark.parametrize("persona", ["trainee_a", "hr"])
def test_the_service_refuses_activity_for_a_dropped_trainee(dropped, persona):
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils import timezone

    from mentors import services as mentor_services

    before = counts()
    with pytest.raises((ValidationError, PermissionDenied)):
        mentor_services.activity_record(
            enrollment=dropped.enrollment_a,
            kind="call",
            occurred_at=timezone.now(),
            recorded_by=dropped.user(persona),
        )
    assert counts() == before


def test_the_service_refuses_a_note_longer_than_the_form_allows(world):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from mentors import services as mentor_services

    before = counts()
    with pytest.raises(ValidationError, match="2000"):
        mentor_services.activity_record(
            enrollment=world.enrollment_a,
            kind="call",
            occurred_at=timezone.now(),
            recorded_by=world.user("trainee_a"),
            note="n" * 2_001,
        )
    assert counts() == before


def test_the_logging_form_refuses_activity_for_a_dropped_trainee(dropped):
    client = client_for(dropped, "hr")
    before = counts()
    when = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("mentors:mentee_activity", args=[dropped.enrollment_a.pk]),
        {"kind": "call", "occurred_at": when, "note": ""},
    )
    assert response.status_code in (200, 400)
    assert "enrollment was dropped" in response.content.decode()
    assert counts() == before
