"""Provenance on every count: each way in records how the activity arrived and who recorded
it; typed activity counts toward a bonus only once someone else confirms it; the statement and
the approval page show the counts by provenance and flag bursts of typed activity."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.models import Enrollment
from mentors import confirmations, services
from mentors.importing import import_csv
from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity, BonusStatement
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 2, 20, 12, tzinfo=MSK)
CSV_HEADER = "trainee_email,kind,occurred_at,source,external_id,amount,note\n"


@pytest.fixture(autouse=True)
def _moscow_now():
    with override_settings(TIME_ZONE="Europe/Moscow"), time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def mentorship(mentor):
    """[1 Feb, 3 Mar) under the default rule: Base 5,000; Increased 15,000 at 300 calls and
    10 applications."""
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    enrollment = make_enrollment(trainee=trainee, hire_date=date(2026, 1, 26))
    return make_mentorship(
        enrollment=enrollment, mentor=mentor, rule=make_rule(), started_on=date(2026, 2, 1)
    )


def record(mentorship, user, n=1, kind="call", day=10):
    for i in range(n):
        services.activity_record(
            enrollment=mentorship.enrollment,
            kind=kind,
            occurred_at=datetime(2026, 2, day, 9, i % 60, tzinfo=MSK),
            recorded_by=user,
        )


def statement_of(mentorship) -> BonusStatement:
    return services.statement_compute(mentorship_id=mentorship.pk)


# --- Every way in records its provenance ----------------------------------------------------


def test_the_logging_form_records_who_typed_it(client, mentorship, mentor, hr):
    trainee = mentorship.enrollment.trainee
    for user, expected in ((trainee, "trainee"), (mentor, "mentor"), (hr, "hr")):
        client.force_login(user)
        url = (
            reverse("mentors:activity")
            if user == trainee
            else reverse("mentors:mentee_activity", args=[mentorship.enrollment_id])
        )
        response = client.post(
            url, {"kind": "meeting", "occurred_at": "2026-02-10T10:00", "note": expected}
        )
        assert response.status_code == 302
        activity = Activity.objects.get(note=expected)
        assert (activity.provenance, activity.recorded_by) == (expected, user)


def test_a_head_of_sales_who_mentors_the_trainee_types_as_the_mentor(head_of_sales):
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    m = make_mentorship(enrollment=enrollment, mentor=head_of_sales, started_on=date(2026, 2, 1))
    record(m, head_of_sales)
    assert Activity.objects.get().provenance == "mentor"


@pytest.fixture
def integration_api():
    bot = make_user(username="crm-bot")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bot).key}")
    return client, bot


def api_item(**kw):
    return {
        "trainee": "anna@example.com",
        "kind": "call",
        "occurred_at": "2026-02-10T09:00:00+03:00",
        **kw,
    }


def test_the_api_records_the_connector_for_an_integration(mentorship, integration_api):
    client, bot = integration_api
    batch = [
        api_item(source="crm", external_id="c1"),
        api_item(source="telephony", external_id="t1"),
        api_item(source="erp", external_id="e1"),
    ]
    assert client.post("/api/v1/activities/", batch, format="json").status_code == 201
    got = dict(Activity.objects.values_list("source", "provenance"))
    assert got == {"crm": "crm", "telephony": "pbx", "erp": "api"}
    assert set(Activity.objects.values_list("recorded_by", flat=True)) == {bot.pk}
    listed = client.get("/api/v1/activities/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["provenance"] for r in rows} == {"crm", "pbx", "api"}


def test_a_person_posting_through_the_api_is_typing(mentorship, head_of_sales):
    """The head of sales' own account is not a connector: "crm" in the source does not make
    310 posted calls count as the CRM's."""
    client = APIClient()
    client.force_authenticate(head_of_sales)
    batch = [api_item(source="crm", external_id=f"x{i}") for i in range(3)]
    response = client.post("/api/v1/activities/", batch, format="json")
    assert response.status_code == 201, response.json()
    assert set(Activity.objects.values_list("provenance", flat=True)) == {"hr"}


