"""Reads behind the director's ramp-up dashboard and the trainee drill-down.

Everything is fetched in a fixed number of queries whatever the number of trainees: the
enrollments with their stage progress and mentor, one grouped count of activities by
enrollment and month (rampup.figures.monthly_counts), one grouped read of quiz results.

These are the Python figures, the definition of a row and of every figure: the monthly digest
and the tests read them whole (``dashboard``). The page does not: it asks the database for the
figures and for one sorted page of the table (rampup/table.py) and builds only that page's
rows here (``build_rows``). What it rendered is kept in Django's cache (``RenderedSummary``,
``RenderedRows``, below): per user, filters and local date, for
``RAMP_DASHBOARD_CACHE_SECONDS``, under a generation number that the writes the dashboard
shows (enrollments, sign-offs, mentorships, ramp-up plans) bump. See docs/ramp-up.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from courses import selectors as course_selectors
from courses.models import Enrollment, StageProgress
from courses.selectors import current_stage_titles, enrollments_visible_to
from mentors import selectors as mentor_selectors
from people.names import display_name
from quizzes import selectors as quiz_selectors
from rampup import criteria as effectiveness
from rampup import figures as ramp

logger = logging.getLogger(__name__)

CERT_PASSED, CERT_FAILED, CERT_PENDING = "passed", "failed", "pending"
CERT_LABELS = {
    CERT_PASSED: _("Passed"),
    CERT_FAILED: _("Failed"),
    CERT_PENDING: _("Not yet"),
}


@dataclass
class Row:
    enrollment: Enrollment
    current_stage: str
    quiz_average: Decimal | None
    certification: str
    mentor: object | None
    # What the ramp is built from, when first read: the lists above the table show rows
    # that never need it.
    plan: ramp.Plan
    counts: dict
    today: date

    @cached_property
    def ramp(self) -> ramp.Ramp:
        return ramp.ramp_for(self.enrollment, today=self.today, plan=self.plan, counts=self.counts)

    @property
    def trainee_name(self) -> str:
        return display_name(self.enrollment.trainee)

    @property
    def cohort(self) -> str:
        return self.enrollment.hire_date.strftime("%Y-%m")

    @property
    def months_since_hire(self) -> int:
        """len(self.ramp.months), without building the ramp: the month of the last day shown
        (the drop date for a dropped trainee)."""
        enrollment = self.enrollment
        until = enrollment.dropped_on if enrollment.status == Enrollment.Status.DROPPED else None
        last = min(self.today, until) if until else self.today
        return 0 if last < enrollment.hire_date else ramp.month_index(enrollment.hire_date, last)

    # Cached: the page reads these several times a row, and Ramp computes them on each read.
    @cached_property
    def last_complete(self) -> ramp.Month | None:
        return self.ramp.last_complete

    @cached_property
    def ramped_month(self) -> int | None:
        return self.ramp.ramped_month

    @cached_property
    def behind(self) -> bool:
        return self.enrollment.status != Enrollment.Status.DROPPED and self.ramp.behind_the_curve

    @property
    def mentor_name(self) -> str:
        return display_name(self.mentor) if self.mentor is not None else ""

    def sort_key(self, column: str):
        return self.sort_keys.get(column, self.enrollment.hire_date)

    @cached_property
    def sort_keys(self) -> dict:
        last = self.last_complete
        return {
            "trainee": self.trainee_name.lower(),
            "program": self.enrollment.program.title,
            "hire_date": self.enrollment.hire_date,
            "months": self.months_since_hire,
            "stage": self.current_stage,
            "quiz": self.quiz_average if self.quiz_average is not None else Decimal(-1),
            "certification": self.certification,
            "fulfilment": last.fulfilment if last else Decimal(-1),
            "ramped": self.ramped_month or 999,
            "mentor": self.mentor_name.lower(),
            "status": self.enrollment.status,
        }


SORT_COLUMNS = [
    "trainee",
    "program",
    "hire_date",
    "months",
    "stage",
    "quiz",
    "certification",
    "fulfilment",
    "ramped",
    "mentor",
    "status",
]


DEFAULT_SORT = "hire_date"


def clean_sort(value: str | None) -> str:
    """The sort asked for in the query string (a column, "-" first for descending), or the
    default when it names no column."""
    if value and value.lstrip("-") in SORT_COLUMNS:
        return value
    return DEFAULT_SORT


@dataclass
class Cohort:
    label: str  # the hire month as "2026-07", as the ?cohort= filter writes it
    size: int
    # month index -> average achievement (share of full targets) and fulfilment, complete only
    achievement: dict[int, Decimal] = field(default_factory=dict)
    fulfilment: dict[int, Decimal] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The hire month as people read it: «July 2026», «Июль 2026»."""
        return hire_month_title(self.label)


