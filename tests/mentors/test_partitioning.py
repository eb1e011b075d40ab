"""The activity table partitioned by month (ACTIVITY_PARTITIONED on PostgreSQL,
mentors/partitioning.py): rows land in their month, the import's idempotency and the call
recordings' foreign keys hold across months, the partitions are made ahead, the summary stays
right. Run by CI's PostgreSQL pass, which turns the setting on."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate

from courses.models import Enrollment
from mentors import importing
from mentors.models import Activity, ActivityDay, CallRecording
from mentors.partitioning import (
    DEFAULT_PARTITION,
    activity_partitions,
    activity_partitions_ensure,
    is_partitioned,
)

from .factories import make_enrollment

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _partitioned():
    if connection.vendor != "postgresql" or not is_partitioned():
        pytest.skip("needs PostgreSQL with ACTIVITY_PARTITIONED=1")
    # The months these tests write in (rolled back with the test).
    activity_partitions_ensure(since=date(2026, 1, 1), now=datetime(2026, 9, 1, tzinfo=UTC))


def at(month: int, day: int = 10, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def partition_of(activity: Activity) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM mentors_activity WHERE id = %s", [activity.pk]
        )
        return cursor.fetchone()[0]


def keys() -> dict[int, tuple[str, str | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, source, external_id FROM mentors_activitykey")
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


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


def import_calls(enrollment, rows: list[tuple[str, datetime]]):
    email = enrollment.trainee.email
    return importing.import_rows(
        [
            (
                line,
                {
                    "trainee": email,
                    "kind": "call",
                    "occurred_at": when.isoformat(),
                    "external_id": external_id,
                },
            )
            for line, (external_id, when) in enumerate(rows, start=2)
        ],
        enrollments=Enrollment.objects.all(),
        default_source=Activity.Source.CSV,
    )


def test_the_table_is_partitioned_by_month_with_a_default():
    names = [name for name, _rows in activity_partitions()]
    assert names[-1] == DEFAULT_PARTITION
    now = datetime.now(UTC)
    assert f"mentors_activity_p{now:%Y_%m}" in names
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat FROM pg_partitioned_table "
            "WHERE partrelid = 'mentors_activity'::regclass"
        )
        assert cursor.fetchone() == ("r",)


def test_rows_land_in_their_month_and_keep_unique_ids():
    enrollment = make_enrollment()
    march = Activity.objects.create(enrollment=enrollment, kind="call", occurred_at=at(3))
    april = Activity.objects.create(enrollment=enrollment, kind="call", occurred_at=at(4, 30, 23))
    assert partition_of(march) == "mentors_activity_p2026_03"
    assert partition_of(april) == "mentors_activity_p2026_04"
    assert march.pk != april.pk
    assert keys()[march.pk] == ("manual", None)
    with pytest.raises(IntegrityError), transaction.atomic():  # an id is an activity's alone
        Activity.objects.create(pk=march.pk, enrollment=enrollment, kind="call", occurred_at=at(5))


def test_the_import_refuses_a_duplicate_external_id_in_another_month():
    enrollment = make_enrollment()
    first = import_calls(enrollment, [("crm-1", at(3)), ("crm-2", at(3))])
    assert (first.created, first.duplicates) == (2, 0)
    again = import_calls(enrollment, [("crm-1", at(5)), ("crm-2", at(6)), ("crm-3", at(6))])
    assert (again.created, again.duplicates) == (1, 2)
    # Within one file too: the first line wins.
    within = import_calls(enrollment, [("crm-4", at(7, 1)), ("crm-4", at(8, 1))])
    assert (within.created, within.duplicates) == (1, 1)
    kept = Activity.objects.get(external_id="crm-4")
    assert kept.occurred_at == at(7, 1)
    assert Activity.objects.filter(external_id="crm-1").get().occurred_at == at(3)
    # A duplicate written another way is refused with the plain table's constraint name.
    duplicate = pytest.raises(IntegrityError, match="activity_unique_external_id_per_source")
    with duplicate, transaction.atomic():
        Activity.objects.create(
            enrollment=enrollment,
            kind="call",
            occurred_at=at(9),
            source="csv",
            external_id="crm-1",
        )
    # The import's skipping ends with its statement: the next plain insert still refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.bulk_create(
            [
                Activity(
                    enrollment=enrollment,
                    kind="call",
                    occurred_at=at(9),
                    source="csv",
                    external_id="crm-2",
                )
            ]
        )
    assert summary() == recomputed()


def test_a_row_moved_to_another_month_keeps_its_id_key_and_recording():
    enrollment = make_enrollment()
    call = Activity.objects.create(
        enrollment=enrollment, kind="call", occurred_at=at(3), source="crm", external_id="c-9"
    )
    recording = CallRecording.objects.create(
        activity=call, file="calls/c-9.mp3", content_type="audio/mpeg", size=1, duration_seconds=1
    )
    call.occurred_at = at(6)
    call.save()
    assert partition_of(call) == "mentors_activity_p2026_06"
    assert keys()[call.pk] == ("crm", "c-9")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the recording's key check, now
    recording.refresh_from_db()
    assert recording.activity_id == call.pk
    # A changed external id follows into the key: the old one is free again.
    Activity.objects.filter(pk=call.pk).update(external_id="c-10", occurred_at=at(7))
    assert keys()[call.pk] == ("crm", "c-10")
    Activity.objects.create(
        enrollment=enrollment, kind="call", occurred_at=at(3), source="crm", external_id="c-9"
    )
    assert summary() == recomputed()


def test_an_activity_with_a_recording_cannot_be_deleted_under_it():
    enrollment = make_enrollment()
    call = Activity.objects.create(enrollment=enrollment, kind="call", occurred_at=at(3))
    CallRecording.objects.create(
        activity=call, file="calls/x.mp3", content_type="audio/mpeg", size=1, duration_seconds=1
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with pytest.raises(IntegrityError, match="mentors_callrecording"), transaction.atomic():
            cursor.execute("DELETE FROM mentors_activity WHERE id = %s", [call.pk])
        # Moving it to another month under immediate checks keeps the key it refers to.
        cursor.execute(
            "UPDATE mentors_activity SET occurred_at = %s WHERE id = %s", [at(8), call.pk]
        )
    # Through the ORM, the recording goes first (on_delete=CASCADE) and the key with the row.
    call.delete()
    assert not CallRecording.objects.exists()
    assert call.pk not in keys()


def test_partitions_are_made_ahead_and_rows_in_the_default_move_to_their_month():
    enrollment = make_enrollment()
    far = Activity.objects.create(
        enrollment=enrollment, kind="call", occurred_at=datetime(2031, 2, 3, tzinfo=UTC)
    )
    assert partition_of(far) == DEFAULT_PARTITION
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending checks
    report = activity_partitions_ensure(months_ahead=2, now=datetime(2031, 1, 20, tzinfo=UTC))
    assert report.created == [
        "mentors_activity_p2031_01",
        "mentors_activity_p2031_02",
        "mentors_activity_p2031_03",
    ]
    assert report.moved_from_default == 1
    assert partition_of(far) == "mentors_activity_p2031_02"
    assert keys()[far.pk] == ("manual", None)
    assert summary() == recomputed()
    # Idempotent.
    again = activity_partitions_ensure(months_ahead=2, now=datetime(2031, 1, 20, tzinfo=UTC))
    assert again.created == []
    assert not again.converted


def test_the_command_lists_the_partitions(capsys):
    call_command("activity_partitions", "--months-ahead", "1")
    out = capsys.readouterr().out
    assert DEFAULT_PARTITION in out
    assert "partitions:" in out


def test_truncating_the_activities_empties_their_keys():
    enrollment = make_enrollment()
    Activity.objects.create(enrollment=enrollment, kind="call", occurred_at=at(3))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE mentors_activity CASCADE")
    assert keys() == {}
    assert summary() == {}
