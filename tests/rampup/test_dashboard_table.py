"""The dashboard computed in the database (rampup/table.py) against the Python figures of
rampup/dashboard.py on the same data: every summary figure, the cohorts and every sort."""

from datetime import date

import pytest
import time_machine

from courses.models import Enrollment, StagePage, StageProgress
from mentors.models import Mentorship
from people.roles import Role
from rampup.dashboard import SORT_COLUMNS, dashboard
from rampup.table import DashboardQuery
from tests.conftest import make_user
from tests.rampup.helpers import add, local, make_enrollment, make_program

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
PLAN = {"target_call": 100, "target_meeting": 10, "target_application": 5, "target_contract": 0}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(local(TODAY, 10), tick=False):
        yield


def varied_company():
    """Trainees hired on awkward days (the 31st, a leap-less February), one not yet started,
    one dropped, one ramped, some behind, two programs, mentors with and without names."""
    program = make_program(**PLAN)
    other = make_program()  # no plan of its own: the default plan
    stage = StagePage(title="Calls", slug=f"calls-{program.pk}")
    program.add_child(instance=stage)
    later = StagePage(title="Meetings", slug=f"meetings-{program.pk}")
    program.add_child(instance=later)
    mentor_a = make_user(Role.MENTOR, first_name="Zoe", last_name="Adams")
    mentor_b = make_user(Role.MENTOR, first_name="", last_name="")
    hires = [
        date(2026, 1, 31),
        date(2026, 3, 15),
        date(2026, 5, 31),
        date(2026, 7, 1),
        date(2026, 7, 1),
        date(2026, 8, 29),
        date(2026, 10, 26),
        date(2026, 12, 10),  # not started yet
    ]
    enrollments = []
    for n, hire in enumerate(hires):
        enrollment = make_enrollment(hire_date=hire, program=other if n == 2 else program)
        enrollment.trainee.first_name = ["ann", "Bob", "", "carl", "Dora", "eve", "Fay", "gus"][n]
        enrollment.trainee.save()
        enrollments.append(enrollment)
        if n % 3 != 2:
            Mentorship.objects.create(
                enrollment=enrollment, mentor=mentor_a if n % 2 else mentor_b, started_on=hire
            )
        if n < 5:
            StageProgress.objects.create(
                enrollment=enrollment, stage=stage, status="completed" if n % 2 else "available"
            )
            StageProgress.objects.create(enrollment=enrollment, stage=later, status="locked")
    ramped, steady, _, july, dropped, *_ = enrollments
    # Ramped in month 2: every full target met (one on the anniversary's eve).
    add(ramped, "call", local(date(2026, 3, 27)), n=100)
    add(ramped, "meeting", local(date(2026, 3, 30)), n=10)
    add(ramped, "application", local(date(2026, 2, 28)), n=5)
    for month in range(4, 12):
        add(steady, "call", local(date(2026, month, 14)), n=40 + month)
        add(steady, "meeting", local(date(2026, month, 16)), n=month)
    add(july, "call", local(date(2026, 7, 10)), n=400)
    add(july, "application", local(date(2026, 8, 1)), n=3)
    add(dropped, "call", local(date(2026, 7, 20)), n=30)
    Enrollment.objects.filter(pk=dropped.pk).update(
        status=Enrollment.Status.DROPPED, dropped_on=date(2026, 9, 30)
    )
    Enrollment.objects.filter(pk=steady.pk).update(cleared_for_client_work_on=date(2026, 6, 1))
    Enrollment.objects.filter(pk=enrollments[5].pk).update(certification_failed=True)
    # Activity before the hire date and after the drop is not counted.
    add(dropped, "call", local(date(2026, 10, 5)), n=7)
    add(enrollments[6], "call", local(date(2026, 10, 1)), n=9)
    return enrollments


