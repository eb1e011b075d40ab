"""The per-ramp-month summary (``RampMonth``) and the database triggers that keep it current.

The dashboard, the ramp API and the digest count each enrollment's calls, meetings,
applications and contracts per ramp month (rampup/figures.py). Regrouping the per-day summary
(``mentors.ActivityDay``, some 230 rows per trainee a year) into months on every request costs
seconds at 10,000 trainees, so the months are kept as rows of their own, changed in the same
transaction as the day rows they come from:

- triggers on ``mentors_activityday``: its own triggers on the activity table
  (mentors/activity_summary.py) insert, upsert (``ON CONFLICT DO UPDATE``: an UPDATE of the day
  row), decrement and delete day rows, and each of those statements fires ours;
- a trigger on ``courses_enrollment``: a new hire date moves every day into another month, so
  the enrollment's month rows are recomputed from its day rows.

PostgreSQL: statement-level triggers with transition tables on the day rows; one grouped
upsert of the net change per statement (a million-row import is one statement on the day
rows, so one here); the hire date's trigger is row-level, fired only when it changes.
TRUNCATE of the day rows empties this summary. SQLite: row-level triggers.

The month index is the one of rampup.figures.month_index (the day's month since the hire
date, minus one before the anniversary unless the day is its month's last), written here in
each dialect; ``ramp_months_rebuild`` recomputes the rows with the ORM expression of
rampup.figures instead, and the tests compare the two. ``ramp_months_ensure`` runs after every
``migrate`` (rampup/apps.py): it installs the triggers when they are missing or outdated, then
rebuilds. ``manage.py rebuild_ramp_months`` does both on demand.
"""

from __future__ import annotations

from django.db import connections, transaction

from rampup import figures
from rampup.models import RampMonth

# The trigger SQL is built from these constant names only: DDL takes no parameters, so ruff's
# S608 (SQL from strings) is silenced line by line below.
MONTHS = "rampup_rampmonth"
DAYS = "mentors_activityday"
ENROLLMENTS = "courses_enrollment"
# Written into every trigger: triggers of another version are rewritten (and the rows rebuilt).
VERSION = "ramp-month-v5"
COLUMNS = ", ".join(f'"{m}"' for m in figures.METRICS)
KINDS = ", ".join(f"'{m}'" for m in figures.METRICS)


def _counts(row: str, sign: str = "") -> str:
    """The four metric columns of one day row (SQLite) or a sum of them (PostgreSQL)."""
    return ", ".join(
        f"{sign}CASE WHEN {row}.kind = '{m}' THEN {row}.count ELSE 0 END" for m in figures.METRICS
    )


# --- PostgreSQL ----------------------------------------------------------------------------


def _postgres_index(day: str, hire: str) -> str:
    def part(field: str, value: str) -> str:
        return f"EXTRACT({field} FROM {value})"

    return (
        f"(({part('YEAR', day)} - {part('YEAR', hire)}) * 12 "
        f"+ {part('MONTH', day)} - {part('MONTH', hire)} "
        f"- CASE WHEN {part('DAY', day)} < {part('DAY', hire)} "
        f"AND {part('MONTH', f'{day} + 1')} = {part('MONTH', day)} THEN 1 ELSE 0 END + 1)::integer"
    )


def _postgres_grouped(days: str, hires: str, sign: str = "") -> str:
    """(enrollment_id, month_index, the four counts) of the day rows ``days`` grouped by ramp
    month; ``hires`` gives each enrollment's id and hire_date."""
    sums = ", ".join(
        f"{sign}SUM(CASE WHEN r.kind = '{m}' THEN r.count ELSE 0 END) AS \"{m}\""
        for m in figures.METRICS
    )
    return (
        f"SELECT r.enrollment_id, {_postgres_index('r.day', 'h.hire_date')} AS month_index, "  # noqa: S608
        f"{sums} FROM {days} r JOIN {hires} h ON h.id = r.enrollment_id "
        f"WHERE r.kind IN ({KINDS}) GROUP BY 1, 2"
    )


