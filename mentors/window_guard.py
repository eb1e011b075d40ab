"""The database's guarantee of one bonus per trainee and window.

Two bonus statements of one enrollment (of two of its mentorships) may not cover the same
day: their windows ``[period_start, period_end)`` must not overlap, or one day's activity
would be paid twice. The service keeps them apart (``services.bonus_start``, the window
split in ``statements_compute``); these triggers refuse every write that would not, whatever
wrote it (a service with a bug, the admin, a script, raw SQL):

- PostgreSQL: statement-level ``AFTER INSERT`` and ``AFTER UPDATE`` triggers in PL/pgSQL with
  transition tables, which first lock the written rows' enrollments (in id order), so two
  transactions writing statements of one enrollment take turns and cannot both pass the
  check, then check every written row in one query; they raise SQLSTATE 23P01 (exclusion
  violation), which Django raises as ``IntegrityError``.
- SQLite: ``AFTER INSERT`` and ``AFTER UPDATE OF period_start, period_end, mentorship_id``
  triggers with ``RAISE(ABORT, ...)``, also an ``IntegrityError`` (SQLite writes one
  transaction at a time).

An empty window (start == end) overlaps nothing. An update that leaves the window and the
mentorship as they were (the review columns of an approved statement) is not checked, so
history written before the guard existed stays writable. ``window_guard_ensure`` runs after
every ``migrate`` (mentors/apps.py) and installs the triggers again (idempotent).
"""

from __future__ import annotations

from django.db import connections

STATEMENT = "mentors_bonusstatement"
MENTORSHIP = "mentors_mentorship"
ENROLLMENT = "courses_enrollment"
MESSAGE = "bonus_statement_window_overlap"
TRIGGER = "mentors_bonusstatement_window_guard"

# Another statement of the same enrollment (another mentorship) whose window meets NEW's.
_OVERLAP = f"""
    SELECT 1 FROM {STATEMENT} s
    JOIN {MENTORSHIP} m ON m.id = s.mentorship_id
    WHERE m.enrollment_id = (SELECT enrollment_id FROM {MENTORSHIP} WHERE id = NEW.mentorship_id)
      AND s.mentorship_id <> NEW.mentorship_id
      AND s.period_start < NEW.period_end
      AND NEW.period_start < s.period_end"""  # noqa: S608 - table names only


# The rows a statement wrote whose window must be checked (not empty; for an update, only
# those whose window or mentorship changed), with their enrollment.
_WRITTEN = {
    "INSERT": f"""
        SELECT n.mentorship_id, n.period_start, n.period_end, m.enrollment_id
        FROM new_rows n JOIN {MENTORSHIP} m ON m.id = n.mentorship_id
        WHERE n.period_start < n.period_end""",  # noqa: S608 - table names only
    "UPDATE": f"""
        SELECT n.mentorship_id, n.period_start, n.period_end, m.enrollment_id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN {MENTORSHIP} m ON m.id = n.mentorship_id
        WHERE n.period_start < n.period_end
          AND (n.period_start <> o.period_start OR n.period_end <> o.period_end
               OR n.mentorship_id <> o.mentorship_id)""",  # noqa: S608 - table names only
}


def _postgres_check(op: str) -> str:
    """Lock the enrollments of the written rows (in id order, so two writers take turns and
    cannot deadlock), then look for another statement of the same enrollment whose window
    meets one of theirs: one set-based check per statement, however many rows it wrote."""
    written = _WRITTEN[op]
    return f"""
            PERFORM 1 FROM {ENROLLMENT} e
            WHERE e.id IN (SELECT w.enrollment_id FROM ({written}) w)
            ORDER BY e.id FOR UPDATE OF e;
            IF EXISTS (
                SELECT 1 FROM ({written}) w
                JOIN {MENTORSHIP} other ON other.enrollment_id = w.enrollment_id
                    AND other.id <> w.mentorship_id
                JOIN {STATEMENT} s ON s.mentorship_id = other.id
                WHERE s.period_start < w.period_end AND w.period_start < s.period_end
            ) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23P01',
                    DETAIL = 'Another statement of this enrollment covers these days.';
            END IF;"""  # noqa: S608 - table names only


def _postgres_sql() -> list[str]:
    # Statement-level triggers with transition tables (one per event: PostgreSQL allows
    # transition tables only on a trigger of one event), so an upsert of 10,000 statements is
    # checked by one query, not 10,000 (docs/performance.md, bonus finalization).
    function = f"""
        CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN{_postgres_check("UPDATE")}
            ELSE{_postgres_check("INSERT")}
            END IF;
            RETURN NULL;
        END;
        $$;"""
    return [
        function,
        # The row-level trigger of earlier versions.
        f"DROP TRIGGER IF EXISTS {TRIGGER} ON {STATEMENT};",
        f"DROP TRIGGER IF EXISTS {TRIGGER}_insert ON {STATEMENT};",
        f"DROP TRIGGER IF EXISTS {TRIGGER}_update ON {STATEMENT};",
        f"CREATE TRIGGER {TRIGGER}_insert AFTER INSERT ON {STATEMENT} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}();",
        f"CREATE TRIGGER {TRIGGER}_update AFTER UPDATE ON {STATEMENT} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}();",
    ]


def _sqlite_sql() -> list[str]:
    body = (
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}') "
        f"WHERE NEW.period_start < NEW.period_end AND EXISTS ({_OVERLAP}); END;"
    )
    return [
        f"DROP TRIGGER IF EXISTS {TRIGGER}_insert;",
        f"DROP TRIGGER IF EXISTS {TRIGGER}_update;",
        f"CREATE TRIGGER {TRIGGER}_insert AFTER INSERT ON {STATEMENT} {body}",
        f"CREATE TRIGGER {TRIGGER}_update AFTER UPDATE OF period_start, period_end, "
        f"mentorship_id ON {STATEMENT} "
        "WHEN NEW.period_start <> OLD.period_start OR NEW.period_end <> OLD.period_end "
        f"OR NEW.mentorship_id <> OLD.mentorship_id {body}",
    ]


def window_guard_ensure(*, using: str = "default") -> bool:
    """Install (or reinstall) the triggers; False on a database other than these two."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        statements = _postgres_sql()
    elif connection.vendor == "sqlite":
        statements = _sqlite_sql()
    else:
        return False
    tables = connection.introspection.table_names()
    if STATEMENT not in tables or MENTORSHIP not in tables:
        return False
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return True
