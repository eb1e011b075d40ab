"""The activity table partitioned by month (PostgreSQL, ``ACTIVITY_PARTITIONED``).

With the setting on, ``mentors_activity`` becomes a table ``PARTITION BY RANGE (occurred_at)``
with one partition per calendar month (UTC) and a DEFAULT partition for anything outside them.
Django's model does not change: the ORM reads and writes the parent table, PostgreSQL routes
each row to its month and moves a row whose ``occurred_at`` changes month.

A partitioned table's unique constraints must include the partition key, so two guarantees of
the plain table move to a small unpartitioned table, ``mentors_activitykey``
(id, source, external_id), with one row per activity:

- ``UNIQUE (source, external_id)``: the import's idempotency (an empty external id is stored
  as NULL there, so it never conflicts, as the plain table's partial index);
- ``id`` unique: its primary key; the parent's own primary key is ``(id, occurred_at)``.

Row triggers on the parent keep the key table in step with every writer (the ORM, COPY, raw
SQL): a BEFORE INSERT inserts the key (a duplicate raises the same unique violation, under
the same constraint name, as the plain table), a BEFORE UPDATE follows a changed source or
external id, a BEFORE DELETE removes it (a row moving month is a delete and an insert: its key
goes and comes back in the same statement), TRUNCATE empties it. The call recordings' and
reviews' foreign keys point at the key table (a foreign key cannot reference a partitioned
table's ``id`` alone), so an activity with a recording still cannot be deleted under it.

``INSERT … ON CONFLICT (source, external_id) DO NOTHING`` cannot name a constraint the parent
does not have: the import (mentors/importing.py) asks :func:`duplicates_skipped` instead, which
makes the BEFORE INSERT trigger skip a row whose key exists, as ON CONFLICT DO NOTHING would
(concurrent imports wait on each other's keys the same way).

``activity_partitions_ensure`` converts a plain table (once, idempotent) and creates the
partitions ``ACTIVITY_PARTITION_MONTHS_AHEAD`` months ahead; it runs after every ``migrate``,
from ``manage.py activity_partitions`` and daily from Celery beat. On SQLite, and with the
setting off, it does nothing (an already partitioned table is left as it is).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from .activity_summary import summary_install

ACTIVITY = "mentors_activity"
KEY = "mentors_activitykey"
DEFAULT_PARTITION = f"{ACTIVITY}_default"
OLD = f"{ACTIVITY}_unpartitioned"
# The plain table's partial unique index; the key table's unique constraint takes its name,
# so code that reads the constraint of an IntegrityError sees the same one.
UNIQUE_NAME = "activity_unique_external_id_per_source"
ID_KEY_FK = f"{ACTIVITY}_id_key_fk"
TRIGGER = f"{ACTIVITY}_key"
# The session flag the BEFORE INSERT trigger reads (set for one statement at a time).
SKIP_FLAG = "lms.activity_duplicates"


@dataclass
class PartitionReport:
    converted: bool = False
    created: list[str] = field(default_factory=list)
    moved_from_default: int = 0


def partitioning_wanted(using: str = "default") -> bool:
    return bool(settings.ACTIVITY_PARTITIONED) and connections[using].vendor == "postgresql"


def is_partitioned(using: str = "default") -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
            [ACTIVITY],
        )
        return cursor.fetchone()[0]


class duplicates_skipped:
    """Around one INSERT into the activities: rows whose (source, external_id) exist are
    skipped. Yields the clause to end the INSERT with: ``ON CONFLICT … DO NOTHING`` on the
    plain table; nothing on the partitioned one, whose key trigger skips them instead.

    The flag is the session's (an autocommit INSERT is its own transaction) and is cleared on
    the way out; when the INSERT fails inside a transaction, its rollback clears it."""

    PLAIN = "ON CONFLICT (source, external_id) WHERE external_id <> '' DO NOTHING"

    def __init__(self, cursor, *, using: str = "default"):
        self.cursor = cursor
        self.using = using
        self.partitioned = False

    def __enter__(self) -> str:
        if connections[self.using].vendor != "postgresql":
            return self.PLAIN
        # One query: whether the table is partitioned, and the flag set if it is.
        self.cursor.execute(
            "SELECT set_config(%s, CASE WHEN EXISTS (SELECT 1 FROM pg_partitioned_table "
            "WHERE partrelid = to_regclass(%s)) THEN 'skip' ELSE '' END, false)",
            [SKIP_FLAG, ACTIVITY],
        )
        self.partitioned = self.cursor.fetchone()[0] == "skip"
        return "" if self.partitioned else self.PLAIN

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.partitioned:
            return
        if exc is None or not connections[self.using].in_atomic_block:
            self.cursor.execute("SELECT set_config(%s, '', false)", [SKIP_FLAG])


# --- months ----------------------------------------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _partition_name(month: date) -> str:
    return f"{ACTIVITY}_p{month:%Y_%m}"


def _bound(month: date) -> str:
    return f"{month:%Y-%m-%d} 00:00:00+00"


# --- the key table and its triggers ---------------------------------------------------------

_KEY_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{SKIP_FLAG}', true) = 'skip' THEN
        INSERT INTO {KEY} (id, source, external_id)
        VALUES (NEW.id, NEW.source, NULLIF(NEW.external_id, ''))
        ON CONFLICT (source, external_id) DO NOTHING;
        IF NOT FOUND THEN
            RETURN NULL;  -- a duplicate: skipped, as ON CONFLICT DO NOTHING would
        END IF;
        RETURN NEW;
    END IF;
    -- A duplicate (source, external_id) raises the unique violation here.
    INSERT INTO {KEY} (id, source, external_id)
    VALUES (NEW.id, NEW.source, NULLIF(NEW.external_id, ''))
    ON CONFLICT (id) DO NOTHING;
    -- The id has its key already: a row moving to another month (its old copy is gone by
    -- now; BEFORE UPDATE has brought the key up to date), or a second row with that id.
    IF NOT FOUND AND EXISTS (SELECT 1 FROM {ACTIVITY} WHERE id = NEW.id) THEN
        RAISE EXCEPTION 'duplicate key value violates unique constraint "{ACTIVITY}_pkey"'
            USING ERRCODE = '23505', DETAIL = format('Key (id)=(%s) already exists.', NEW.id);
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION {TRIGGER}_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'an activity keeps its id' USING ERRCODE = '23514';
    END IF;
    IF NEW.source IS DISTINCT FROM OLD.source
       OR NEW.external_id IS DISTINCT FROM OLD.external_id THEN
        UPDATE {KEY} SET source = NEW.source, external_id = NULLIF(NEW.external_id, '')
        WHERE id = OLD.id;
    END IF;
    RETURN NEW;
END $$;
-- Statement-level: a row moving month is not a DELETE statement, so its key stays.
CREATE OR REPLACE FUNCTION {TRIGGER}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {KEY} k USING gone WHERE k.id = gone.id;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {TRIGGER}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {KEY};
    RETURN NULL;
END $$;
"""  # noqa: S608 - our own table names

