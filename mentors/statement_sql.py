"""The bonus computation's statements in SQL: every window's counts under its rule, its
breakdown by provenance, its burst days and its tier, computed and written by the database
in one statement, so that no row of the per-day summary and no statement travels through
Python (docs/bonuses.md, "How a statement is computed"; docs/performance.md).

The windows come in as one JSON parameter (``people.json_rows``), each a list of
``WINDOW_FIELDS`` as ``services._statements_compute`` builds it; which (provenance,
confirmed) pairs count under each rule comes as another (``counting_rows``), built with
``provenance.counts_toward_bonus`` so that the rule's semantics stay in one place. The same
SQL runs on PostgreSQL and SQLite; where the two differ (JSON builders, the one-scan
``GROUPING SETS``) the vendor's form is chosen here.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from wagtail.users.models import UserProfile

from courses.models import Enrollment
from people import json_rows

from .bonus import COUNTED_KINDS
from .models import ActivityDay, BonusStatement, BonusTier, Mentorship
from .provenance import TYPED_PROVENANCES, Provenance, counts_toward_bonus

# One window of the payload, in this order (``window_row``).
WINDOW_FIELDS = (
    ("m", "bigint"),  # the mentorship
    ("enrollment_id", "bigint"),
    ("first_day", "date"),
    ("end_day", "date"),
    ("day_limit", "int"),  # the rule's typed daily limit (burst days)
    ("rule_id", "bigint"),
    ("empty", "boolean"),  # an empty window pays nothing, even under a tier without minimums
    ("status", "text"),  # the statement's status once written: final or provisional
    ("currency", "text"),
    ("version", "bigint"),  # the rule's current version
)


def window_row(pk, enrollment_id, window, *, day_limit, rule_id, status, currency, version):
    """One window of the payload (``WINDOW_FIELDS``)."""
    return [
        pk,
        enrollment_id,
        window.start.isoformat(),
        window.end.isoformat(),
        day_limit,
        rule_id,
        window.is_empty,
        status,
        currency,
        version,
    ]


def counting_rows(rules: dict) -> list[list]:
    """[rule id, provenance, confirmed] of every pair that counts toward the rule's bonus;
    ``rules`` is {rule id: an object with ``counted_provenances`` and
    ``confirmation_required``}."""
    return [
        [rule_id, provenance, confirmed]
        for rule_id, rule in rules.items()
        for provenance in Provenance.values
        for confirmed in (False, True)
        if counts_toward_bonus(
            provenance,
            confirmed,
            counted=rule.counted_provenances,
            confirmation_required=rule.confirmation_required,
        )
    ]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _object(*pairs: str) -> str:
    """A JSON object of the SQL expressions ``pairs`` (name, value, name, value...)."""
    return f"{'json_build_object' if _postgres() else 'json_object'}({', '.join(pairs)})"


def _boolean(expression: str) -> str:
    """A boolean as JSON's true or false (SQLite's json_object would write 1 or 0)."""
    if _postgres():
        return f"({expression})"
    return f"json(CASE WHEN {expression} THEN 'true' ELSE 'false' END)"


def _arrays(source: str, key: str, order: str, items: str, sums: list[tuple[str, str]]) -> str:
    """Per ``key`` of the rows of ``source`` (a parenthesised SELECT and its alias): the JSON
    array of ``items`` in ``order`` as ``list``, and each (name, expression) of ``sums`` summed.

    PostgreSQL orders the aggregate itself. SQLite before 3.44 has no ORDER BY in an aggregate
    and promises no order to its input: there the array is a window function over each key's
    rows in ``order`` (whose order is defined), read on each key's first row."""
    totals = "".join(f", SUM({expression}) AS {name}" for name, expression in sums)
    if _postgres():
        return (
            f"SELECT {key}{totals}, json_agg({items} ORDER BY {order}) AS list "
            f"FROM {source} GROUP BY {key}"
        )
    window = (
        f"(PARTITION BY {key} ORDER BY {order} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )
    totals = "".join(f", SUM({expression}) OVER {window} AS {name}" for name, expression in sums)
    names = "".join(f", {name}" for name, _expression in sums)
    return (
        f"SELECT {key}{names}, list FROM (SELECT {key}{totals}, "
        f"json_group_array({items}) OVER {window} AS list, "
        f"ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY {order}) AS rn FROM {source}) "
        "WHERE rn = 1"
    )


def _jsonb(expression: str) -> str:
    return f"({expression})::jsonb" if _postgres() else expression


def _quoted(values) -> str:
    """Fixed names (kinds, provenances, statuses) as SQL string literals."""
    return ", ".join(f"'{value}'" for value in values)


def _computation() -> str:
    """``WITH`` the windows (``w``), which pairs count (``c``), each window's counts by
    provenance (``b``), its totals and breakdown (``agg``), its burst days (``bursts``), and
    the tier it is paid (``best``: one row per window). Two parameters: the windows and the
    counting pairs."""
    day = ActivityDay._meta.db_table
    tier = BonusTier._meta.db_table
    kinds = _quoted(COUNTED_KINDS)
    typed = _quoted(p.value for p in TYPED_PROVENANCES)
    windows = ", ".join(
        f"{json_rows.item('x', i, cast)} AS {name}" for i, (name, cast) in enumerate(WINDOW_FIELDS)
    )
    pairs = ", ".join(
        f"{json_rows.item('y', i, cast)} AS {name}"
        for i, (name, cast) in enumerate(
            [("rule_id", "bigint"), ("provenance", "text"), ("confirmed", "boolean")]
        )
    )
    join = (
        f"FROM w JOIN {day} d ON d.enrollment_id = w.enrollment_id "
        "AND d.day >= w.first_day AND d.day < w.end_day "
    )
    by_kind = ", ".join(
        f"COALESCE(SUM(n) FILTER (WHERE kind = '{kind}'), 0) AS {kind}" for kind in COUNTED_KINDS
    )
    # One scan of the summary, grouped once: by (window, provenance, confirmed, kind), and for
    # typed rows by their day too (the burst days); connectors' rows keep one group each.
    grouped = (
        "g AS (SELECT w.m, d.provenance, d.confirmed, d.kind, "
        f"CASE WHEN d.provenance IN ({typed}) THEN d.day END AS typed_day, SUM(d.count) AS n "
        + join
        + "GROUP BY w.m, d.provenance, d.confirmed, d.kind, typed_day), "
        f"b AS (SELECT m, provenance, confirmed, {by_kind} FROM g WHERE kind IN ({kinds}) "
        "GROUP BY m, provenance, confirmed), "
        "days AS (SELECT g.m, g.typed_day AS day, SUM(g.n) AS n FROM g JOIN w ON w.m = g.m "
        "WHERE g.typed_day IS NOT NULL GROUP BY g.m, g.typed_day, w.day_limit "
        "HAVING SUM(g.n) > w.day_limit), "
    )
    # The breakdown's order: the provenance choices' order, unconfirmed before confirmed.
    order = (
        "CASE b.provenance "
        + " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(Provenance.values))
        + f" ELSE {len(Provenance.values)} END"
    )
    counts = _object(*(f"'{kind}', {kind}" for kind in COUNTED_KINDS))
    row = _object(
        "'provenance', provenance",
        f"'confirmed', {_boolean('confirmed')}",
        f"'counted', {_boolean('counted')}",
        f"'counts', {counts}",
    )
    totals = [(f"n_{kind}", f"CASE WHEN counted THEN {kind} ELSE 0 END") for kind in COUNTED_KINDS]
    meets = " AND ".join(f"counted.n_{kind} >= t.min_{kind}" for kind in COUNTED_KINDS)
    totalled = ", ".join(f"COALESCE(agg.n_{kind}, 0) AS n_{kind}" for kind in COUNTED_KINDS)
    # The SQL holds only the models' tables, fixed names, type names and placeholders.
    return (
        f"WITH w AS (SELECT {windows} {json_rows.source('x')}), "
        f"c AS (SELECT {pairs} {json_rows.source('y')}), "
        + grouped
        + "agg AS ("
        + _arrays(
            "(SELECT b.*, c.rule_id IS NOT NULL AS counted, " + order + " AS ord FROM b "
            "JOIN w ON w.m = b.m LEFT JOIN c ON c.rule_id = w.rule_id "
            "AND c.provenance = b.provenance AND c.confirmed = b.confirmed) x",
            "m",
            "ord, confirmed",
            row,
            totals,
        )
        + "), bursts AS ("
        + _arrays("days", "m", "day", _object("'day', day", "'count', n"), [])
        + "), "
        f"counted AS (SELECT w.*, {totalled}, agg.list AS breakdown, bursts.list AS days "
        "FROM w LEFT JOIN agg ON agg.m = w.m LEFT JOIN bursts ON bursts.m = w.m), "
        # The tier paid: the largest amount of those met, the first in order on a tie.
        f"paid AS (SELECT counted.*, (SELECT t.id FROM {tier} t WHERE t.rule_id = counted.rule_id "
        f"AND NOT counted.empty AND {meets} ORDER BY t.amount DESC, t.sort_order, t.id LIMIT 1) "
        "AS tier_id FROM counted), "
        "best AS (SELECT paid.*, t.name AS tier_name, t.amount AS tier_amount FROM paid "
        f"LEFT JOIN {tier} t ON t.id = paid.tier_id) "
    )


def _payloads(windows: list[list], counting: list[list]) -> list[str]:
    return [json.dumps(windows), json.dumps(counting)]


# The statement's computed columns and what each is written from, in ``best``.
_WRITTEN = [
    ("mentorship_id", "m"),
    ("period_start", "first_day"),
    ("period_end", "end_day"),
    *((f"{kind}_count", f"n_{kind}") for kind in COUNTED_KINDS),
    ("tier_name", "COALESCE(tier_name, '')"),
    ("amount", "COALESCE(tier_amount, 0)"),
    ("currency", "currency"),
    ("status", "status"),
    ("computed_at", "%s"),
    ("provenance_counts", None),  # set in statements_upsert (vendor's JSON)
    ("burst_days", None),
    ("rule_version_id", "version"),
    ("needs_recompute", "false"),
]
# Columns without a database default that a new statement starts empty.
_NEW = [
    ("needs_review", "false"),
    ("recomputed_counts", "'{}'"),
    ("recomputed_tier_name", "''"),
    ("approval_note", "''"),
]


def statements_upsert(
    windows: list[list], counting: list[list], *, now: datetime
) -> list[tuple[int, int, str]]:
    """Compute and write the statements of ``windows`` (none of them frozen) in one
    statement: inserted, or refreshed where the statement is not approved or paid. [(mentorship
    id, statement id, status)] of those written."""
    if not windows:
        return []
    table = BonusStatement._meta.db_table
    sources = {
        "provenance_counts": _jsonb("COALESCE(breakdown, '[]')"),
        "burst_days": _jsonb("COALESCE(days, '[]')"),
    }
    written = [(column, source or sources[column]) for column, source in _WRITTEN]
    new = [(c, _jsonb(v) if c == "recomputed_counts" else v) for c, v in _NEW]
    columns = [column for column, _source in written + new]
    values = [source for _column, source in written + new]
    frozen = _quoted(BonusStatement.FROZEN_STATUSES)
    query = (
        _computation() + f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM best WHERE true "
        "ON CONFLICT (mentorship_id) DO UPDATE SET "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column, _source in written[1:])
        + f" WHERE {table}.status NOT IN ({frozen}) RETURNING mentorship_id, id, status"
    )
    params = [*_payloads(windows, counting), connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [(m, pk, status) for m, pk, status in cursor.fetchall()]


def reviews_write(windows: list[list], counting: list[list], *, now: datetime) -> None:
    """Recompute the approved or paid statements of ``windows`` and keep the result beside
    their figures, never over them: flagged for review only when the tier or the amount would
    change (counts that moved within the same tier change nothing anyone is paid). One
    statement."""
    if not windows:
        return
    table = BonusStatement._meta.db_table
    counts = _jsonb(_object(*(f"'{kind}', r.n_{kind}" for kind in COUNTED_KINDS)))
    empty = _jsonb("'{}'")
    query = (
        _computation() + f"UPDATE {table} SET needs_review = r.differs, "
        f"recomputed_counts = CASE WHEN r.differs THEN {counts} ELSE {empty} END, "
        "recomputed_tier_name = CASE WHEN r.differs THEN r.tier ELSE '' END, "
        "recomputed_amount = CASE WHEN r.differs THEN r.paid ELSE NULL END, "
        "computed_at = %s, needs_recompute = false "
        "FROM (SELECT best.*, s.id AS statement_id, COALESCE(best.tier_name, '') AS tier, "
        "COALESCE(best.tier_amount, 0) AS paid, "
        "(s.tier_name <> COALESCE(best.tier_name, '') "
        "OR s.amount <> COALESCE(best.tier_amount, 0)) AS differs "
        f"FROM best JOIN {table} s ON s.mentorship_id = best.m ) r "
        f"WHERE {table}.id = r.statement_id"
    )
    params = [*_payloads(windows, counting), connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(query, params)


def final_notices() -> str:
    """The notifications of statements that became final, as the SELECT
    ``people.services.notify_from_query`` inserts: one per statement, to its mentor, in the
    mentor's language. Its parameters: the texts ([language, title, body, the word for no
    tier]), the formatted amounts ([language, currency, amount, text]), the link, the
    statements ([id]) and the language of those who chose none."""
    statement = BonusStatement._meta.db_table
    mentorship = Mentorship._meta.db_table
    enrollment = Enrollment._meta.db_table
    user = get_user_model()._meta.db_table
    profile = UserProfile._meta.db_table
    text = ", ".join(
        f"{json_rows.item('t', i, 'text')} AS {name}"
        for i, name in enumerate(["language", "title", "body", "none_text"])
    )
    formatted = ", ".join(
        f"{json_rows.item('f', i, cast)} AS {name}"
        for i, (name, cast) in enumerate(
            [("language", "text"), ("currency", "text"), ("amount", "numeric"), ("text", "text")]
        )
    )
    # As display_name: the full name, or the username without one.
    name = "COALESCE(NULLIF(TRIM(tu.first_name || ' ' || tu.last_name), ''), tu.username)"
    # The amount first: a tier's name is never read for a placeholder.
    body = (
        "replace(replace(tx.body, '%%(amount)s', COALESCE(fm.text, s.amount || ' ' || "
        "s.currency)), '%%(tier)s', CASE WHEN s.tier_name = '' THEN tx.none_text "
        "ELSE s.tier_name END)"
    )
    return (
        f"WITH tx AS (SELECT {text} {json_rows.source('t')}), "
        f"fm AS (SELECT {formatted} {json_rows.source('f')}) "
        f"SELECT m.mentor_id AS recipient_id, replace(tx.title, '%%(name)s', {name}) AS title, "
        f"{body} AS body, %s AS url, 'bonus-final-' || s.id AS dedupe_key, "
        "mu.email <> '' AS send_email "
        f"{json_rows.source('x')} JOIN {statement} s ON s.id = "
        + json_rows.item("x", 0, "bigint")
        + f" JOIN {mentorship} m ON m.id = s.mentorship_id "
        f"JOIN {user} mu ON mu.id = m.mentor_id "
        f"JOIN {enrollment} e ON e.id = m.enrollment_id JOIN {user} tu ON tu.id = e.trainee_id "
        f"LEFT JOIN {profile} p ON p.user_id = m.mentor_id "
        "JOIN tx ON tx.language = CASE WHEN p.preferred_language IN "
        "(SELECT language FROM tx) THEN p.preferred_language ELSE %s END "
        "LEFT JOIN fm ON fm.language = tx.language AND fm.currency = s.currency "
        "AND fm.amount = s.amount ORDER BY s.id"
    )