def _postgres_apply(parts: list[str]) -> str:
    """Add the net change of ``parts`` (grouped rows, removals negated) to the months: months
    left with nothing are deleted, the others updated, new ones inserted.

    Not one upsert: PostgreSQL checks a proposed row's CHECK constraints before it looks for a
    conflict, so a decrement proposed as a row (negative counts) would fail even where the
    month exists. The INSERT sees the statement's snapshot, so it skips the months the DELETE
    and UPDATE of the same statement handle; its ON CONFLICT covers a month another
    transaction inserted meanwhile."""
    net = ", ".join(f'SUM(t."{m}") AS "{m}"' for m in figures.METRICS)
    nonzero = " OR ".join(f'SUM(t."{m}") <> 0' for m in figures.METRICS)
    emptied = " AND ".join(f's."{m}" + d."{m}" <= 0' for m in figures.METRICS)
    changed = ", ".join(f'"{m}" = s."{m}" + d."{m}"' for m in figures.METRICS)
    added = ", ".join(f'"{m}" = {MONTHS}."{m}" + EXCLUDED."{m}"' for m in figures.METRICS)
    same = "s.enrollment_id = d.enrollment_id AND s.month_index = d.month_index"
    union = " UNION ALL ".join(parts)
    return f"""
        WITH delta AS (
            SELECT t.enrollment_id, t.month_index, {net} FROM ({union}) t
            GROUP BY 1, 2 HAVING {nonzero}
        ), emptied AS (
            DELETE FROM {MONTHS} s USING delta d WHERE {same} AND {emptied}
        ), changed AS (
            UPDATE {MONTHS} s SET {changed} FROM delta d WHERE {same} AND NOT ({emptied})
        )
        INSERT INTO {MONTHS} (enrollment_id, month_index, {COLUMNS})
        SELECT d.* FROM delta d WHERE NOT EXISTS (SELECT 1 FROM {MONTHS} s WHERE {same})
        ORDER BY 1, 2
        ON CONFLICT (enrollment_id, month_index) DO UPDATE SET {added};"""  # noqa: S608


def _postgres_install_sql() -> list[str]:
    added = _postgres_grouped("new_rows", ENROLLMENTS)
    removed = _postgres_grouped("old_rows", ENROLLMENTS, sign="-")
    # Row-level, and only when the hire date changed (the trigger's WHEN, tested without
    # calling the function): hire dates change one at a time, while statement-level capture
    # of transition tables would tax every bulk update of enrollments.
    rehired = f"""
        DELETE FROM {MONTHS} WHERE enrollment_id = NEW.id;
        INSERT INTO {MONTHS} (enrollment_id, month_index, {COLUMNS})
        {_postgres_grouped(DAYS, "(SELECT NEW.id AS id, NEW.hire_date AS hire_date)")};"""  # noqa: S608
    function = (
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN{body}\n    RETURN NULL;\nEND $$;"
    )
    return [
        f"CREATE OR REPLACE FUNCTION {MONTHS}_version() RETURNS text LANGUAGE sql IMMUTABLE "
        f"AS $$ SELECT '{VERSION}'::text $$;",
        function.format(name=f"{MONTHS}_add", body=_postgres_apply([added])),
        function.format(name=f"{MONTHS}_subtract", body=_postgres_apply([removed])),
        function.format(name=f"{MONTHS}_move", body=_postgres_apply([removed, added])),
        function.format(name=f"{MONTHS}_clear", body=f"\n    DELETE FROM {MONTHS};"),  # noqa: S608
        function.format(name=f"{MONTHS}_rehire", body=rehired),
        f"DROP TRIGGER IF EXISTS {MONTHS}_insert ON {DAYS};",
        f"CREATE TRIGGER {MONTHS}_insert AFTER INSERT ON {DAYS} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {MONTHS}_add();",
        f"DROP TRIGGER IF EXISTS {MONTHS}_delete ON {DAYS};",
        f"CREATE TRIGGER {MONTHS}_delete AFTER DELETE ON {DAYS} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {MONTHS}_subtract();",
        f"DROP TRIGGER IF EXISTS {MONTHS}_update ON {DAYS};",
        f"CREATE TRIGGER {MONTHS}_update AFTER UPDATE ON {DAYS} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {MONTHS}_move();",
        f"DROP TRIGGER IF EXISTS {MONTHS}_truncate ON {DAYS};",
        f"CREATE TRIGGER {MONTHS}_truncate AFTER TRUNCATE ON {DAYS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {MONTHS}_clear();",
        f"DROP TRIGGER IF EXISTS {MONTHS}_rehire ON {ENROLLMENTS};",
        f"CREATE TRIGGER {MONTHS}_rehire AFTER UPDATE OF hire_date ON {ENROLLMENTS} "
        "FOR EACH ROW WHEN (OLD.hire_date IS DISTINCT FROM NEW.hire_date) "
        f"EXECUTE FUNCTION {MONTHS}_rehire();",
    ]