_KEY_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {TRIGGER}_insert ON {ACTIVITY};",
    f"CREATE TRIGGER {TRIGGER}_insert BEFORE INSERT ON {ACTIVITY} "
    f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_insert();",
    f"DROP TRIGGER IF EXISTS {TRIGGER}_update ON {ACTIVITY};",
    f"CREATE TRIGGER {TRIGGER}_update BEFORE UPDATE ON {ACTIVITY} "
    f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}_update();",
    f"DROP TRIGGER IF EXISTS {TRIGGER}_delete ON {ACTIVITY};",
    f"CREATE TRIGGER {TRIGGER}_delete AFTER DELETE ON {ACTIVITY} "
    f"REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_delete();",
    f"DROP TRIGGER IF EXISTS {TRIGGER}_truncate ON {ACTIVITY};",
    f"CREATE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON {ACTIVITY} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_truncate();",
]


def _install_key_triggers(cursor) -> None:
    """(Re)write the key table's triggers: idempotent, so a newer version replaces an older."""
    cursor.execute(_KEY_FUNCTIONS)
    for statement in _KEY_TRIGGERS:
        cursor.execute(statement)


def _fetch(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _convert(cursor) -> None:
    """The plain table → the partitioned one, its rows, keys, indexes and foreign keys kept.

    Runs in the caller's transaction, with the table locked against every other access."""
    cursor.execute(f"LOCK TABLE {ACTIVITY} IN ACCESS EXCLUSIVE MODE")
    unique = _fetch(
        cursor,
        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND x.indisunique AND NOT x.indisprimary",
        [ACTIVITY],
    )
    unexpected = [name for (name,) in unique if name != UNIQUE_NAME]
    if unexpected:
        raise RuntimeError(
            f"{ACTIVITY} has unique indexes the partitioned table cannot keep: {unexpected}"
        )
    indexes = [
        definition
        for (definition,) in _fetch(
            cursor,
            "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique",
            [ACTIVITY],
        )
    ]
    own_fks = _fetch(
        cursor,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [ACTIVITY],
    )
    referencing = _fetch(
        cursor,
        "SELECT conrelid::regclass::text, conname, a.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.confrelid = %s::regclass AND c.contype = 'f'",
        [ACTIVITY],
    )
    bounds = _fetch(cursor, f"SELECT min(occurred_at), max(occurred_at) FROM {ACTIVITY}")[0]  # noqa: S608

    cursor.execute(f"ALTER TABLE {ACTIVITY} RENAME TO {OLD}")
    cursor.execute(
        f"CREATE TABLE {ACTIVITY} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS) "
        "PARTITION BY RANGE (occurred_at)"
    )
    today = timezone.now().astimezone(UTC).date()
    first = _month(bounds[0].astimezone(UTC).date()) if bounds[0] else _month(today)
    last = _month(bounds[1].astimezone(UTC).date()) if bounds[1] else _month(today)
    _create_months(cursor, first=min(first, _month(today)), last=max(last, _month(today)))
    cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {ACTIVITY} DEFAULT")

    cursor.execute(
        f"CREATE TABLE {KEY} (id bigint PRIMARY KEY, source varchar(50) NOT NULL, "
        "external_id varchar(200))"
    )
    cursor.execute(
        f"INSERT INTO {KEY} (id, source, external_id) "  # noqa: S608 - our own tables
        f"SELECT id, source, NULLIF(external_id, '') FROM {OLD}"
    )
    cursor.execute(f"INSERT INTO {ACTIVITY} SELECT * FROM {OLD}")  # noqa: S608
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 - our own table
        f"coalesce((SELECT max(id) FROM {OLD}), 1), "
        f"(SELECT max(id) FROM {OLD}) IS NOT NULL)",
        [ACTIVITY],
    )
    for table, name, _column in referencing:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    old_sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [OLD])[0][0]
    cursor.execute(f"DROP TABLE {OLD}")  # its summary triggers go with it
    new_sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [ACTIVITY])[0][0]
    if old_sequence and new_sequence and new_sequence != old_sequence:
        cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {old_sequence.split('.')[-1]}")

    cursor.execute(f'ALTER TABLE {KEY} ADD CONSTRAINT "{UNIQUE_NAME}" UNIQUE (source, external_id)')
    cursor.execute(
        f'ALTER TABLE {ACTIVITY} ADD CONSTRAINT "{ACTIVITY}_pkey" PRIMARY KEY (id, occurred_at)'
    )
    for definition in indexes:
        cursor.execute(definition)
    for name, definition in own_fks:
        cursor.execute(f'ALTER TABLE {ACTIVITY} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(
        f'ALTER TABLE {ACTIVITY} ADD CONSTRAINT "{ID_KEY_FK}" FOREIGN KEY (id) '
        f"REFERENCES {KEY} (id) DEFERRABLE INITIALLY DEFERRED"
    )
    for table, name, column in referencing:
        cursor.execute(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY ("{column}") '
            f"REFERENCES {KEY} (id) DEFERRABLE INITIALLY DEFERRED"
        )
    _install_key_triggers(cursor)


