"""The activity log and "Mentor bonuses" answer any filter value with the page and a clear
error, never a 500; the export refuses filters that do not validate."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mentors import services
from mentors.models import BonusStatement
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=MSK)
TOO_BIG = str(2**64)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def logged(trainee):
    enrollment = make_enrollment(trainee=trainee, hire_date=date(2026, 2, 2))
    add_activities(enrollment, "call", 2, datetime(2026, 3, 2, 10, tzinfo=MSK))
    add_activities(enrollment, "meeting", 1, datetime(2026, 3, 10, 10, tzinfo=MSK))
    return enrollment


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("kind", "dinner", "Select a valid choice"),
        ("date_from", "2026-02-30", "Enter a valid date"),
        ("date_from", "yesterday", "Enter a valid date"),
        ("date_to", "99999-01-01", "Enter a valid date"),
        ("date_to", "\x00", "Enter a valid date"),
    ],
)
def test_a_bad_activity_filter_is_a_field_error_and_filters_nothing(
    client, logged, name, value, error
):
    client.force_login(logged.trainee)
    page = client.get("/activity/", {name: value})
    assert page.status_code == 200
    assert error in " ".join(page.context["filter_form"].errors[name])
    assert page.context["page_obj"].paginator.count == 3


def test_the_first_and_last_days_of_the_calendar_filter_the_log(client, logged):
    client.force_login(logged.trainee)
    page = client.get("/activity/", {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert not page.context["filter_form"].errors
    assert page.context["page_obj"].paginator.count == 3
    page = client.get("/activity/", {"date_from": "9999-12-31", "kind": "call"})
    assert page.context["page_obj"].paginator.count == 0


@pytest.fixture
def statements():
    rule = make_rule()
    for calls in (10, 11):
        enrollment = make_enrollment(hire_date=date(2026, 1, 5))
        mentorship = make_mentorship(
            enrollment=enrollment, mentor=make_user(Role.MENTOR), rule=rule
        )
        add_activities(enrollment, "call", calls, datetime(2026, 1, 10, 11, tzinfo=MSK))
        services.statement_compute(mentorship_id=mentorship.pk)
    return BonusStatement.objects.all()


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("status", "lost", "Select a valid choice"),
        ("mentor", TOO_BIG, "Select a valid choice"),
        ("mentor", "-1", "Select a valid choice"),
        ("mentor", "one", "Select a valid choice"),
        ("period_from", "2026-13-01", "Enter a valid date"),
        ("period_to", "31.02.2026", "Enter a valid date"),
    ],
)
def test_a_bad_statement_filter_is_a_field_error_and_filters_nothing(
    client, director, statements, name, value, error
):
    client.force_login(director)
    page = client.get("/bonuses/", {name: value})
    assert page.status_code == 200
    assert error in " ".join(page.context["form"].errors[name])
    assert len(page.context["statements"]) == statements.count() == 2


def test_needs_review_unticked_shows_every_statement(client, director, statements):
    statements.filter(pk=statements.first().pk).update(needs_review=True)
    client.force_login(director)
    assert len(client.get("/bonuses/", {"needs_review": "on"}).context["statements"]) == 1
    assert len(client.get("/bonuses/", {"needs_review": ""}).context["statements"]) == 2
    assert len(client.get("/bonuses/", {"status": ""}).context["statements"]) == 2


def test_the_export_refuses_filters_that_do_not_validate(client, director, statements):
    statements.update(status=BonusStatement.Status.APPROVED, approved_at=NOW)
    client.force_login(director)
    response = client.post(f"/bonuses/export/?mentor={TOO_BIG}", {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"] == f"/bonuses/?mentor={TOO_BIG}"
    assert not BonusStatement.objects.filter(exported_at__isnull=False).exists()
    page = client.get(response["Location"])
    assert "Correct the filters before exporting." in page.content.decode()
    # The status filter is left out of the export, valid or not: only approved ones go.
    response = client.post("/bonuses/export/?status=lost", {"format": "csv"})
    assert response.status_code == 200
    assert BonusStatement.objects.filter(exported_at__isnull=False).count() == 2