def test_a_file_import_is_a_file_import_unless_its_uploader_mentors_the_trainee(
    mentorship, hr, mentor
):
    rows = CSV_HEADER + "anna@example.com,call,2026-02-10T09:00:00+03:00,crm,f1,,\n"
    import_csv(io.BytesIO(rows.encode()), enrollments=Enrollment.objects.all(), recorded_by=hr)
    import_csv(io.BytesIO(rows.replace("f1", "f2").encode()), enrollments=Enrollment.objects.all())
    import_csv(
        io.BytesIO(rows.replace("f1", "f3").encode()),
        enrollments=Enrollment.objects.all(),
        recorded_by=mentor,
    )
    got = dict(Activity.objects.values_list("external_id", "provenance"))
    assert got == {"f1": "file", "f2": "file", "f3": "mentor"}


def test_existing_rows_get_their_provenance_from_the_source(mentorship, mentor, hr):
    """The data migration's rule (mentors.migrations.0007_activity_provenance.py)."""
    from importlib import import_module

    migration = import_module("mentors.migrations.0007_activity_provenance")
    e = mentorship.enrollment
    at = datetime(2026, 2, 10, 9, tzinfo=MSK)
    made = {
        "csv": add_activities(e, "call", 1, at, source="csv")[0],
        "crm": add_activities(e, "call", 1, at, source="crm")[0],
        "telephony": add_activities(e, "call", 1, at, source="telephony")[0],
        "by trainee": add_activities(e, "call", 1, at, source="manual", recorded_by=e.trainee)[0],
        "by mentor": add_activities(e, "call", 1, at, source="manual", recorded_by=mentor)[0],
        "by hr": add_activities(e, "call", 1, at, source="manual", recorded_by=hr)[0],
        "other": add_activities(e, "call", 1, at, source="erp")[0],
    }
    Activity.objects.update(provenance="api")
    migration.provenance_from_source(apps, None)
    got = {name: Activity.objects.get(pk=a.pk).provenance for name, a in made.items()}
    assert got == {
        "csv": "file",
        "crm": "crm",
        "telephony": "pbx",
        "by trainee": "trainee",
        "by mentor": "mentor",
        "by hr": "hr",
        "other": "api",
    }


# --- Typed activity counts once confirmed ---------------------------------------------------


def test_a_mentors_typed_calls_do_not_raise_the_bonus_until_confirmed(mentorship, mentor, hr):
    """The issue's scenario: the mentor logs 310 calls and 10 applications for the mentee."""
    record(mentorship, mentor, 310)
    record(mentorship, mentor, 10, kind="application", day=11)
    statement = statement_of(mentorship)
    assert (statement.call_count, statement.tier_name) == (0, "Base")
    assert statement.provenance_counts == [
        {
            "provenance": "mentor",
            "confirmed": False,
            "counted": False,
            "counts": {"call": 310, "meeting": 0, "application": 10, "contract": 0},
        }
    ]
    ids = list(Activity.objects.values_list("pk", flat=True))
    assert confirmations.activities_confirm(ids=ids, user=hr) == (320, 0)
    statement = statement_of(mentorship)
    assert (statement.call_count, statement.application_count) == (310, 10)
    assert statement.tier_name == "Increased"
    assert [
        (r["provenance"], r["confirmed"], r["counted"]) for r in statement.provenance_counts
    ] == [("mentor", True, True)]