def _existing_months(cursor) -> set[date]:
    names = _fetch(
        cursor,
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [ACTIVITY],
    )
    months = set()
    prefix = f"{ACTIVITY}_p"
    for (name,) in names:
        if name.startswith(prefix):
            year, month = name.removeprefix(prefix).split("_")
            months.add(date(int(year), int(month), 1))
    return months


def _create_months(cursor, *, first: date, last: date) -> list[str]:
    """Monthly partitions from ``first`` to ``last`` (their months) that do not exist yet."""
    created = []
    existing = _existing_months(cursor)
    month = first
    while month <= last:
        if month not in existing:
            name = _partition_name(month)
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {ACTIVITY} "
                f"FOR VALUES FROM ('{_bound(month)}') TO ('{_bound(_next_month(month))}')"
            )
            created.append(name)
        month = _next_month(month)
    return created


def _has_default(cursor) -> bool:
    return bool(_fetch(cursor, "SELECT to_regclass(%s)", [DEFAULT_PARTITION])[0][0])


def _create_month_over_default(cursor, month: date) -> int:
    """A new month whose rows sit in the DEFAULT partition: PostgreSQL refuses to create it
    while they are there, so they are copied into the new table before it is attached and
    deleted from the default with its (key) triggers off: the rows, their ids and keys stay."""
    name = _partition_name(month)
    low, high = _bound(month), _bound(_next_month(month))
    where = f"occurred_at >= '{low}' AND occurred_at < '{high}'"
    cursor.execute(f"LOCK TABLE {ACTIVITY} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        f"CREATE TABLE {name} (LIKE {ACTIVITY} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        "INCLUDING STORAGE)"
    )
    cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {where}")  # noqa: S608
    moved = cursor.rowcount
    cursor.execute(f"ALTER TABLE {DEFAULT_PARTITION} DISABLE TRIGGER USER")
    cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {where}")  # noqa: S608
    cursor.execute(f"ALTER TABLE {DEFAULT_PARTITION} ENABLE TRIGGER USER")
    cursor.execute(
        f"ALTER TABLE {ACTIVITY} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')"
    )
    # Fresh statistics for both: the planner's (and activity_partitions()'s) row counts.
    cursor.execute(f"ANALYZE {name}")
    cursor.execute(f"ANALYZE {DEFAULT_PARTITION}")
    return moved


def activity_partitions_ensure(
    *,
    using: str = "default",
    months_ahead: int | None = None,
    since: date | None = None,
    now: datetime | None = None,
) -> PartitionReport:
    """Convert the activity table if it is still plain, then create the months up to
    ``months_ahead`` after the current one (and back to ``since``'s month, for history that
    is still to arrive: until then such rows sit in the DEFAULT partition). Idempotent; a
    no-op when partitioning is off or the database is not PostgreSQL."""
    report = PartitionReport()
    if not partitioning_wanted(using):
        return report
    if months_ahead is None:
        months_ahead = settings.ACTIVITY_PARTITION_MONTHS_AHEAD
    if months_ahead < 0:
        raise ValueError("months_ahead must be 0 or more")
    today = (now or timezone.now()).astimezone(UTC).date()
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if not is_partitioned(using):
            _convert(cursor)
            summary_install(using=using)
            report.converted = True
        else:
            _install_key_triggers(cursor)
        last = _month(today)
        for _ in range(months_ahead):
            last = _next_month(last)
        existing = _existing_months(cursor)
        month = min(_month(since), _month(today)) if since else _month(today)
        while month <= last:
            if month not in existing:
                if (
                    _has_default(cursor)
                    and _fetch(
                        cursor,
                        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} "  # noqa: S608
                        "WHERE occurred_at >= %s AND occurred_at < %s)",
                        [_bound(month), _bound(_next_month(month))],
                    )[0][0]
                ):
                    report.moved_from_default += _create_month_over_default(cursor, month)
                    report.created.append(_partition_name(month))
                else:
                    report.created += _create_months(cursor, first=month, last=month)
            month = _next_month(month)
        if not _has_default(cursor):
            cursor.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {ACTIVITY} DEFAULT")
            report.created.append(DEFAULT_PARTITION)
    return report


def activity_partitions(*, using: str = "default") -> list[tuple[str, int]]:
    """The partitions of the activity table and their row counts (estimates from the
    statistics), oldest month first, the default last."""
    with connections[using].cursor() as cursor:
        rows = _fetch(
            cursor,
            "SELECT c.relname, greatest(c.reltuples, 0)::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass "
            "ORDER BY c.relname = %s, c.relname",
            [ACTIVITY, DEFAULT_PARTITION],
        )
    return [(name, count) for name, count in rows]