def hire_month_title(key: str) -> str:
    """ "2026-07" as «July 2026» in the reader's language; the key itself if it is not one."""
    try:
        year, month = (int(part) for part in key.split("-"))
        return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")
    except ValueError:
        return key


@dataclass
class Dashboard:
    rows: list[Row]
    today: date
    overdue_grading: int
    plan: ramp.Plan | None

    @cached_property
    def active(self) -> list[Row]:
        return [r for r in self.rows if r.enrollment.status == Enrollment.Status.ACTIVE]

    @cached_property
    def ramped(self) -> list[Row]:
        return [r for r in self.rows if r.ramped_month is not None]

    @property
    def median_time_to_ramp(self) -> Decimal | None:
        value = ramp.median_or_none([r.ramped_month for r in self.ramped])
        return None if value is None else Decimal(str(value))

    @cached_property
    def behind(self) -> list[Row]:
        return [r for r in self.rows if r.behind]

    @property
    def behind_share(self) -> Decimal | None:
        active = [r for r in self.rows if r.enrollment.status != Enrollment.Status.DROPPED]
        if not active:
            return None
        share = Decimal(100 * sum(1 for r in active if r.behind)) / len(active)
        return share.quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def dropped_recently(self) -> list[Row]:
        since = self.today - timedelta(days=183)
        return [
            r
            for r in self.rows
            if r.enrollment.status == Enrollment.Status.DROPPED
            and r.enrollment.dropped_on
            and r.enrollment.dropped_on >= since
        ]

    def cohorts(self) -> list[Cohort]:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            groups[row.cohort].append(row)
        result = []
        for label in sorted(groups):
            rows = groups[label]
            cohort = Cohort(label=label, size=len(rows))
            by_month_a: dict[int, list[Decimal]] = defaultdict(list)
            by_month_f: dict[int, list[Decimal]] = defaultdict(list)
            for row in rows:
                for month in row.ramp.complete_months:
                    by_month_a[month.index].append(month.achievement)
                    by_month_f[month.index].append(month.fulfilment)
            cohort.achievement = {k: sum(v) / len(v) for k, v in by_month_a.items()}
            cohort.fulfilment = {
                k: (sum(v) / len(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                for k, v in by_month_f.items()
            }
            result.append(cohort)
        return result

    def funnel(self) -> list[dict]:
        totals = dict.fromkeys(ramp.METRICS, 0)
        for row in self.rows:
            for metric, n in row.ramp.cumulative().items():
                totals[metric] += n
        steps = []
        previous = None
        for metric in ramp.METRICS:
            n = totals[metric]
            ratio = None
            if previous is not None and totals[previous]:
                ratio = (Decimal(100 * n) / totals[previous]).quantize(Decimal("0.1"))
            steps.append({"metric": metric, "count": n, "ratio": ratio})
            previous = metric
        return steps

    @property
    def applications_per_contract(self) -> Decimal | None:
        totals = {s["metric"]: s["count"] for s in self.funnel()}
        if not totals["contract"]:
            return None
        return (Decimal(totals["application"]) / totals["contract"]).quantize(Decimal("0.1"))


def _quiz_summary(enrollment_ids) -> dict[int, Decimal]:
    """Average over quizzes of each quiz's best graded percentage, per enrollment."""
    rows = quiz_selectors.best_graded_percents(enrollment_ids)
    best: dict[int, list[Decimal]] = defaultdict(list)
    for row in rows:
        if row["best"] is not None:
            best[row["enrollment_id"]].append(row["best"])
    return {
        pk: (sum(v) / len(v)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for pk, v in best.items()
    }


def _certification(enrollment) -> str:
    if enrollment.cleared_for_client_work_on:
        return CERT_PASSED
    if enrollment.certification_failed:
        return CERT_FAILED
    return CERT_PENDING


def current_stage_title(progress: list[StageProgress]) -> str:
    """The first stage not completed (for a dropped trainee: the stage they dropped at)."""
    ordered = sorted(progress, key=lambda p: p.stage.path)
    for prog in ordered:
        if prog.status != StageProgress.Status.COMPLETED:
            return prog.stage.title
    return str(_("All stages completed")) if ordered else ""


def with_dashboard_relations(qs):
    # The few programs are fetched once and shared, not joined into every row: each is a
    # Wagtail page, costly to build a thousand times.
    qs = qs.select_related("trainee").prefetch_related(
        "program__ramp_plan", mentor_selectors.active_mentorships_prefetch()
    )
    return qs.order_by("hire_date", "pk")


def build_rows(enrollments: list[Enrollment], *, today: date) -> list[Row]:
    ids = [e.pk for e in enrollments]
    counts = ramp.monthly_counts(ids) if ids else {}
    quiz = _quiz_summary(ids) if ids else {}
    stages = current_stage_titles(ids) if ids else {}
    plans: dict[int, ramp.Plan] = {}
    rows = []
    for enrollment in enrollments:
        plan = plans.get(enrollment.program_id)
        if plan is None:
            plan = plans[enrollment.program_id] = ramp.Plan.for_program(enrollment.program)
        mentorships = getattr(enrollment, "active_mentorships", [])
        rows.append(
            Row(
                enrollment=enrollment,
                current_stage=stages.get(enrollment.pk, ""),
                quiz_average=quiz.get(enrollment.pk),
                certification=_certification(enrollment),
                mentor=mentorships[0].mentor if mentorships else None,
                plan=plan,
                counts=counts.get(enrollment.pk, {}),
                today=today,
            )
        )
    return rows


def rows_by_id(ids, *, today: date) -> dict[int, Row]:
    """The rows of these enrollments (a page of the table, the lists above it), by id, in a
    fixed number of queries."""
    if not ids:
        return {}
    enrollments = list(with_dashboard_relations(Enrollment.objects.filter(pk__in=list(ids))))
    return {row.enrollment.pk: row for row in build_rows(enrollments, today=today)}


def dashboard(
    user,
    *,
    today: date,
    enrollments=None,
    sort: str = "hire_date",
    descending: bool = False,
) -> Dashboard:
    """The dashboard of ``enrollments``, a subset of those ``user`` may see (all of them by
    default; the page passes its DashboardFilter's, rampup/filters.py)."""
    if enrollments is None:
        enrollments = enrollments_visible_to(user)
    enrollments = list(with_dashboard_relations(enrollments))
    rows = build_rows(enrollments, today=today)
    if sort in SORT_COLUMNS:
        rows.sort(key=lambda r: r.sort_key(sort), reverse=descending)
    # The plan curve drawn on the cohort chart: the (first) program's plan.
    plan = rows[0].ramp.plan if rows else None
    return Dashboard(
        rows=rows,
        today=today,
        overdue_grading=quiz_selectors.overdue_grading_count(
            today=today, enrollment_ids=[e.pk for e in enrollments]
        ),
        plan=plan,
    )


# The cached page --------------------------------------------------------------------------

FILTER_PARAMS = ("program", "mentor", "cohort", "status", "office")
PAGE_SIZE = 50
# The "behind the curve" and "dropped" lists above the table name this many trainees at most
# (their counts are every trainee's; the table, sorted by last month, shows the others).
LIST_LIMIT = 20
GENERATION_KEY = "lms:ramp-dashboard:generation"


@dataclass
class RenderedSummary:
    """The figures above the table, rendered once per user, filters and day and kept in the
    cache: a few kilobytes whatever the number of trainees (the table's rows are not in it).

    Rendered without the request (no CSRF token, no per-request data), so the page can be
    served again to the same user for the same filters."""

    computed_at: datetime
    filters_html: str
    summary_html: str
    total: int
    show_program: bool


@dataclass
class RenderedRows:
    """One page of the table in one sort, rendered and kept beside its summary."""

    computed_at: datetime
    rows_html: str


def _fresh_generation() -> int:
    # From the clock rather than 1: a counter lost from the cache (evicted, a restarted
    # cache server) must not come back to a number whose pages may still be cached.
    return time.time_ns() // 1_000_000


def cache_generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def _increment_generation() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet, or it was evicted
            if not cache.add(GENERATION_KEY, _fresh_generation(), timeout=None):
                cache.incr(GENERATION_KEY)
    except Exception:
        # A cache server that is down must not fail the sign-off or the drop that called
        # this; the dashboard is then stale for at most RAMP_DASHBOARD_CACHE_SECONDS.
        logger.warning("ramp-up dashboard: cache generation not bumped", exc_info=True)


def dashboard_cache_bump() -> None:
    """Make every cached dashboard page stale (the next request recomputes).

    Bumped at once and again when the transaction commits: a page computed by another request
    between the write and its commit read the old rows, and must not be kept.
    """
    _increment_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_increment_generation)


def dashboard_cache_key(*, user, params, today: date) -> str:
    """The cache key of one user's dashboard for the filters in ``params`` (the query string,
    as typed: no query is needed to build the key) on ``today``."""
    filters = {name: params.get(name, "") for name in FILTER_PARAMS}
    digest = hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:32]
    return ":".join(
        [
            "lms:ramp-dashboard",
            str(cache_generation()),
            str(user.pk),
            today.isoformat(),
            translation.get_language() or "",
            digest,
        ]
    )


def dashboard_rows_cache_key(summary_key: str, *, sort: str, page: int) -> str:
    """The cache key of one page of the table in one sort, under its summary's key (and so
    its generation, user, day, language and filters)."""
    return f"{summary_key}:rows:{sort}:{page}"


@dataclass
class StageStep:
    title: str
    status: str
    planned_days: int
    available_at: object
    completed_at: object
    working_days: int | None

    @property
    def status_label(self) -> str:
        return StageProgress.Status(self.status).label

    @property
    def over_plan(self) -> bool:
        return self.working_days is not None and self.working_days > self.planned_days

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


def stage_timeline(enrollment: Enrollment, *, today: date) -> list[StageStep]:
    """Each stage with when it opened and completed, against its planned working days."""

    steps = []
    for prog in course_selectors.stage_progress_of(enrollment):
        taken = None
        if prog.available_at:
            start = timezone.localdate(prog.available_at)
            end = timezone.localdate(prog.completed_at) if prog.completed_at else today
            taken = max(len(ramp.working_days(start, end)), 1 if prog.completed_at else 0)
        steps.append(
            StageStep(
                title=prog.stage.title,
                status=prog.status,
                planned_days=prog.stage.duration_days,
                available_at=prog.available_at,
                completed_at=prog.completed_at,
                working_days=taken,
            )
        )
    return steps


@dataclass
class DrillDown:
    enrollment: Enrollment
    ramp: ramp.Ramp
    criteria: list[effectiveness.Criterion]
    stages: list[StageStep]
    attempts: list
    mentor: object | None
    today: date
    # Reviewed calls by month since hire: {month index: (reviewed, average scorecard %)}.
    call_scores: dict[int, tuple[int, int]] = field(default_factory=dict)

    def figures(self) -> dict:
        """The ramp figures as they stand, kept with a readiness sign-off."""
        return {
            "as_of": self.today.isoformat(),
            "months": [m.as_api() for m in self.ramp.months],
            "ramped_month": self.ramp.ramped_month,
            "behind_the_curve": self.ramp.behind_the_curve,
            "criteria": [c.as_api() for c in self.criteria],
        }


def drilldown(enrollment: Enrollment, *, today: date) -> DrillDown:
    result = ramp.ramp_for(enrollment, today=today)
    crit = effectiveness.for_enrollment(enrollment, ramp=result, today=today)
    attempts = list(quiz_selectors.attempts_of(enrollment))
    return DrillDown(
        enrollment=enrollment,
        ramp=result,
        criteria=crit,
        stages=stage_timeline(enrollment, today=today),
        attempts=attempts,
        mentor=mentor_selectors.active_mentor_of(enrollment),
        today=today,
        call_scores=call_scores_by_ramp_month(enrollment),
    )


def call_scores_by_ramp_month(enrollment: Enrollment) -> dict[int, tuple[int, int]]:
    """The enrollment's reviewed calls and their average scorecard per month since hire,
    beside the activity counts of the drill-down (docs/coaching.md)."""
    buckets: dict[int, list[int]] = defaultdict(list)
    for _pk, day, percent in mentor_selectors.call_review_rows([enrollment.pk]):
        if day >= enrollment.hire_date:
            buckets[ramp.month_index(enrollment.hire_date, day)].append(percent)
    return {index: (len(p), round(sum(p) / len(p))) for index, p in buckets.items()}