def test_a_trainee_logging_without_limit_raises_nothing_and_is_flagged(mentorship, director):
    """The trainee types 400 calls in one day for themselves: the mentor's bonus stays where
    it was until someone else confirms them, and the day is a burst the approver sees."""
    trainee = mentorship.enrollment.trainee
    record(mentorship, trainee, 400, day=12)
    statement = statement_of(mentorship)
    assert (statement.call_count, statement.tier_name) == (0, "Base")
    assert [(r["provenance"], r["counted"]) for r in statement.provenance_counts] == [
        ("trainee", False)
    ]
    assert statement.burst_days == [{"day": "2026-02-12", "count": 400}]
    # Nor may they confirm their own entries.
    ids = list(Activity.objects.values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        confirmations.activities_confirm(ids=ids, user=trainee)
    assert statement_of(mentorship).call_count == 0


def test_the_breakdown_follows_the_choices_order_and_the_burst_days_their_dates(
    mentorship, mentor, hr, head_of_sales
):
    """Written by the database: each (provenance, confirmed) pair once, in the order of the
    provenance choices (unconfirmed first), every burst day in date order whatever order the
    rows came in."""
    rule = mentorship.bonus_rule
    rule.typed_daily_limit = 2
    rule.save()
    record(mentorship, hr, 3, day=20)
    record(mentorship, mentor, 4, day=11)
    record(mentorship, mentor, 2, kind="meeting", day=15)  # at the limit: not a burst
    add_activities(
        mentorship.enrollment, "call", 7, datetime(2026, 2, 14, 9, tzinfo=MSK), provenance="pbx"
    )
    add_activities(
        mentorship.enrollment, "application", 1, datetime(2026, 2, 9, tzinfo=MSK), provenance="crm"
    )
    confirmations.activities_confirm(
        ids=list(Activity.objects.filter(provenance="hr").values_list("pk", flat=True)[:1]),
        user=head_of_sales,
    )
    statement = statement_of(mentorship)
    assert [
        (r["provenance"], r["confirmed"], r["counted"], r["counts"])
        for r in statement.provenance_counts
    ] == [
        ("crm", False, True, {"call": 0, "meeting": 0, "application": 1, "contract": 0}),
        ("pbx", False, True, {"call": 7, "meeting": 0, "application": 0, "contract": 0}),
        ("mentor", False, False, {"call": 4, "meeting": 2, "application": 0, "contract": 0}),
        ("hr", False, True, {"call": 2, "meeting": 0, "application": 0, "contract": 0}),
        ("hr", True, True, {"call": 1, "meeting": 0, "application": 0, "contract": 0}),
    ]
    # The mentor's calls wait for a confirmation; HR's count as typed (the default rule).
    assert (statement.call_count, statement.application_count) == (10, 1)
    assert statement.burst_days == [
        {"day": "2026-02-11", "count": 4},
        {"day": "2026-02-20", "count": 3},
    ]


def test_connector_activity_counts_without_confirmation(mentorship):
    add_activities(
        mentorship.enrollment, "call", 4, datetime(2026, 2, 10, 9, tzinfo=MSK), provenance="pbx"
    )
    record(mentorship, mentorship.enrollment.trainee, 2)
    statement = statement_of(mentorship)
    assert statement.call_count == 4
    assert [
        (r["provenance"], r["counts"]["call"], r["counted"]) for r in statement.provenance_counts
    ] == [
        ("pbx", 4, True),
        ("trainee", 2, False),
    ]


def test_the_rule_says_which_provenances_count(mentorship):
    rule = mentorship.bonus_rule
    rule.counted_provenances = ["crm", "pbx"]
    rule.confirmation_required = []
    rule.save()
    at = datetime(2026, 2, 10, 9, tzinfo=MSK)
    add_activities(mentorship.enrollment, "call", 3, at, provenance="file")
    add_activities(mentorship.enrollment, "call", 2, at, provenance="pbx")
    record(mentorship, mentorship.enrollment.trainee, 1)
    assert statement_of(mentorship).call_count == 2


def test_who_may_not_confirm(mentorship, mentor, hr, head_of_sales, director):
    trainee = mentorship.enrollment.trainee
    record(mentorship, trainee, 1)
    record(mentorship, mentor, 1)
    record(mentorship, hr, 1)
    by = {a.provenance: a for a in Activity.objects.all()}
    # Not the trainee nor their mentor (who profit), nor a director (not a confirming role).
    for user in (trainee, mentor, director):
        with pytest.raises(PermissionDenied):
            confirmations.activities_confirm(ids=[by["trainee"].pk], user=user)
    # Not the person who typed it: HR's own entry is skipped for HR.
    assert confirmations.activities_confirm(ids=[by["hr"].pk], user=hr) == (0, 1)
    # A head of sales who mentored this trainee (an earlier mentorship) does not confirm it.
    make_mentorship(
        enrollment=mentorship.enrollment,
        mentor=head_of_sales,
        started_on=date(2026, 1, 26),
        ended_on=date(2026, 1, 31),
    )
    assert confirmations.activities_confirm(ids=[by["mentor"].pk], user=head_of_sales) == (0, 1)
    assert not Activity.objects.filter(confirmed_at__isnull=False).exists()
    # HR confirms the trainee's and the mentor's; twice is skipped.
    assert confirmations.activities_confirm(ids=[by["trainee"].pk, by["mentor"].pk], user=hr) == (
        2,
        0,
    )
    assert confirmations.activities_confirm(ids=[by["trainee"].pk], user=hr) == (0, 1)
    confirmed = Activity.objects.get(pk=by["trainee"].pk)
    assert (confirmed.confirmed_by, confirmed.confirmed_at) == (hr, NOW)


def test_the_confirmation_page(client, mentorship, mentor, hr, head_of_sales):
    record(mentorship, mentor, 2)
    record(mentorship, hr, 1)
    url = reverse("mentors:confirm")
    for user in (mentorship.enrollment.trainee, mentor):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"activity": [1]}).status_code == 403
    client.force_login(hr)
    page = client.get(url)
    assert page.status_code == 200
    shown = [a.pk for a in page.context["activities"]]
    # HR's own entry is not offered to HR.
    assert sorted(shown) == sorted(
        Activity.objects.filter(provenance="mentor").values_list("pk", flat=True)
    )
    assert "Typed by the mentor" in page.content.decode()
    response = client.post(url, {"activity": shown}, follow=True)
    assert "2 entries confirmed." in response.content.decode()
    assert Activity.objects.filter(confirmed_by=hr).count() == 2
    # The head of sales (not this trainee's mentor) confirms HR's.
    client.force_login(head_of_sales)
    assert [a.provenance for a in client.get(url).context["activities"]] == ["hr"]
    assert client.post(url, {"activity": ["x"]}).status_code == 302  # nothing selected: a message


