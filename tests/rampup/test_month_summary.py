"""The per-ramp-month summary (rampup/month_summary.py) stays equal to a recomputation from
the activities after every kind of write: these run on the test database's engine (SQLite
here; test_month_summary_integration.py runs them again on PostgreSQL)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.functions import TruncDate

from courses.models import Enrollment
from mentors.activity_summary import summary_rebuild
from mentors.models import Activity, ActivityDay
from rampup import figures
from rampup.models import RampMonth
from rampup.month_summary import ramp_months_ensure, ramp_months_rebuild
from tests.rampup.helpers import make_enrollment, make_program

pytestmark = pytest.mark.django_db


def months() -> dict[tuple[int, int], dict[str, int]]:
    return {
        (row["enrollment_id"], row["month_index"]): {m: row[m] for m in figures.METRICS}
        for row in RampMonth.objects.values("enrollment_id", "month_index", *figures.METRICS)
    }


def recomputed() -> dict[tuple[int, int], dict[str, int]]:
    """The months counted in Python from the activities themselves (rampup.figures.month_index
    of each activity's local day), as the summary must hold them."""
    hires = dict(Enrollment.objects.values_list("pk", "hire_date"))
    counted = Counter()
    rows = (
        Activity.objects.filter(before_certification=False, kind__in=figures.METRICS)
        .annotate(local_day=TruncDate("occurred_at"))
        .values_list("enrollment_id", "local_day", "kind")
    )
    for enrollment_id, day, kind in rows:
        counted[(enrollment_id, figures.month_index(hires[enrollment_id], day), kind)] += 1
    result: dict[tuple[int, int], dict[str, int]] = {}
    for (enrollment_id, index, kind), n in counted.items():
        result.setdefault((enrollment_id, index), dict.fromkeys(figures.METRICS, 0))[kind] = n
    return result


def exact() -> dict:
    """The summary, after checking it against the recomputation and the ORM's rebuild query."""
    kept = months()
    assert kept == recomputed()
    rebuilt = {
        (e, k): dict(zip(figures.METRICS, counts, strict=True))
        for e, k, *counts in figures.monthly_count_rows_from_days(None)
    }
    assert kept == rebuilt
    return kept


def local(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture
def program():
    return make_program()


@pytest.fixture
def enrollment(program):
    # Hired on the 31st: February's anniversary is clamped to its last day.
    return make_enrollment(
        hire_date=date(2026, 1, 31), program=program, cleared_for_client_work_on=date(2026, 1, 31)
    )


def add(enrollment, kind="call", day=date(2026, 2, 10), hour=12, **fields) -> Activity:
    return Activity.objects.create(
        enrollment=enrollment, kind=kind, occurred_at=local(day, hour), source="manual", **fields
    )


def test_inserts_count_in_the_ramp_month_of_the_local_day(enrollment):
    add(enrollment, day=date(2026, 2, 27))  # month 1
    add(enrollment, day=date(2026, 2, 28))  # February's last day: the anniversary, month 2
    add(enrollment, day=date(2026, 2, 28), hour=23)  # the same day row, counted again (upsert)
    add(enrollment, kind="meeting", day=date(2026, 3, 30))  # month 2
    add(enrollment, kind="contract", day=date(2026, 3, 31))  # month 3
    add(enrollment, kind="note", day=date(2026, 3, 31))  # not a planned metric
    add(enrollment, day=date(2026, 1, 20))  # before the hire date: month 0
    assert exact() == {
        (enrollment.pk, 1): {"call": 1, "meeting": 0, "application": 0, "contract": 0},
        (enrollment.pk, 2): {"call": 2, "meeting": 1, "application": 0, "contract": 0},
        (enrollment.pk, 3): {"call": 0, "meeting": 0, "application": 0, "contract": 1},
        (enrollment.pk, 0): {"call": 1, "meeting": 0, "application": 0, "contract": 0},
    }


def test_deletes_and_updates_moving_day_kind_and_enrollment_keep_the_months_exact(enrollment):
    other = make_enrollment(hire_date=date(2026, 2, 15), program=enrollment.program)
    a = add(enrollment)
    b = add(enrollment)
    c = add(enrollment, kind="meeting")
    a.delete()
    assert exact() == {
        (enrollment.pk, 1): {"call": 1, "meeting": 1, "application": 0, "contract": 0}
    }
    b.kind = "application"  # kind
    b.save()
    c.occurred_at = local(date(2026, 4, 2))  # day: into month 3
    c.save()
    assert exact() == {
        (enrollment.pk, 1): {"call": 0, "meeting": 0, "application": 1, "contract": 0},
        (enrollment.pk, 3): {"call": 0, "meeting": 1, "application": 0, "contract": 0},
    }
    c.enrollment = other  # enrollment: another hire date, another month (2 for them)
    c.save()
    b.before_certification = True  # out of the counted activities
    b.save()
    assert exact() == {(other.pk, 2): {"call": 0, "meeting": 1, "application": 0, "contract": 0}}
    Activity.objects.filter(pk=b.pk).update(note="an unrelated change")
    Activity.objects.all().delete()
    assert months() == {}


def test_bulk_writes_move_many_days_at_once(enrollment):
    other = make_enrollment(hire_date=date(2026, 3, 1), program=enrollment.program)
    Activity.objects.bulk_create(
        Activity(enrollment=e, kind=k, occurred_at=local(date(2026, m, d), h), source="manual")
        for e in (enrollment, other)
        for k in ("call", "meeting", "application", "contract")
        for m in (2, 3, 4)
        for d in (1, 15, 28)
        for h in (9, 23)
    )
    exact()
    Activity.objects.filter(kind="meeting", occurred_at__lt=local(date(2026, 3, 20))).update(
        occurred_at=local(date(2026, 5, 5))
    )
    Activity.objects.filter(kind="call", enrollment=other).update(kind="contract")
    exact()
    Activity.objects.filter(enrollment=other, kind="application").delete()
    assert exact()


def test_a_new_hire_date_recomputes_the_enrollments_months(enrollment):
    other = make_enrollment(hire_date=date(2026, 1, 31), program=enrollment.program)
    for e in (enrollment, other):
        add(e, day=date(2026, 2, 20))
        add(e, kind="meeting", day=date(2026, 3, 10))
    before = exact()
    enrollment.hire_date = date(2026, 2, 20)
    enrollment.save()
    after = exact()
    assert after[(enrollment.pk, 1)] == {"call": 1, "meeting": 1, "application": 0, "contract": 0}
    assert {k: v for k, v in after.items() if k[0] == other.pk} == {
        k: v for k, v in before.items() if k[0] == other.pk
    }
    Enrollment.objects.filter(pk=other.pk).update(hire_date=date(2025, 12, 1))
    assert set(exact()) == {(enrollment.pk, 1), (other.pk, 3), (other.pk, 4)}
    enrollment.save()  # a save that does not change the hire date changes nothing
    exact()


def test_rebuilding_the_day_rows_and_the_months_and_the_command(enrollment):
    add(enrollment)
    add(enrollment, kind="contract", day=date(2026, 5, 1))
    expected = exact()
    summary_rebuild()  # deletes and inserts every day row: through these triggers
    assert exact() == expected
    RampMonth.objects.all().delete()
    assert ramp_months_rebuild() == 2
    assert exact() == expected
    RampMonth.objects.filter(month_index=1).update(call=40)
    out = io.StringIO()
    call_command("rebuild_ramp_months", stdout=out)
    assert "2 enrollment-month rows" in out.getvalue()
    assert exact() == expected
    assert ramp_months_ensure() is False  # installed already


def test_missing_triggers_are_installed_and_the_months_rebuilt_after_migrate(enrollment):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER rampup_rampmonth_insert ON mentors_activityday")
        else:
            cursor.execute("DROP TRIGGER rampup_rampmonth_insert")
    add(enrollment)  # not counted: the trigger is gone
    assert months() == {}
    assert ramp_months_ensure() is True
    exact()
    add(enrollment)
    assert exact()[(enrollment.pk, 1)]["call"] == 2


def test_deleting_an_enrollment_deletes_its_months(enrollment):
    other = make_enrollment(hire_date=date(2026, 2, 1), program=enrollment.program)
    add(enrollment)
    add(other)
    Enrollment.objects.filter(pk=other.pk).delete()
    assert set(exact()) == {(enrollment.pk, 1)}


def test_the_day_rows_of_an_enrollment_deleted_first_count_nowhere(enrollment):
    """A flush (``manage.py flush``, the browser tests' teardown) deletes table by table in
    any order: the activities and day rows of an enrollment already gone must not write a
    month without a month index."""
    add(enrollment)
    other = make_enrollment(hire_date=date(2026, 2, 1), program=enrollment.program)
    add(other, day=date(2026, 2, 11))
    last = add(other, day=date(2026, 2, 11))  # the day row's count goes 2 -> 1: an update

    class Undo(Exception):
        pass

    def enrollment_first_then_its_activity():
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Foreign keys are checked at commit.
            cursor.execute("DELETE FROM rampup_rampmonth WHERE enrollment_id = %s", [other.pk])
            cursor.execute("DELETE FROM courses_enrollment WHERE id = %s", [other.pk])
            cursor.execute("DELETE FROM mentors_activity WHERE id = %s", [last.pk])
            assert set(months()) == {(enrollment.pk, 1)}
            # Rolled back to the savepoint: the rows stay consistent for the foreign key
            # check at the test's end.
            raise Undo

    with pytest.raises(Undo):
        enrollment_first_then_its_activity()
    assert set(months()) == {(enrollment.pk, 1), (other.pk, 1)}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's flush is one TRUNCATE")
def test_the_months_emptied_before_the_activities_stay_at_zero(enrollment):
    """SQLite's flush deletes table by table in any order: with the months gone first,
    deleting the activities (their day rows counted down) leaves no month below zero."""
    for kind in ("meeting", "call", "meeting", "call"):  # deleted in this order
        add(enrollment, kind=kind)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM rampup_rampmonth")
        cursor.execute("DELETE FROM mentors_activity")
        cursor.execute("DELETE FROM mentors_activityday")
    assert months() == {}


def test_the_ramp_figures_read_the_months(enrollment):
    add(enrollment, day=date(2026, 2, 28))
    add(enrollment, kind="application", day=date(2026, 2, 28))
    assert figures.monthly_counts([enrollment.pk]) == {
        enrollment.pk: {2: {"call": 1, "meeting": 0, "application": 1, "contract": 0}}
    }
    ActivityDay.objects.all().delete()  # the day rows go, the months with them
    assert figures.monthly_counts([enrollment.pk]) == {}


@pytest.mark.skipif(connection.vendor == "sqlite", reason="TRUNCATE is PostgreSQL's")
def test_truncating_the_activities_or_the_day_rows_empties_the_months(enrollment):
    add(enrollment)
    assert months()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has FK checks
        cursor.execute("TRUNCATE mentors_activity CASCADE")
    assert months() == {}
    add(enrollment)
    assert months()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE mentors_activityday")
    assert months() == {}


def test_a_day_row_upserted_by_the_activity_trigger_fires_the_update_path(enrollment):
    """The activity trigger's ON CONFLICT DO UPDATE is an UPDATE of the day row: each day
    counted again moves the month's count, in one statement per import (bulk_create)."""
    add(enrollment, day=date(2026, 2, 3))
    assert ActivityDay.objects.get().count == 1
    Activity.objects.bulk_create(
        Activity(
            enrollment=enrollment,
            kind="call",
            occurred_at=local(date(2026, 2, 3)) + timedelta(minutes=n),
            source="manual",
        )
        for n in range(5)
    )
    assert ActivityDay.objects.get().count == 6
    assert exact() == {
        (enrollment.pk, 1): {"call": 6, "meeting": 0, "application": 0, "contract": 0}
    }


@pytest.mark.parametrize("trainees", [1, 6])
def test_the_month_counts_are_one_query_at_any_size(
    program, trainees, django_assert_max_num_queries
):
    enrollments = [
        make_enrollment(hire_date=date(2026, 1, 5), program=program) for _ in range(trainees)
    ]
    for e in enrollments:
        for month in (1, 2, 3):
            add(e, day=date(2026, month, 20))
    with django_assert_max_num_queries(1):
        counts = figures.monthly_counts([e.pk for e in enrollments])
    assert len(counts) == trainees
    assert all(len(months) == 3 for months in counts.values())
