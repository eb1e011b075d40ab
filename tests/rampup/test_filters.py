"""The ramp-up dashboard and the audit history answer any filter value with the page and a
clear error, never a 500."""

from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from courses.models import EnrollmentEvent
from mentors.models import Mentorship
from people.roles import Role
from rampup.dashboard import FILTER_PARAMS
from rampup.filters import DashboardFilter
from tests.conftest import make_user
from tests.courses.factories import enroll
from tests.courses.factories import make_program as make_course_program
from tests.rampup.helpers import make_program, populate, table_pks

pytestmark = pytest.mark.django_db
TOO_BIG = str(2**64)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_cache_key_reads_every_filter_of_the_dashboard():
    assert set(FILTER_PARAMS) == set(DashboardFilter.base_filters)


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("program", TOO_BIG, "Select a valid choice"),
        ("program", "-" + TOO_BIG, "Select a valid choice"),
        ("program", "first", "Select a valid choice"),
        ("mentor", "x" * 101, "Ensure this value has at most 100 characters"),
        ("mentor", "ann\x00", "Null characters are not allowed"),
        ("cohort", "2026-13", "Select a valid choice"),
        ("cohort", "1999-01", "Select a valid choice"),
        ("status", "gone", "Select a valid choice"),
    ],
)
def test_a_bad_dashboard_filter_is_a_field_error_and_filters_nothing(client, name, value, error):
    program = make_program()
    july, _ = populate(program, 2, hire=date(2026, 7, 1))
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("dashboard"), {name: value})
    assert page.status_code == 200
    assert f'<p class="error">{error}' in page.content.decode()
    assert sorted(table_pks(page)) == sorted(e.pk for e in july)


def test_the_valid_dashboard_filters_still_apply_beside_a_bad_one(client):
    program = make_program()
    july, mentor = populate(program, 1, hire=date(2026, 7, 1))
    populate(program, 1, hire=date(2026, 9, 1))
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("dashboard"), {"cohort": "2026-07", "program": TOO_BIG})
    assert table_pks(page) == [july[0].pk]
    page = client.get(reverse("dashboard"), {"mentor": mentor.username, "status": "gone"})
    assert table_pks(page) == [july[0].pk]


def test_the_mentor_filter_searches_the_current_mentors_names(client):
    """Every word in the mentor's first name, last name or username, any case; only the
    current mentorship counts, and only mentors (a trainee of the same name is not one)."""
    program = make_program()
    zhukova = make_user(Role.MENTOR, first_name="Olga", last_name="Zhukova", username="oz")
    orlov = make_user(Role.MENTOR, first_name="Ivan", last_name="Orlov", username="io")
    hers, _ = populate(program, 2, mentor=zhukova)
    his, _ = populate(program, 1, mentor=orlov)
    former, _ = populate(program, 1, mentor=zhukova)
    Mentorship.objects.filter(enrollment=former[0]).update(ended_on=date(2026, 7, 20))
    make_user(Role.TRAINEE, first_name="Olga", last_name="Zhukova")
    client.force_login(make_user(Role.DIRECTOR))
    for text in ("zhuk", "OLGA zhukova", "oz", " Zhukova  "):
        page = client.get(reverse("dashboard"), {"mentor": text})
        assert sorted(table_pks(page)) == sorted(e.pk for e in hers), text
    page = client.get(reverse("dashboard"), {"mentor": "olga orlov"})
    assert '<table class="dashboard-table">' not in page.content.decode()  # nobody matches
    page = client.get(reverse("dashboard"), {"mentor": "orl"})
    assert table_pks(page) == [his[0].pk]
    body = page.content.decode()
    assert 'type="search" name="mentor" value="orl"' in body


URL = "/audit/"


@pytest.fixture
def events(hr):
    program = make_course_program(stages=1, items=1, others=0)
    for last_name in ("Zhukova", "Orlov"):
        enroll(program, make_user(Role.TRAINEE, last_name=last_name), by=hr)
    return EnrollmentEvent.objects.filter(kind="enrolled")


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("kind", "everything", "Select a valid choice"),
        ("trainee", "x" * 101, "at most 100 characters"),
        ("trainee", "ann\x00", "Null characters are not allowed"),
        ("date_from", "2026-02-30", "Enter a valid date"),
        ("date_to", "0000-01-01", "Enter a valid date"),
        ("date_to", "10000-01-01", "Enter a valid date"),
    ],
)
def test_a_bad_audit_filter_is_a_field_error_and_filters_nothing(
    client, director, events, name, value, error
):
    client.force_login(director)
    page = client.get(URL, {name: value})
    assert page.status_code == 200
    assert error in " ".join(page.context["form"].errors[name])
    assert len(page.context["entries"]) == events.count() == 2


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"date_from": "0001-01-01"}, 2),
        ({"date_to": "9999-12-31"}, 2),
        ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, 2),
        ({"date_from": "9999-12-31"}, 0),
        ({"date_to": "0001-01-01"}, 0),
        ({"trainee": "   "}, 2),
    ],
)
def test_the_first_and_last_days_of_the_calendar_bound_the_audit_history(
    client, director, events, params, shown
):
    client.force_login(director)
    page = client.get(URL, params)
    assert page.status_code == 200
    assert not page.context["form"].errors
    assert len(page.context["entries"]) == shown


def test_the_audit_filters_narrow_by_kind_trainee_and_day(client, director, events):
    first = events.get(enrollment__trainee__last_name="Zhukova")
    client.force_login(director)

    def shown(**params):
        return [entry.enrollment.pk for entry in client.get(URL, params).context["entries"]]

    assert shown(trainee="zhuk") == [first.enrollment.pk]
    assert shown(trainee="zhuk", kind="dropped") == []
    day = timezone.localdate(first.at).isoformat()
    assert len(shown(kind="enrolled", date_from=day, date_to=day)) == 2
