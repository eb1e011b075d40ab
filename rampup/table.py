"""The ramp-up dashboard computed in the database (docs/ramp-up.md, docs/performance.md).

The page never builds every trainee's ramp in Python. The enrollments of the filter (and of
the director's office, rampup.views) stay a subquery; one SQL statement, built here from the
lower floors' querysets, derives for each of them the months since hire, the complete months,
each complete month's fulfilment against the program's plan (from the per-day summary's
grouped counts, rampup.figures.monthly_count_rows), the month they ramped in, whether they are
behind the curve, and from those the figures of the summary: counts, the hire cohorts' averages
by month, the funnel. Sorting and paging are the same statement's ORDER BY and LIMIT; only the
page's rows (and the first few of the "behind" and "dropped" lists) are then built in Python,
by rampup.dashboard.build_rows, the one definition of a row the tests compare against.

The arithmetic repeats rampup/figures.py in SQL: target = full x pct / 100; a metric's ratio
min(actual / target, 1), a zero target counting as 1; the month's fulfilment the mean over the
metrics whose full target is above zero, rounded to two places; behind below 0.80; ramped in
the first complete month with every full target met. tests/rampup/test_dashboard_table.py
checks it against the Python figures on the same data.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
    When,
    functions,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from courses import selectors as course_selectors
from courses.models import Enrollment
from mentors import selectors as mentor_selectors
from people.replica import reports_connection
from quizzes import selectors as quiz_selectors
from rampup import figures as ramp
from rampup.models import RampPlan

DROPPED_RECENTLY_DAYS = 183
TWO = Decimal("0.01")

# The statement's common table expressions, in dependency order; each query names the last
# one it reads and gets those before it (a CTE nobody reads is not computed).
#   e   the enrollments of the filter, with their dates as numbers (from the ORM: portable)
#   en  ... with the number of complete months
#   c   the monthly counts (rampup.figures.monthly_count_rows: the per-ramp-month summary)
#   pl  each program's full targets; pp each program's percentage per month (VALUES)
#   ks  the month numbers 1..the most months shown of anyone
#   pk  each program's full targets and percentage for each of those months (a few rows:
#       joined to the enrollments by equality, not to the VALUES by a computed month)
#   cm  one row per enrollment and month shown, with its counts
#   mf  the same rows with each complete month's fulfilment and targets met (the funnel sums
#       the counts of all of them; the figures read the complete months)
#   ag  per enrollment: the last complete month's fulfilment, the ramped month, behind
#   facts  the enrollments with all of the above
CTE_ORDER = ("e", "en", "c", "pl", "pp", "ks", "pk", "cm", "mf", "ag", "facts")

METRIC_COLUMNS = ", ".join(f'"{m}"' for m in ramp.METRICS)


class _WholeNumber:
    """On PostgreSQL a date part as ``date_part(...)::integer``: its ``EXTRACT`` gives a
    numeric, several times slower to compute, compare and join over 10,000 enrollments (40 ms
    of the statement against 10); elsewhere Django's own SQL."""

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.lhs)
        return f"date_part('{self.lookup_name}', {sql})::integer", params


class ExtractYear(_WholeNumber, functions.ExtractYear):
    pass


class ExtractMonth(_WholeNumber, functions.ExtractMonth):
    pass


class ExtractDay(_WholeNumber, functions.ExtractDay):
    pass


def _month_index_of_constant(day: date):
    """SQL for the 1-based ramp month containing ``day`` (a constant), by hire date."""
    months = Value(day.year * 12 + day.month) - (
        ExtractYear("hire_date") * 12 + ExtractMonth("hire_date")
    )
    last_of_month = (day + timedelta(days=1)).month != day.month
    if last_of_month:  # the anniversary of a later day is clamped to this last day
        return months + 1
    before = Case(When(hire_date__day__gt=day.day, then=1), default=0, output_field=IntegerField())
    return months - before + 1


def _month_index_of_drop():
    """SQL for the 1-based ramp month containing the drop date."""
    months = (ExtractYear("dropped_on") - ExtractYear("hire_date")) * 12 + (
        ExtractMonth("dropped_on") - ExtractMonth("hire_date")
    )
    next_day = ExpressionWrapper(F("dropped_on") + timedelta(days=1), output_field=DateField())
    before = Case(
        When(
            Q(drop_day__lt=ExtractDay("hire_date")) & Q(drop_next_month=F("drop_month")),
            then=1,
        ),
        default=0,
        output_field=IntegerField(),
    )
    return months - before + 1, next_day