def test_the_summary_is_the_python_figures():
    varied_company()
    director = make_user(Role.DIRECTOR)
    data = dashboard(director, today=TODAY)
    summary = DashboardQuery(Enrollment.objects.all(), today=TODAY).summary(list_limit=50)
    assert summary.total == len(data.rows) == 8
    assert summary.active == len(data.active)
    assert summary.ramped == len(data.ramped) == 1
    assert summary.median_time_to_ramp == data.median_time_to_ramp == 2
    assert summary.behind == len(data.behind) > 0
    assert summary.behind_share == data.behind_share
    assert summary.behind_ids == [r.enrollment.pk for r in data.behind]
    assert summary.dropped_ids == [r.enrollment.pk for r in data.dropped_recently]
    assert summary.funnel() == data.funnel()
    assert summary.applications_per_contract == data.applications_per_contract
    assert summary.most_complete_months == max(len(r.ramp.complete_months) for r in data.rows)
    assert summary.first_program_id == data.rows[0].enrollment.program_id
    python = {c.label: (c.size, c.achievement, c.fulfilment) for c in data.cohorts()}
    database = {c.label: (c.size, c.achievement, c.fulfilment) for c in summary.cohorts}
    assert database == python


def test_every_sort_is_the_python_sort():
    varied_company()
    director = make_user(Role.DIRECTOR)
    query = DashboardQuery(Enrollment.objects.all(), today=TODAY)
    for column in SORT_COLUMNS:
        for descending in (False, True):
            rows = dashboard(director, today=TODAY, sort=column, descending=descending).rows
            sort = f"-{column}" if descending else column
            assert query.ordered_ids(sort) == [r.enrollment.pk for r in rows], sort
            assert query.ordered_ids(sort, limit=3, offset=2) == [
                r.enrollment.pk for r in rows[2:5]
            ], sort


def test_the_months_since_hire_are_the_ramps_months_without_building_it():
    varied_company()
    rows = dashboard(make_user(Role.DIRECTOR), today=TODAY).rows
    assert {r.enrollment.status for r in rows} >= {"active", "dropped"}
    for row in rows:
        assert row.months_since_hire == len(row.ramp.months), row.enrollment


def test_the_summary_reads_the_first_page_of_the_default_sort():
    varied_company()
    query = DashboardQuery(Enrollment.objects.all(), today=TODAY)
    ordered = query.ordered_ids("hire_date")
    assert len(ordered) > 3
    assert query.summary(list_limit=5, page_size=3).first_page_ids == ordered[:3]
    assert query.summary(list_limit=5, page_size=100).first_page_ids == ordered
    assert query.summary(list_limit=5).first_page_ids == []


def test_the_last_complete_month_and_ramp_month_match_row_by_row():
    enrollments = varied_company()
    director = make_user(Role.DIRECTOR)
    rows = {r.enrollment.pk: r for r in dashboard(director, today=TODAY).rows}
    query = DashboardQuery(Enrollment.objects.all(), today=TODAY)
    by_fulfilment = query.ordered_ids("fulfilment")
    expected = sorted(
        rows,
        key=lambda pk: (
            rows[pk].last_complete.fulfilment if rows[pk].last_complete else -1,
            rows[pk].enrollment.hire_date,
            pk,
        ),
    )
    assert by_fulfilment == expected
    assert len(enrollments) == len(by_fulfilment)


def test_an_empty_filter_has_empty_figures():
    summary = DashboardQuery(Enrollment.objects.none(), today=TODAY).summary(list_limit=5)
    assert summary.total == 0
    assert summary.cohorts == []
    assert summary.behind_share is None
    assert summary.median_time_to_ramp is None
    assert DashboardQuery(Enrollment.objects.none(), today=TODAY).ordered_ids("trainee") == []


def test_one_day_later_the_months_move_on():
    varied_company()
    director = make_user(Role.DIRECTOR)
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2027, 2, 28), date(2027, 3, 31)):
        data = dashboard(director, today=day)
        summary = DashboardQuery(Enrollment.objects.all(), today=day).summary(list_limit=50)
        python = {c.label: (c.size, c.achievement, c.fulfilment) for c in data.cohorts()}
        database = {c.label: (c.size, c.achievement, c.fulfilment) for c in summary.cohorts}
        assert database == python, day
        assert summary.behind_ids == [r.enrollment.pk for r in data.behind], day
        assert summary.funnel() == data.funnel(), day
