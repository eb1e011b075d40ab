"""Reads behind the director's ramp-up dashboard and the trainee drill-down.

Everything is fetched in a fixed number of queries whatever the number of trainees: the
enrollments with their stage progress and mentor, one grouped count of activities by
enrollment and month (mentors.ramp.monthly_counts), one grouped read of quiz results.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Prefetch
from django.utils.translation import gettext_lazy as _

from courses.models import Enrollment, StageProgress
from courses.selectors import current_stage_titles, enrollments_visible_to
from mentors import ramp
from mentors.models import Mentorship
from quizzes.models import Attempt

CERT_PASSED, CERT_FAILED, CERT_PENDING = "passed", "failed", "pending"
CERT_LABELS = {
    CERT_PASSED: _("Passed"),
    CERT_FAILED: _("Failed"),
    CERT_PENDING: _("Not yet"),
}


@dataclass
class Row:
    enrollment: Enrollment
    ramp: ramp.Ramp
    current_stage: str
    quiz_average: Decimal | None
    certification: str
    mentor: object | None

    @property
    def trainee_name(self) -> str:
        user = self.enrollment.trainee
        return user.get_full_name() or user.username

    @property
    def cohort(self) -> str:
        return self.enrollment.hire_date.strftime("%Y-%m")

    @property
    def months_since_hire(self) -> int:
        return len(self.ramp.months)

    @property
    def last_complete(self) -> ramp.Month | None:
        return self.ramp.last_complete

    @property
    def ramped_month(self) -> int | None:
        return self.ramp.ramped_month

    @property
    def behind(self) -> bool:
        return self.enrollment.status != Enrollment.Status.DROPPED and self.ramp.behind_the_curve

    @property
    def mentor_name(self) -> str:
        if self.mentor is None:
            return ""
        return self.mentor.get_full_name() or self.mentor.username

    def sort_key(self, column: str):
        last = self.last_complete
        keys = {
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
        return keys.get(column, self.enrollment.hire_date)


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


@dataclass
class Cohort:
    label: str
    size: int
    # month index -> average achievement (share of full targets) and fulfilment, complete only
    achievement: dict[int, Decimal] = field(default_factory=dict)
    fulfilment: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class Dashboard:
    rows: list[Row]
    today: date
    overdue_grading: int
    plan: ramp.Plan | None

    @property
    def active(self) -> list[Row]:
        return [r for r in self.rows if r.enrollment.status == Enrollment.Status.ACTIVE]

    @property
    def ramped(self) -> list[Row]:
        return [r for r in self.rows if r.ramped_month is not None]

    @property
    def median_time_to_ramp(self) -> Decimal | None:
        value = ramp.median_or_none([r.ramped_month for r in self.ramped])
        return None if value is None else Decimal(str(value))

    @property
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
    rows = (
        Attempt.objects.filter(enrollment_id__in=enrollment_ids, status=Attempt.Status.GRADED)
        .values("enrollment_id", "quiz_id")
        .annotate(best=Max("percent"))
        .order_by()
    )
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


def enrollments_for_dashboard(user, *, filters: dict):
    return with_dashboard_relations(enrollments_visible_to(user), filters=filters)


def with_dashboard_relations(qs, *, filters: dict | None = None):
    filters = filters or {}
    # The few programs are fetched once and shared, not joined into every row: each is a
    # Wagtail page, costly to build a thousand times.
    qs = qs.select_related("trainee").prefetch_related(
        "program__ramp_plan",
        Prefetch(
            "mentorships",
            queryset=Mentorship.objects.active().select_related("mentor"),
            to_attr="active_mentorships",
        ),
    )
    if filters.get("program"):
        qs = qs.filter(program_id=filters["program"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("mentor"):
        qs = qs.filter(mentorships__mentor_id=filters["mentor"], mentorships__ended_on__isnull=True)
    if filters.get("cohort"):
        year, month = filters["cohort"]
        qs = qs.filter(hire_date__year=year, hire_date__month=month)
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
                ramp=ramp.ramp_for(
                    enrollment, today=today, plan=plan, counts=counts.get(enrollment.pk, {})
                ),
                current_stage=stages.get(enrollment.pk, ""),
                quiz_average=quiz.get(enrollment.pk),
                certification=_certification(enrollment),
                mentor=mentorships[0].mentor if mentorships else None,
            )
        )
    return rows


def overdue_grading_count(*, today: date, enrollment_ids=None) -> int:
    qs = Attempt.objects.awaiting_grading().filter(grading_overdue_on__lte=today)
    if enrollment_ids is not None:
        qs = qs.filter(enrollment_id__in=enrollment_ids)
    return qs.count()


def dashboard(
    user, *, filters: dict, today: date, sort: str = "hire_date", descending: bool = False
) -> Dashboard:
    enrollments = list(enrollments_for_dashboard(user, filters=filters))
    rows = build_rows(enrollments, today=today)
    if sort in SORT_COLUMNS:
        rows.sort(key=lambda r: r.sort_key(sort), reverse=descending)
    # The plan curve drawn on the cohort chart: the (first) program's plan.
    plan = rows[0].ramp.plan if rows else None
    return Dashboard(
        rows=rows,
        today=today,
        overdue_grading=overdue_grading_count(
            today=today, enrollment_ids=[e.pk for e in enrollments]
        ),
        plan=plan,
    )


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


def stage_timeline(enrollment: Enrollment, *, today: date) -> list[StageStep]:
    """Each stage with when it opened and completed, against its planned working days."""
    from django.utils import timezone

    steps = []
    progress = (
        StageProgress.objects.filter(enrollment=enrollment)
        .select_related("stage")
        .order_by("stage__path")
    )
    for prog in progress:
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
    criteria: list[ramp.Criterion]
    stages: list[StageStep]
    attempts: list
    mentor: object | None
    today: date

    def figures(self) -> dict:
        """The ramp figures as they stand, kept with a readiness sign-off."""
        return {
            "as_of": self.today.isoformat(),
            "months": [m.as_api() for m in self.ramp.months],
            "ramped_month": self.ramp.ramped_month,
            "behind_the_curve": self.ramp.behind_the_curve,
            "criteria": [
                {
                    "number": c.number,
                    "name": str(c.name),
                    "value": None if c.value is None else str(c.value),
                    "norm": c.norm,
                    "light": c.light,
                }
                for c in self.criteria
            ],
        }


def drilldown(enrollment: Enrollment, *, today: date) -> DrillDown:
    result = ramp.ramp_for(enrollment, today=today)
    until = enrollment.dropped_on if enrollment.status == Enrollment.Status.DROPPED else None
    crit = ramp.criteria(
        ramp=result, daily=ramp.daily_counts(enrollment.pk), today=today, until=until
    )
    mentorship = (
        Mentorship.objects.active().filter(enrollment=enrollment).select_related("mentor").first()
    )
    attempts = list(
        Attempt.objects.filter(enrollment=enrollment)
        .select_related("quiz")
        .order_by("quiz__title", "number")
    )
    return DrillDown(
        enrollment=enrollment,
        ramp=result,
        criteria=crit,
        stages=stage_timeline(enrollment, today=today),
        attempts=attempts,
        mentor=mentorship.mentor if mentorship else None,
        today=today,
    )