def enrollment_facts_queryset(enrollments, *, today: date, names: bool = True):
    """The enrollments (any queryset of them) as plain rows with what the statement needs:
    program, hire date and month, status, the number of months shown (to the drop date's month
    for a dropped trainee) and the current month's index; with ``names``, the trainee's and the
    program's (for sorting by them: two joins the figures do not need)."""
    drop_index, drop_next_day = _month_index_of_drop()
    dropped_before_today = Q(status=Enrollment.Status.DROPPED, dropped_on__lt=today)
    months_shown = Case(
        When(dropped_before_today & Q(dropped_on__lt=F("hire_date")), then=Value(0)),
        When(dropped_before_today, then=drop_index),
        When(hire_date__gt=today, then=Value(0)),
        default=_month_index_of_constant(today),
        output_field=IntegerField(),
    )
    since = today - timedelta(days=DROPPED_RECENTLY_DAYS)
    named = (
        {
            "f_trainee_first": F("trainee__first_name"),
            "f_trainee_last": F("trainee__last_name"),
            "f_trainee_username": F("trainee__username"),
            "f_program_title": F("program__title"),
        }
        if names
        else {}
    )

    def whole(expression):  # PostgreSQL's EXTRACT gives numerics, slower to compare and join
        return Cast(expression, IntegerField())

    return (
        Enrollment.objects.filter(pk__in=enrollments.values("pk"))
        .annotate(
            drop_day=ExtractDay("dropped_on"),
            drop_month=ExtractMonth("dropped_on"),
            drop_next_month=ExtractMonth(drop_next_day),
        )
        .annotate(
            f_id=F("pk"),
            f_program=F("program_id"),
            f_hire=F("hire_date"),
            f_year=whole(ExtractYear("hire_date")),
            f_month=whole(ExtractMonth("hire_date")),
            f_status=F("status"),
            f_months=whole(months_shown),
            f_today_index=whole(_month_index_of_constant(today)),
            f_dropped_recently=Case(
                When(status=Enrollment.Status.DROPPED, dropped_on__gte=since, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            f_certification=Case(
                When(cleared_for_client_work_on__isnull=False, then=Value("passed")),
                When(certification_failed=True, then=Value("failed")),
                default=Value("pending"),
            ),
            **named,
        )
        .values(
            "f_id",
            "f_program",
            "f_hire",
            "f_year",
            "f_month",
            "f_status",
            "f_months",
            "f_today_index",
            "f_dropped_recently",
            "f_certification",
            *named,
        )
        .order_by()
    )


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _display_name_sql(first: str, last: str, username: str) -> str:
    """people.names.display_name in SQL, lower-cased for sorting."""
    return f"LOWER(COALESCE(NULLIF(TRIM({first} || ' ' || {last}), ''), {username}))"


def _text_order(expression: str) -> str:
    """Text compared by code point, as Python compares strings (PostgreSQL would otherwise
    use the database's collation; SQLite's default already compares bytes)."""
    if reports_connection().vendor == "postgresql":
        return f'{expression} COLLATE "C"'
    return expression


def _materialized() -> str:
    """PostgreSQL inlines a CTE read once and, misled by the estimates of the recursive month
    numbers and the VALUES, then probes the month summary's index once per enrollment-month
    (63,000 probes at 10,000 trainees); computed once, it is hash-joined instead."""
    return "MATERIALIZED " if reports_connection().vendor == "postgresql" else ""


@dataclass
class Plans:
    """The plans of the programs in the filter, by program id."""

    by_program: dict[int, ramp.Plan]

    @classmethod
    def load(cls, program_ids) -> Plans:
        ids = sorted(set(program_ids))
        found = {
            p.program_id: ramp.Plan.from_model(p)
            for p in RampPlan.objects.filter(program_id__in=ids)
        }
        default = ramp.Plan.from_model(RampPlan())
        return cls({pk: found.get(pk, default) for pk in ids})

    def values_sql(self) -> tuple[str, list, str, list]:
        """VALUES of ``pl`` (program, months in the plan, full targets, metrics counted) and
        of ``pp`` (program, month, percentage; the month after the plan's last holds 100)."""
        pl_rows, pl_params, pp_rows, pp_params = [], [], [], []
        for program_id, plan in self.by_program.items() or [(0, ramp.Plan.from_model(RampPlan()))]:
            pl_rows.append("(%s, %s, %s, %s, %s, %s, %s)")
            pl_params += [program_id, plan.months]
            pl_params += [int(plan.full.get(m, 0)) for m in ramp.METRICS]
            pl_params.append(len(plan.metrics))
            for k in range(1, plan.months + 2):
                pp_rows.append("(%s, %s, CAST(%s AS NUMERIC))")
                pp_params += [program_id, k, str(plan.percentage(k))]
        return ", ".join(pl_rows), pl_params, ", ".join(pp_rows), pp_params


def _ratio(metric: str) -> str:
    m = f'"{metric}"'
    actual = f"cm.{m}"
    return (
        f"CASE WHEN cm.f_{metric} = 0 THEN 0 WHEN cm.pct = 0 THEN 1 "
        f"WHEN {actual} * 100 >= cm.f_{metric} * cm.pct THEN 1 "
        f"ELSE {actual} * 100.0 / (cm.f_{metric} * cm.pct) END"
    )


def _met(metric: str) -> str:
    return f'(cm.f_{metric} = 0 OR cm."{metric}" >= cm.f_{metric})'


def _ctes(
    enrollments, *, today: date, plans: Plans | None, names: bool = False
) -> dict[str, tuple[str, list]]:
    """The common table expressions; without ``plans`` only ``e`` and ``en`` (what sorting by
    a column of the enrollment needs); with ``names``, the trainee's and the program's names
    (sorting by them: their joins are left out of every other statement)."""
    e_sql, e_params = _sql(enrollment_facts_queryset(enrollments, today=today, names=names))
    ctes = {
        "e": (f"e AS ({e_sql})", e_params),
        "en": (
            "en AS (SELECT e.*, CASE WHEN e.f_months <= 0 THEN 0 "
            "WHEN e.f_months < e.f_today_index THEN e.f_months ELSE e.f_months - 1 END "
            "AS f_complete FROM e)",
            [],
        ),
    }
    if plans is None:
        return ctes
    c_sql, c_params = _sql(ramp.monthly_count_rows(enrollments.values("pk")))
    pl_values, pl_params, pp_values, pp_params = plans.values_sql()
    ratios = " + ".join(_ratio(m) for m in ramp.METRICS)
    met = " AND ".join(_met(m) for m in ramp.METRICS)
    pl_columns = ", ".join(f"f_{m}" for m in ramp.METRICS)
    pk_columns = ", ".join(f"pk.f_{m}" for m in ramp.METRICS)
    return ctes | {
        "c": (f"c AS {_materialized()}({c_sql})", c_params),
        "pl": (f"pl(program_id, plen, {pl_columns}, n_metrics) AS (VALUES {pl_values})", pl_params),
        "pp": (f"pp(program_id, k, pct) AS (VALUES {pp_values})", pp_params),
        "ks": (
            "ks(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM ks "
            "WHERE k < (SELECT COALESCE(MAX(f_months), 0) FROM en))",
            [],
        ),
        "pk": (
            f"pk AS (SELECT pl.program_id, {pl_columns}, pl.n_metrics, ks.k, pp.pct "
            "FROM pl JOIN ks ON 1 = 1 JOIN pp ON pp.program_id = pl.program_id "
            "AND pp.k = CASE WHEN ks.k > pl.plen THEN pl.plen + 1 ELSE ks.k END)",
            [],
        ),
        "cm": (
            "cm AS (SELECT en.f_id AS id, en.f_year AS cy, en.f_month AS cm, "
            f"en.f_complete AS n_complete, pk.k, pk.pct, {pk_columns}, pk.n_metrics, "
            + ", ".join(f'COALESCE(c."{m}", 0) AS "{m}"' for m in ramp.METRICS)
            + " FROM en JOIN pk ON pk.program_id = en.f_program AND pk.k <= en.f_months "
            "LEFT JOIN c ON c.enrollment_id = en.f_id AND c.month_index = pk.k)",
            [],
        ),
        "mf": (
            "mf AS (SELECT cm.id, cm.cy, cm.cm, cm.n_complete, cm.k, cm.pct, "
            "CASE WHEN cm.k > cm.n_complete THEN NULL WHEN cm.n_metrics = 0 THEN 1 "
            f"ELSE ROUND(({ratios}) * 1.0 / cm.n_metrics + 0.000000001, 2) END AS f, "
            f"CASE WHEN cm.k <= cm.n_complete AND {met} THEN 1 ELSE 0 END AS met, "
            + ", ".join(f'cm."{m}"' for m in ramp.METRICS)
            + " FROM cm)",
            [],
        ),
        "ag": (
            "ag AS (SELECT mf.id, MAX(CASE WHEN mf.k = mf.n_complete THEN mf.f END) AS last_f, "
            "MIN(CASE WHEN mf.met = 1 THEN mf.k END) AS ramped, "
            "SUM(CASE WHEN mf.k >= mf.n_complete - 1 AND mf.f < 0.80 THEN 1 ELSE 0 END) "
            "AS behind_two FROM mf WHERE mf.k <= mf.n_complete GROUP BY mf.id)",
            [],
        ),
        "facts": (
            "facts AS (SELECT en.*, ag.last_f, ag.ramped, "
            "CASE WHEN en.f_status <> 'dropped' AND ag.ramped IS NULL AND en.f_complete >= 2 "
            "AND ag.behind_two = 2 THEN 1 ELSE 0 END AS behind "
            "FROM en LEFT JOIN ag ON ag.id = en.f_id)",
            [],
        ),
    }


def _with(ctes: dict, upto: str) -> tuple[str, list]:
    names = CTE_ORDER[: CTE_ORDER.index(upto) + 1]
    parts, params = [], []
    for name in names:
        sql, p = ctes[name]
        parts.append(sql)
        params += p
    return "WITH RECURSIVE " + ", ".join(parts), params


def _fetch(sql: str, params: list) -> list[tuple]:
    with reports_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- sorting ---------------------------------------------------------------------------------


def _sort_join(column: str, ids) -> tuple[str, list, str]:
    """(a LEFT JOIN giving ``s.v`` for ``column``, its params, the ORDER BY expression) for the
    columns read from other tables; those read from ``facts`` need no join."""
    if column == "quiz":
        sql, params = _sql(quiz_selectors.best_graded_percents(ids))
        join = (
            "LEFT JOIN (SELECT qb.enrollment_id AS id, ROUND(AVG(qb.best) + 0.000000001, 1) AS v "
            f"FROM ({sql}) qb GROUP BY qb.enrollment_id) s ON s.id = facts.f_id"
        )
        return join, params, "COALESCE(s.v, -1)"
    if column == "stage":
        sql, params = _sql(course_selectors.stage_progress_rows(ids))
        join = (
            "LEFT JOIN (SELECT sp.enrollment_id AS id, CASE WHEN sp.status <> 'completed' "
            "THEN sp.shown_title ELSE %s END AS v FROM (SELECT sp0.*, ROW_NUMBER() OVER "
            "(PARTITION BY sp0.enrollment_id ORDER BY CASE WHEN sp0.status <> 'completed' "
            f"THEN 0 ELSE 1 END, sp0.stage_path) AS rn FROM ({sql}) sp0) sp WHERE sp.rn = 1) s "
            "ON s.id = facts.f_id"
        )
        return join, [str(_("All stages completed")), *params], _text_order("COALESCE(s.v, '')")
    if column == "mentor":
        sql, params = _sql(mentor_selectors.active_mentor_names(ids))
        name = _display_name_sql("mn.mentor_first", "mn.mentor_last", "mn.mentor_username")
        join = (
            f"LEFT JOIN (SELECT mn.enrollment_id AS id, {name} AS v FROM ({sql}) mn) s "
            "ON s.id = facts.f_id"
        )
        return join, params, _text_order("COALESCE(s.v, '')")
    name = _display_name_sql(
        "facts.f_trainee_first", "facts.f_trainee_last", "facts.f_trainee_username"
    )
    keys = {
        "trainee": _text_order(name),
        "program": _text_order("facts.f_program_title"),
        "hire_date": "facts.f_hire",
        "months": "facts.f_months",
        "certification": _text_order("facts.f_certification"),
        "fulfilment": "COALESCE(facts.last_f, -1)",
        "ramped": "COALESCE(facts.ramped, 999)",
        "status": _text_order("facts.f_status"),
    }
    return "", [], keys.get(column, "facts.f_hire")


# --- the statement's results -----------------------------------------------------------------


@dataclass
class CohortFigures:
    label: str
    size: int
    achievement: dict[int, Decimal] = field(default_factory=dict)
    fulfilment: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class Summary:
    """The figures above the table, for every trainee of the filter."""

    total: int = 0
    active: int = 0
    not_dropped: int = 0
    ramped: int = 0
    behind: int = 0
    dropped_recently: int = 0
    most_complete_months: int = 0
    first_program_id: int | None = None
    ramped_months: dict[int, int] = field(default_factory=dict)  # month -> how many ramped then
    cohorts: list[CohortFigures] = field(default_factory=list)
    funnel_totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ramp.METRICS, 0))
    behind_ids: list[int] = field(default_factory=list)
    dropped_ids: list[int] = field(default_factory=list)
    # The first page of the table in hire order (the default sort), read with the figures so
    # that the page computed afresh needs no statement of its own for it.
    first_page_ids: list[int] = field(default_factory=list)

    @property
    def median_time_to_ramp(self) -> Decimal | None:
        values = [month for month, n in sorted(self.ramped_months.items()) for _ in range(n)]
        if not values:
            return None
        return Decimal(str(statistics.median(values)))

    @property
    def behind_share(self) -> Decimal | None:
        if not self.not_dropped:
            return None
        share = Decimal(100 * self.behind) / self.not_dropped
        return share.quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    def funnel(self) -> list[dict]:
        steps, previous = [], None
        for metric in ramp.METRICS:
            n = self.funnel_totals[metric]
            ratio = None
            if previous is not None and self.funnel_totals[previous]:
                ratio = (Decimal(100 * n) / self.funnel_totals[previous]).quantize(Decimal("0.1"))
            steps.append({"metric": metric, "count": n, "ratio": ratio})
            previous = metric
        return steps

    @property
    def applications_per_contract(self) -> Decimal | None:
        if not self.funnel_totals["contract"]:
            return None
        return (
            Decimal(self.funnel_totals["application"]) / self.funnel_totals["contract"]
        ).quantize(Decimal("0.1"))