def test_confirming_flags_and_recomputes_the_statement(
    mentorship, mentor, hr, django_capture_on_commit_callbacks
):
    record(mentorship, mentor, 3)
    statement_of(mentorship)
    with django_capture_on_commit_callbacks(execute=True):
        confirmations.activities_confirm(
            ids=list(Activity.objects.values_list("pk", flat=True)), user=hr
        )
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert statement.call_count == 3
    assert not statement.needs_recompute


# --- Bursts ---------------------------------------------------------------------------------


def test_a_burst_of_typed_activity_is_flagged_for_the_approver(
    client, mentorship, mentor, director
):
    rule = mentorship.bonus_rule
    rule.typed_daily_limit = 5
    rule.save()
    record(mentorship, mentor, 6, day=10)  # over the limit
    record(mentorship, mentor, 5, day=11)  # at the limit: not a burst
    add_activities(  # connector rows are not typed: never a burst
        mentorship.enrollment, "call", 50, datetime(2026, 2, 12, 9, tzinfo=MSK), provenance="pbx"
    )
    statement = statement_of(mentorship)
    assert statement.burst_days == [{"day": "2026-02-10", "count": 6}]
    client.force_login(director)
    body = client.get(reverse("mentors:bonuses")).content.decode()
    assert "Burst of typed activity" in body
    assert "6 typed entries" in body


@override_settings(BONUS_TYPED_ACTIVITIES_PER_DAY=12)
def test_a_new_rule_takes_the_burst_limit_from_the_setting():
    assert make_rule(name="New").typed_daily_limit == 12


# --- The pages ------------------------------------------------------------------------------


def test_the_approval_page_and_my_mentees_show_the_counts_by_provenance(
    client, mentorship, mentor, director
):
    add_activities(
        mentorship.enrollment, "call", 7, datetime(2026, 2, 10, 9, tzinfo=MSK), provenance="crm"
    )
    record(mentorship, mentorship.enrollment.trainee, 2)
    statement_of(mentorship)
    for user, url in ((director, "mentors:bonuses"), (mentor, "mentors:mentees")):
        client.force_login(user)
        body = client.get(reverse(url)).content.decode()
        assert "Counts by provenance" in body
        assert "CRM connector" in body
        assert "Typed by the trainee" in body
        assert "unconfirmed" in body
        assert "does not count" in body
        assert "version 1" in body


def test_the_activity_log_shows_each_entrys_provenance(client, mentorship, hr):
    record(mentorship, mentorship.enrollment.trainee, 1)
    client.force_login(mentorship.enrollment.trainee)
    body = client.get(reverse("mentors:activity")).content.decode()
    assert "Typed by the trainee · awaiting confirmation" in body
    confirmations.activities_confirm(ids=[Activity.objects.get().pk], user=hr)
    body = client.get(reverse("mentors:activity")).content.decode()
    assert "Typed by the trainee · confirmed" in body
