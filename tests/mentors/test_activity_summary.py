"""The per-day activity summary stays equal to a recomputation after every kind of write."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.test import override_settings

from courses.models import Enrollment
from mentors.activity_summary import summary_ensure, summary_rebuild
from mentors.importing import import_csv, import_items
from mentors.models import Activity, ActivityDay
from tests.mentors.factories import make_enrollment

pytestmark = pytest.mark.django_db


def summary() -> dict[tuple, int]:
    return {(row.enrollment_id, row.day, row.kind): row.count for row in ActivityDay.objects.all()}


def recomputed() -> dict[tuple, int]:
    rows = (
        Activity.objects.annotate(local_day=TruncDate("occurred_at"))
        .values_list("enrollment_id", "local_day", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(e, d, k): n for e, d, k, n in rows}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def enrollment():
    return make_enrollment(hire_date=date(2026, 1, 12))


def add(enrollment, kind="call", when=None, **kwargs) -> Activity:
    return Activity.objects.create(
        enrollment=enrollment, kind=kind, occurred_at=when or at(2, 9), **kwargs
    )


def test_the_summary_counts_local_days_not_utc_days(enrollment):
    # Moscow is UTC+3: 20:59 UTC is still the 2nd, 21:00 UTC is already the 3rd.
    add(enrollment, when=at(2, 20, 59))
    add(enrollment, when=at(2, 21, 0))
    add(enrollment, when=at(2, 23, 30))
    add(enrollment, kind="meeting", when=at(2, 10))
    assert summary() == {
        (enrollment.pk, date(2026, 3, 2), "call"): 1,
        (enrollment.pk, date(2026, 3, 3), "call"): 2,
        (enrollment.pk, date(2026, 3, 2), "meeting"): 1,
    }
    assert summary() == recomputed()


def test_deleting_updating_and_moving_activities_keeps_the_summary_exact(enrollment):
    other = make_enrollment()
    a = add(enrollment)
    b = add(enrollment)
    c = add(enrollment, kind="meeting")
    a.delete()
    assert (
        summary()
        == recomputed()
        == {
            (enrollment.pk, date(2026, 3, 2), "call"): 1,
            (enrollment.pk, date(2026, 3, 2), "meeting"): 1,
        }
    )
    b.kind = "application"
    b.save()
    c.occurred_at = at(5, 12)
    c.enrollment = other
    c.save()
    Activity.objects.filter(pk=b.pk).update(note="an unrelated change")
    assert (
        summary()
        == recomputed()
        == {
            (enrollment.pk, date(2026, 3, 2), "application"): 1,
            (other.pk, date(2026, 3, 5), "meeting"): 1,
        }
    )
    Activity.objects.all().delete()
    assert summary() == {}


def test_bulk_writes_and_cascades_keep_the_summary_exact(enrollment):
    other = make_enrollment()
    Activity.objects.bulk_create(
        Activity(enrollment=e, kind=k, occurred_at=at(d, h))
        for e in (enrollment, other)
        for k in ("call", "meeting", "contract")
        for d in (2, 3, 4)
        for h in (6, 12, 22)
    )
    assert len(summary()) == 2 * 3 * 4  # 22:00 UTC falls on the next local day
    assert summary() == recomputed()
    Activity.objects.filter(kind="meeting", occurred_at__lt=at(3, 12)).update(
        occurred_at=at(20, 12)
    )
    assert summary() == recomputed()
    Enrollment.objects.filter(pk=other.pk).delete()
    assert summary() == recomputed()
    assert {key[0] for key in summary()} == {enrollment.pk}


def test_csv_and_api_imports_update_the_summary(enrollment):
    when = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    email = enrollment.trainee.email
    lines = ["trainee_email,kind,occurred_at,source,external_id,amount,note"]
    lines += [f"{email},call,{when},crm,c-{i},," for i in range(25)]
    result = import_csv(
        io.BytesIO(("\n".join(lines) + "\n").encode()), enrollments=Enrollment.objects.all()
    )
    assert result.created == 25
    items = [
        {"trainee": email, "kind": "meeting", "occurred_at": when, "external_id": f"m-{i}"}
        for i in range(7)
    ]
    assert import_items(items, enrollments=Enrollment.objects.all(), recorded_by=None).created == 7
    assert summary() == recomputed()
    assert sum(summary().values()) == 32


def test_rebuild_recomputes_a_damaged_summary(enrollment):
    add(enrollment)
    add(enrollment, kind="meeting")
    ActivityDay.objects.filter(kind="call").update(count=40)
    ActivityDay.objects.filter(kind="meeting").delete()
    out = io.StringIO()
    call_command("rebuild_activity_summary", stdout=out)
    assert "2 enrollment-day-kind rows" in out.getvalue()
    assert summary() == recomputed()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="TRUNCATE is PostgreSQL's")
def test_truncating_the_activities_empties_the_summary(enrollment):
    add(enrollment)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction has FK checks
        # CASCADE: call recordings and reviews refer to the activities (docs/coaching.md).
        cursor.execute("TRUNCATE mentors_activity CASCADE")
    assert summary() == {}


def test_a_new_time_zone_reinstalls_the_triggers_and_rebuilds(enrollment):
    add(enrollment, when=at(2, 22))  # the 3rd in Moscow, the 2nd in New York
    assert set(summary()) == {(enrollment.pk, date(2026, 3, 3), "call")}
    assert summary_ensure() is False  # installed for this zone already
    try:
        with override_settings(TIME_ZONE="America/New_York"):
            assert summary_ensure() is True
            assert set(summary()) == {(enrollment.pk, date(2026, 3, 2), "call")}
            add(enrollment, when=at(2, 3))  # the 1st in New York
            assert summary() == recomputed()
            assert (enrollment.pk, date(2026, 3, 1), "call") in summary()
    finally:
        summary_ensure()
    assert summary() == recomputed()
    assert summary_rebuild() == 2  # the 2nd and the 3rd in Moscow