def _postgres_installed(cursor) -> bool:
    cursor.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid IN (%s::regclass, %s::regclass) "
        "AND tgname LIKE %s",
        [DAYS, ENROLLMENTS, f"{MONTHS}_%"],
    )
    if cursor.fetchone()[0] != 5:
        return False
    cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = %s", [f"{MONTHS}_version"])
    if cursor.fetchone()[0] != 1:
        return False
    cursor.execute(f"SELECT {MONTHS}_version()")
    return cursor.fetchone()[0] == VERSION


# --- SQLite --------------------------------------------------------------------------------


def _sqlite_index(day: str, hire: str) -> str:
    def part(fmt: str, value: str) -> str:
        return f"CAST(strftime('{fmt}', {value}) AS INTEGER)"

    next_day = f"date({day}, '+1 day')"
    return (
        f"(({part('%Y', day)} - {part('%Y', hire)}) * 12 + {part('%m', day)} - {part('%m', hire)} "
        f"- CASE WHEN {part('%d', day)} < {part('%d', hire)} "
        f"AND {part('%m', next_day)} = {part('%m', day)} THEN 1 ELSE 0 END + 1)"
    )


def _sqlite_install_sql() -> list[str]:
    def key(row: str) -> str:
        index = _sqlite_index(f"{row}.day", "e.hire_date")
        return f"(SELECT {index} FROM {ENROLLMENTS} e WHERE e.id = {row}.enrollment_id)"  # noqa: S608

    # SQLite's upsert after a SELECT needs a WHERE: here, the kind is a planned metric.
    def add(row: str) -> str:
        added = ", ".join(f'"{m}" = "{m}" + excluded."{m}"' for m in figures.METRICS)
        return (
            f"INSERT INTO {MONTHS} (enrollment_id, month_index, {COLUMNS}) "  # noqa: S608
            f"SELECT {row}.enrollment_id, {key(row)}, {_counts(row)} "
            f"WHERE {row}.kind IN ({KINDS}) "
            # An enrollment deleted first (a flush deletes table by table, in any order) has
            # no months left to count in.
            f"AND EXISTS (SELECT 1 FROM {ENROLLMENTS} e WHERE e.id = {row}.enrollment_id) "
            f"ON CONFLICT (enrollment_id, month_index) DO UPDATE SET {added};"
        )

    def subtract(row: str) -> str:
        match = (
            f"{row}.kind IN ({KINDS}) AND enrollment_id = {row}.enrollment_id "
            f"AND month_index = {key(row)}"
        )
        left = [
            (m, f"\"{m}\" - CASE WHEN {row}.kind = '{m}' THEN {row}.count ELSE 0 END")
            for m in figures.METRICS
        ]
        emptied = " AND ".join(f"{value} <= 0" for _, value in left)
        # Never below zero: equal to the day rows, a month never is, except while a flush
        # (DELETE table by table, in any order) has emptied this table before the activities.
        taken = ", ".join(f'"{m}" = MAX(0, {value})' for m, value in left)
        return (
            f"DELETE FROM {MONTHS} WHERE {match} AND {emptied}; "  # noqa: S608
            f"UPDATE {MONTHS} SET {taken} WHERE {match};"
        )

    sums = ", ".join(
        f"SUM(CASE WHEN d.kind = '{m}' THEN d.count ELSE 0 END)" for m in figures.METRICS
    )
    rehire = (
        f"DELETE FROM {MONTHS} WHERE enrollment_id = NEW.id; "  # noqa: S608
        f"INSERT INTO {MONTHS} (enrollment_id, month_index, {COLUMNS}) "
        f"SELECT d.enrollment_id, {_sqlite_index('d.day', 'NEW.hire_date')}, {sums} "
        f"FROM {DAYS} d WHERE d.enrollment_id = NEW.id AND d.kind IN ({KINDS}) GROUP BY 1, 2;"
    )
    marker = f"/* {VERSION} */"
    return [
        f"DROP TRIGGER IF EXISTS {MONTHS}_insert;",
        f"CREATE TRIGGER {MONTHS}_insert AFTER INSERT ON {DAYS} BEGIN {marker} {add('NEW')} END;",
        f"DROP TRIGGER IF EXISTS {MONTHS}_delete;",
        f"CREATE TRIGGER {MONTHS}_delete AFTER DELETE ON {DAYS} "
        f"BEGIN {marker} {subtract('OLD')} END;",
        f"DROP TRIGGER IF EXISTS {MONTHS}_update;",
        f"CREATE TRIGGER {MONTHS}_update AFTER UPDATE ON {DAYS} "
        f"BEGIN {marker} {subtract('OLD')} {add('NEW')} END;",
        f"DROP TRIGGER IF EXISTS {MONTHS}_rehire;",
        f"CREATE TRIGGER {MONTHS}_rehire AFTER UPDATE OF hire_date ON {ENROLLMENTS} "
        f"WHEN OLD.hire_date IS NOT NEW.hire_date BEGIN {marker} {rehire} END;",
    ]


