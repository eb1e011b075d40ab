"""The per-day activity summary (``ActivityDay``) and the database triggers that keep it current.

Every write to ``mentors_activity`` (the logging form, CSV and API imports, the admin, the load
generator's COPY, cascading deletes) changes ``mentors_activityday`` in the same statement's
transaction, through triggers installed here:

- PostgreSQL: statement-level triggers with transition tables, so a 1,000,000-row import adds
  one grouped upsert, not a million; TRUNCATE of the activities empties the summary.
- SQLite: row-level triggers; the local date comes from the function Django registers on every
  SQLite connection (``django_datetime_cast_date``), the one its own ``TruncDate`` uses.

The local day is the activity's date in ``settings.TIME_ZONE``, written into the triggers.
Client work flagged ``before_certification`` (mentors/certification.py) is left out: the
summary counts only what may count toward a bonus, and a row whose flag changes moves in or
out of it like any other update.
``summary_ensure`` runs after every ``migrate``: it installs the triggers when they are missing
or were written for another time zone, and then recomputes the summary from the activities.
``manage.py rebuild_activity_summary`` recomputes it on demand.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.db.models.functions import TruncDate

from .models import Activity, ActivityDay

# The trigger SQL is built from these two names and a zone name _zone() has checked: DDL
# takes no parameters, so ruff's S608 (SQL from strings) is silenced line by line below.
ACTIVITY = "mentors_activity"
SUMMARY = "mentors_activityday"
# Every trigger body reads this column: triggers without it predate the certification gate.
COUNTED_ONLY = "before_certification"


def _zone() -> str:
    name = settings.TIME_ZONE
    ZoneInfo(name)  # refuse anything that is not a real zone name before writing it into SQL
    if "'" in name:
        raise ValueError(f"unexpected time zone name {name!r}")
    return name


# --- PostgreSQL ----------------------------------------------------------------------------


def _postgres_install_sql(zone: str) -> list[str]:
    day = f"(occurred_at AT TIME ZONE '{zone}')::date"
    confirmed = "(confirmed_at IS NOT NULL)"
    add = f"""
        INSERT INTO {SUMMARY} (enrollment_id, day, kind, provenance, confirmed, count)
        SELECT enrollment_id, {day}, kind, provenance, {confirmed}, count(*) FROM new_rows
        WHERE NOT before_certification
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (enrollment_id, day, kind, provenance, confirmed)
        DO UPDATE SET count = {SUMMARY}.count + EXCLUDED.count;"""  # noqa: S608 - see _zone()
    # Rows that reach zero are deleted (count > 0 is a constraint); the others decremented.
    subtract = f"""
        WITH gone AS (
            SELECT enrollment_id, {day} AS day, kind, provenance,
                   {confirmed} AS confirmed, count(*) AS n FROM old_rows
            WHERE NOT before_certification
            GROUP BY 1, 2, 3, 4, 5
        ), emptied AS (
            DELETE FROM {SUMMARY} s USING gone
            WHERE s.enrollment_id = gone.enrollment_id AND s.day = gone.day
              AND s.kind = gone.kind AND s.provenance = gone.provenance
              AND s.confirmed = gone.confirmed AND s.count <= gone.n
        )
        UPDATE {SUMMARY} s SET count = s.count - gone.n FROM gone
        WHERE s.enrollment_id = gone.enrollment_id AND s.day = gone.day
          AND s.kind = gone.kind AND s.provenance = gone.provenance
          AND s.confirmed = gone.confirmed AND s.count > gone.n;"""  # noqa: S608 - see _zone()
    function = (
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN{body}\n    RETURN NULL;\nEND $$;"
    )
    return [
        f"CREATE OR REPLACE FUNCTION {SUMMARY}_zone() RETURNS text LANGUAGE sql IMMUTABLE "
        f"AS $$ SELECT '{zone}'::text $$;",
        function.format(name=f"{SUMMARY}_add", body=add),
        function.format(name=f"{SUMMARY}_subtract", body=subtract),
        function.format(name=f"{SUMMARY}_move", body=subtract + add),
        function.format(name=f"{SUMMARY}_clear", body=f"\n    DELETE FROM {SUMMARY};"),  # noqa: S608
        f"DROP TRIGGER IF EXISTS {SUMMARY}_insert ON {ACTIVITY};",
        f"CREATE TRIGGER {SUMMARY}_insert AFTER INSERT ON {ACTIVITY} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {SUMMARY}_add();",
        f"DROP TRIGGER IF EXISTS {SUMMARY}_delete ON {ACTIVITY};",
        f"CREATE TRIGGER {SUMMARY}_delete AFTER DELETE ON {ACTIVITY} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SUMMARY}_subtract();",
        f"DROP TRIGGER IF EXISTS {SUMMARY}_update ON {ACTIVITY};",
        f"CREATE TRIGGER {SUMMARY}_update AFTER UPDATE ON {ACTIVITY} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {SUMMARY}_move();",
        f"DROP TRIGGER IF EXISTS {SUMMARY}_truncate ON {ACTIVITY};",
        f"CREATE TRIGGER {SUMMARY}_truncate AFTER TRUNCATE ON {ACTIVITY} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {SUMMARY}_clear();",
    ]


def _postgres_installed_zone(cursor) -> str | None:
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
        [ACTIVITY, f"{SUMMARY}_%"],
    )
    if cursor.fetchone()[0] != 4:
        return None
    # Triggers written before the summary kept provenances, or before the certification gate,
    # are rewritten (and rebuilt).
    cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [f"{SUMMARY}_add"])
    source = cursor.fetchone()
    if source is None or "provenance" not in source[0] or COUNTED_ONLY not in source[0]:
        return None
    cursor.execute(f"SELECT {SUMMARY}_zone()")
    return cursor.fetchone()[0]


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_install_sql(zone: str) -> list[str]:
    def day(row: str) -> str:
        return f"django_datetime_cast_date({row}.occurred_at, '{zone}', 'UTC')"

    def confirmed(row: str) -> str:
        return f"({row}.confirmed_at IS NOT NULL)"

    # SQLite's upsert after a SELECT needs a WHERE: here, the row is not flagged.
    def add(row: str) -> str:
        return (
            f"INSERT INTO {SUMMARY} "
            '(enrollment_id, day, kind, provenance, confirmed, "count") '
            f"SELECT {row}.enrollment_id, {day(row)}, {row}.kind, {row}.provenance, "
            f"{confirmed(row)}, 1 "
            f"WHERE NOT {row}.before_certification "
            "ON CONFLICT (enrollment_id, day, kind, provenance, confirmed) "
            'DO UPDATE SET "count" = "count" + 1;'
        )

    def subtract(row: str) -> str:
        match = (
            f"NOT {row}.before_certification AND enrollment_id = {row}.enrollment_id "
            f"AND day = {day(row)} AND kind = {row}.kind "
            f"AND provenance = {row}.provenance AND confirmed = {confirmed(row)}"
        )
        return (
            f'DELETE FROM {SUMMARY} WHERE {match} AND "count" <= 1; '  # noqa: S608
            f'UPDATE {SUMMARY} SET "count" = "count" - 1 WHERE {match};'
        )

    return [
        f"DROP TRIGGER IF EXISTS {SUMMARY}_insert;",
        f"CREATE TRIGGER {SUMMARY}_insert AFTER INSERT ON {ACTIVITY} BEGIN {add('NEW')} END;",
        f"DROP TRIGGER IF EXISTS {SUMMARY}_delete;",
        f"CREATE TRIGGER {SUMMARY}_delete AFTER DELETE ON {ACTIVITY} BEGIN {subtract('OLD')} END;",
        f"DROP TRIGGER IF EXISTS {SUMMARY}_update;",
        f"CREATE TRIGGER {SUMMARY}_update AFTER UPDATE OF enrollment_id, kind, occurred_at, "
        f"provenance, confirmed_at, before_certification ON {ACTIVITY} "
        f"BEGIN {subtract('OLD')} {add('NEW')} END;",
    ]


def _sqlite_installed_zone(cursor) -> str | None:
    cursor.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s AND name LIKE %s",
        [ACTIVITY, f"{SUMMARY}_%"],
    )
    found = [row[0] for row in cursor.fetchall()]
    if len(found) != 3 or not all("provenance" in sql and COUNTED_ONLY in sql for sql in found):
        return None  # missing, or written before provenances or the certification gate
    marker = "django_datetime_cast_date(NEW.occurred_at, '"
    text = next(sql for sql in found if marker in sql)
    return text.split(marker, 1)[1].split("'", 1)[0]


# --- installing and rebuilding ------------------------------------------------------------


def _installed_zone(connection) -> str | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _postgres_installed_zone(cursor)
        if connection.vendor == "sqlite":
            return _sqlite_installed_zone(cursor)
    raise NotImplementedError(f"no activity summary triggers for {connection.vendor}")


def summary_install(*, using: str = "default") -> None:
    """(Re)create the triggers for the current time zone; does not recompute the summary."""
    connection = connections[using]
    zone = _zone()
    statements = (
        _postgres_install_sql(zone)
        if connection.vendor == "postgresql"
        else _sqlite_install_sql(zone)
    )
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def summary_rebuild(*, using: str = "default") -> int:
    """Recompute the whole summary from the activities; returns the number of summary rows.

    The activity table is locked against writes meanwhile, so no trigger runs half-way."""
    connection = connections[using]
    per_day = (
        Activity.objects.using(using)
        .filter(before_certification=False)
        .annotate(
            local_day=TruncDate("occurred_at"),
            is_confirmed=ExpressionWrapper(
                Q(confirmed_at__isnull=False), output_field=BooleanField()
            ),
        )
        .values_list("enrollment_id", "local_day", "kind", "provenance", "is_confirmed")
        .annotate(n=Count("pk"))
        .order_by()
    )
    select, params = per_day.query.sql_with_params()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {ACTIVITY} IN SHARE MODE")
        # DELETE rather than TRUNCATE: TRUNCATE refuses a table with pending deferred
        # foreign-key checks, which any earlier write in the same transaction leaves.
        cursor.execute(f"DELETE FROM {SUMMARY}")  # noqa: S608 - our own table's name
        cursor.execute(
            f"INSERT INTO {SUMMARY} "
            f'(enrollment_id, day, kind, provenance, confirmed, "count") {select}',
            params,
        )
    return ActivityDay.objects.using(using).count()


def summary_ensure(*, using: str = "default") -> bool:
    """Install the triggers if missing or written for another zone, then rebuild; True if so."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    if _installed_zone(connection) == _zone():
        return False
    summary_install(using=using)
    summary_rebuild(using=using)
    return True