class DashboardQuery:
    """The dashboard of ``enrollments`` (a queryset: the visible, filtered ones) on ``today``."""

    def __init__(self, enrollments, *, today: date):
        self.enrollments = enrollments
        self.today = today
        self._plans: Plans | None = None

    @property
    def plans(self) -> Plans:
        if self._plans is None:
            program_ids = self.enrollments.order_by().values_list("program_id", flat=True)
            self._plans = Plans.load(program_ids.distinct())
        return self._plans

    def _ctes(self, *, with_plans: bool = True, names: bool = False):
        plans = self.plans if with_plans else None
        return _ctes(self.enrollments, today=self.today, plans=plans, names=names)

    def summary(self, *, list_limit: int, page_size: int = 0) -> Summary:
        """Every figure above the table, in one statement (its parts tagged by ``kind``)."""
        if self.enrollments.query.is_empty():
            return Summary()
        ctes = self._ctes()
        head, params = _with(ctes, "facts")
        nulls = ", NULL" * 5
        branches = [
            # kind 1: the counts (a..f) and the first-hired enrollment's program (g)
            "SELECT 1 AS kind, COUNT(*) AS a, "
            "COALESCE(SUM(CASE WHEN f_status = 'active' THEN 1 ELSE 0 END), 0) AS b, "
            "COALESCE(SUM(CASE WHEN f_status <> 'dropped' THEN 1 ELSE 0 END), 0) AS c, "
            "COALESCE(SUM(CASE WHEN ramped IS NOT NULL THEN 1 ELSE 0 END), 0) AS d, "
            "COALESCE(SUM(behind), 0) AS e, COALESCE(SUM(f_dropped_recently), 0) AS f, "
            "(SELECT f2.f_program FROM facts f2 ORDER BY f2.f_hire, f2.f_id LIMIT 1) AS g, "
            "COALESCE(MAX(f_complete), 0) AS h FROM facts",
            # kind 2: how many ramped in each month
            f"SELECT 2, ramped, COUNT(*){nulls}, NULL FROM facts WHERE ramped IS NOT NULL "
            "GROUP BY ramped",
            # kind 3: the cohorts' sizes; kind 4: their averages by complete month
            f"SELECT 3, f_year, f_month, COUNT(*){nulls} FROM facts GROUP BY f_year, f_month",
            "SELECT 4, cy, cm, k, COUNT(*), AVG(f), AVG(f * pct / 100), NULL, NULL FROM mf "
            "WHERE k <= n_complete "
            "GROUP BY cy, cm, k",
            # kind 5: the funnel: every count in the months shown (``mf`` holds them all, its
            # figures only for the complete ones: ``cm`` is read once, never materialised)
            "SELECT 5, "
            + ", ".join(f'COALESCE(SUM(mf."{m}"), 0)' for m in ramp.METRICS)
            + ", NULL, NULL, NULL, NULL FROM mf",
            # kinds 6 and 7: the first trainees of the "behind" and "dropped" lists
            f"SELECT 6, b6.f_id{nulls}, NULL, NULL FROM (SELECT f_id FROM facts "
            "WHERE behind = 1 ORDER BY f_hire, f_id LIMIT %s) b6",
            f"SELECT 7, b7.f_id{nulls}, NULL, NULL FROM (SELECT f_id FROM facts "
            "WHERE f_dropped_recently = 1 ORDER BY f_hire, f_id LIMIT %s) b7",
            # kind 8: the first page in hire order, in that order (ordered_ids("hire_date"))
            "SELECT 8, b8.n, b8.f_id, NULL, NULL, NULL, NULL, NULL, NULL FROM (SELECT "
            "ROW_NUMBER() OVER (ORDER BY f_hire, f_id) AS n, f_id FROM facts "
            "ORDER BY f_hire, f_id LIMIT %s) b8",
        ]
        sql = head + " " + " UNION ALL ".join(branches)
        rows = _fetch(sql, [*params, list_limit, list_limit, page_size])
        return self._summary_of(rows)

    def _summary_of(self, rows) -> Summary:
        summary = Summary()
        sizes: dict[str, int] = {}
        months: dict[str, list] = {}
        first_page: list[tuple[int, int]] = []
        for kind, *v in rows:
            if kind == 1:
                summary.total, summary.active, summary.not_dropped = int(v[0]), int(v[1]), int(v[2])
                summary.ramped, summary.behind = int(v[3]), int(v[4])
                summary.dropped_recently = int(v[5])
                summary.first_program_id = v[6]
                summary.most_complete_months = int(v[7] or 0)
            elif kind == 2:
                summary.ramped_months[int(v[0])] = int(v[1])
            elif kind == 3:
                sizes[f"{int(v[0]):04d}-{int(v[1]):02d}"] = int(v[2])
            elif kind == 4:
                months.setdefault(f"{int(v[0]):04d}-{int(v[1]):02d}", []).append(v[2:6])
            elif kind == 5:
                summary.funnel_totals = {m: int(n) for m, n in zip(ramp.METRICS, v, strict=False)}
            elif kind == 6:
                summary.behind_ids.append(int(v[0]))
            elif kind == 7:
                summary.dropped_ids.append(int(v[0]))
            elif kind == 8:
                first_page.append((int(v[0]), int(v[1])))
        summary.first_page_ids = [pk for _n, pk in sorted(first_page)]
        for label in sorted(sizes):
            cohort = CohortFigures(label=label, size=sizes[label])
            for k, _n, fulfilment, achievement in months.get(label, []):
                cohort.achievement[int(k)] = _dec(achievement)
                cohort.fulfilment[int(k)] = _dec(fulfilment).quantize(TWO, rounding=ROUND_HALF_UP)
            summary.cohorts.append(cohort)
        return summary

    def ordered_ids(self, sort: str, *, limit: int | None = None, offset: int = 0) -> list[int]:
        """The enrollments' ids in the order of ``sort`` (a column, "-" first for descending);
        ties in hire order, as rampup.dashboard sorts its rows."""
        if self.enrollments.query.is_empty():
            return []
        column = sort.lstrip("-")
        upto = "facts" if column in ("fulfilment", "ramped") else "en"
        ctes = self._ctes(with_plans=upto == "facts", names=column in ("trainee", "program"))
        head, params = _with(ctes, upto)
        source = "facts" if upto == "facts" else "en AS facts"
        join, join_params, key = _sort_join(column, self.enrollments.order_by().values("pk"))
        direction = " DESC" if sort.startswith("-") else ""
        sql = (
            f"{head} SELECT facts.f_id FROM {source} {join} "
            f"ORDER BY {key}{direction}, facts.f_hire, facts.f_id"
        )
        params = [*params, *join_params]
        if limit is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [limit, offset]
        return [row[0] for row in _fetch(sql, params)]