def _sqlite_installed(cursor) -> bool:
    cursor.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
        [f"{MONTHS}_%"],
    )
    found = [row[0] for row in cursor.fetchall()]
    return len(found) == 4 and all(VERSION in sql for sql in found)


# --- installing and rebuilding ------------------------------------------------------------


def _installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _postgres_installed(cursor)
        if connection.vendor == "sqlite":
            return _sqlite_installed(cursor)
    raise NotImplementedError(f"no ramp month triggers for {connection.vendor}")


def ramp_months_install(*, using: str = "default") -> None:
    """(Re)create the triggers; does not recompute the rows."""
    connection = connections[using]
    statements = (
        _postgres_install_sql() if connection.vendor == "postgresql" else _sqlite_install_sql()
    )
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def ramp_months_rebuild(*, using: str = "default") -> int:
    """Recompute every month row from the day rows; returns the number of month rows.

    The day rows and the hire dates are locked against writes meanwhile."""
    connection = connections[using]
    select, params = figures.monthly_count_rows_from_days(None, using=using).query.sql_with_params()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {DAYS}, {ENROLLMENTS} IN SHARE MODE")
        # DELETE rather than TRUNCATE: TRUNCATE refuses a table with pending deferred
        # foreign-key checks, which any earlier write in the same transaction leaves.
        cursor.execute(f"DELETE FROM {MONTHS}")  # noqa: S608 - our own table's name
        cursor.execute(
            f"INSERT INTO {MONTHS} (enrollment_id, month_index, {COLUMNS}) {select}",
            params,
        )
        if connection.vendor == "postgresql":
            # Fresh statistics: the dashboard's plan depends on them (docs/performance.md).
            cursor.execute(f"ANALYZE {MONTHS}")
    return RampMonth.objects.using(using).count()


def ramp_months_ensure(*, using: str = "default") -> bool:
    """Install the triggers if missing or outdated, then rebuild; True if it did."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return False
    if _installed(connection):
        return False
    ramp_months_install(using=using)
    ramp_months_rebuild(using=using)
    return True
