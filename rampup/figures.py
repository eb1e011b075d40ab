"""The six-month ramp-up: month arithmetic, plan targets, fulfilment, statuses, and the
database aggregation they read (the seven effectiveness criteria are in rampup/criteria.py).

Exact semantics (docs/ramp-up.md):
- Month k of an enrollment hired on H runs from H + (k-1) months to H + k months, end excluded,
  at 00:00 local time; "H + m months" is calendar addition with the day clamped to the month.
- Target[k][m] = full[m] x pct[k] / 100; Fulfilment[k] = mean over metrics with full[m] > 0 of
  min(Actual / Target, 1), a zero target counting as 1, rounded half-up to 2 decimals.
- A complete month (end on or before today) is met at 1.00, near at >= 0.80, behind otherwise;
  the current month is in progress.

Counting runs in the database, grouped by enrollment and month index; Python only combines
a handful of numbers per enrollment.
"""

from __future__ import annotations

import statistics
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, DateField, ExpressionWrapper, F, IntegerField, Q, Sum, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from mentors.models import ActivityDay
from mentors.selectors import activity_days
from rampup.models import RampMonth, RampPlan

METRICS = ("call", "meeting", "application", "contract")
MET, NEAR, BEHIND, IN_PROGRESS = "met", "near", "behind", "in_progress"
TWO_PLACES = Decimal("0.01")
ONE = Decimal(1)


# --- month arithmetic -------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar addition with the day clamped to the target month's length."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def month_bounds(hire_date: date, index: int) -> tuple[date, date]:
    """(start, end) local dates of month ``index`` (1-based); the end is excluded."""
    return add_months(hire_date, index - 1), add_months(hire_date, index)


def month_index(hire_date: date, day: date) -> int:
    """The 1-based month of the enrollment that contains ``day``."""
    months = (day.year - hire_date.year) * 12 + day.month - hire_date.month
    if day < add_months(hire_date, months):
        months -= 1
    return months + 1


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    full: dict[str, int]
    percentages: tuple[Decimal, ...]
    events_per_month_norm: Decimal = Decimal("1")
    referrals_per_month_norm: Decimal = Decimal("2")

    @classmethod
    def from_model(cls, ramp_plan) -> Plan:
        return cls(
            full=ramp_plan.full_targets,
            percentages=tuple(Decimal(str(p)) for p in ramp_plan.percentages),
            events_per_month_norm=ramp_plan.events_per_month_norm,
            referrals_per_month_norm=ramp_plan.referrals_per_month_norm,
        )

    @classmethod
    def for_program(cls, program) -> Plan:
        """The program's plan, or the default plan while HR has not set one."""

        ramp_plan = getattr(program, "ramp_plan", None) if program is not None else None
        if ramp_plan is None:
            try:
                ramp_plan = RampPlan.objects.get(program=program)
            except RampPlan.DoesNotExist:
                ramp_plan = RampPlan(program=program)
        return cls.from_model(ramp_plan)

    @cached_property
    def metrics(self) -> tuple[str, ...]:
        """The metrics the plan counts: those with a full target above zero."""
        return tuple(m for m in METRICS if self.full.get(m, 0) > 0)

    @cached_property
    def _targets(self) -> dict[int, dict[str, Decimal]]:
        # Each month's targets, worked out once per plan: a page of the dashboard reads the
        # same months of one plan for every trainee on it.
        return {}

    def targets(self, index: int) -> dict[str, Decimal]:
        """Month ``index``'s target of every metric (a dict the caller must not change)."""
        found = self._targets.get(index)
        if found is None:
            found = self._targets[index] = {m: self.target(index, m) for m in METRICS}
        return found

    @property
    def months(self) -> int:
        return len(self.percentages)

    def percentage(self, index: int) -> Decimal:
        if 1 <= index <= len(self.percentages):
            return self.percentages[index - 1]
        return Decimal(100)

    def target(self, index: int, metric: str) -> Decimal:
        return Decimal(self.full.get(metric, 0)) * self.percentage(index) / 100


def fulfilment(plan: Plan, actual: dict[str, int], target: dict[str, Decimal]) -> Decimal:
    ratios = [
        ONE if target[m] == 0 else min(Decimal(actual.get(m, 0)) / target[m], ONE)
        for m in plan.metrics
    ]
    if not ratios:
        return ONE
    return (sum(ratios) / len(ratios)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def raw_fulfilment(plan: Plan, actual: dict[str, int], target: dict[str, Decimal]) -> Decimal:
    """Like fulfilment but not capped at 1: above 1 means the plan was over-fulfilled."""
    ratios = [
        ONE if target[m] == 0 else Decimal(actual.get(m, 0)) / target[m] for m in plan.metrics
    ]
    if not ratios:
        return ONE
    return (sum(ratios) / len(ratios)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def month_status(value: Decimal, *, complete: bool) -> str:
    if not complete:
        return IN_PROGRESS
    if value >= ONE:
        return MET
    if value >= Decimal("0.80"):
        return NEAR
    return BEHIND


@dataclass
class Month:
    index: int
    start: date
    end: date
    complete: bool
    actual: dict[str, int]
    target: dict[str, Decimal]
    fulfilment: Decimal
    raw_fulfilment: Decimal
    status: str
    # What the charts plot against the plan curve, as a share of the full monthly targets:
    # the fulfilment times the month's plan percentage. The one definition behind the chart,
    # the table, the drill-down, the digest and the API: a point is on the plan curve exactly
    # when the month is met, below it exactly when the table says near or behind.
    achievement: Decimal

    def as_api(self) -> dict:
        return {
            "index": self.index,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "complete": self.complete,
            "actual": {m: self.actual.get(m, 0) for m in METRICS},
            "target": {m: str(self.target[m].quantize(TWO_PLACES)) for m in METRICS},
            "fulfilment": str(self.fulfilment),
            "status": self.status,
        }


@dataclass
class Ramp:
    hire_date: date
    plan: Plan
    months: list[Month] = field(default_factory=list)

    @property
    def complete_months(self) -> list[Month]:
        return [m for m in self.months if m.complete]

    @property
    def last_complete(self) -> Month | None:
        complete = self.complete_months
        return complete[-1] if complete else None

    @property
    def current(self) -> Month | None:
        return self.months[-1] if self.months and not self.months[-1].complete else None

    @property
    def ramped_month(self) -> int | None:
        """The first complete month with 100% of every full target, whatever its percentage."""
        for month in self.complete_months:
            if all(month.actual.get(m, 0) >= self.plan.full[m] for m in self.plan.metrics):
                return month.index
        return None

    @property
    def behind_the_curve(self) -> bool:
        """The last two complete months behind the plan, before the trainee ramped up: once
        every full target has been met, the ramp-up curve is behind them (a later weak month
        shows in the months' statuses, not as "behind the curve")."""
        complete = self.complete_months
        return (
            self.ramped_month is None
            and len(complete) >= 2
            and all(m.status == BEHIND for m in complete[-2:])
        )

    @property
    def over_plan_months(self) -> list[int]:
        """The complete months with every planned target met and the plan exceeded overall
        (uncapped mean of actual / target above 1)."""
        return [m.index for m in self.complete_months if m.status == MET and m.raw_fulfilment > ONE]

    @property
    def months_over_plan(self) -> int:
        return len(self.over_plan_months)

    def cumulative(self) -> dict[str, int]:
        totals = dict.fromkeys(METRICS, 0)
        for month in self.months:
            for m in METRICS:
                totals[m] += month.actual.get(m, 0)
        return totals


def build_ramp(
    *,
    hire_date: date,
    plan: Plan,
    counts: dict[int, dict[str, int]],
    today: date,
    until: date | None = None,
) -> Ramp:
    """The month-by-month ramp from month 1 to the current month (or the drop date's month)."""
    ramp = Ramp(hire_date=hire_date, plan=plan)
    last_day = min(today, until) if until else today
    if last_day < hire_date:
        return ramp
    for index in range(1, month_index(hire_date, last_day) + 1):
        start, end = month_bounds(hire_date, index)
        actual = {m: counts.get(index, {}).get(m, 0) for m in METRICS}
        target = plan.targets(index)
        complete = end <= today
        value = fulfilment(plan, actual, target)
        ramp.months.append(
            Month(
                index=index,
                start=start,
                end=end,
                complete=complete,
                actual=actual,
                target=target,
                fulfilment=value,
                raw_fulfilment=raw_fulfilment(plan, actual, target),
                status=month_status(value, complete=complete),
                achievement=value * plan.percentage(index) / 100,
            )
        )
    return ramp


# --- database aggregation ---------------------------------------------------------------


def _month_index_expression():
    """SQL for the 1-based ramp month of a summary row, from its local day and the hire date."""
    year, month, day = ExtractYear("day"), ExtractMonth("day"), ExtractDay("day")
    hire = "enrollment__hire_date"
    months = (year - ExtractYear(hire)) * 12 + month - ExtractMonth(hire)
    next_day = ExpressionWrapper(F("day") + timedelta(days=1), output_field=DateField())
    # Before this month's anniversary: the day is below the hire day and not the last day of a
    # short month (where the anniversary is clamped to that last day).
    before_anniversary = Case(
        When(Q(local_day__lt=ExtractDay(hire)) & Q(next_month=F("local_month")), then=1),
        default=0,
        output_field=IntegerField(),
    )
    return months, month, day, next_day, before_anniversary


def monthly_count_rows_from_days(enrollment_ids, *, using: str = "default"):
    """Rows of ``enrollment_id``, ``month_index`` and one count per planned metric, grouped
    from the per-day summary in the database (every enrollment when ``enrollment_ids`` is
    None): how rampup/month_summary.py rebuilds the month rows that monthly_count_rows reads."""
    months, month, day, next_day, before = _month_index_expression()
    days = (
        ActivityDay.objects.using(using).filter(kind__in=METRICS)
        if enrollment_ids is None
        else activity_days(enrollment_ids=enrollment_ids, kinds=METRICS).using(using)
    )
    return (
        days.annotate(local_month=month, local_day=day, next_month=ExtractMonth(next_day))
        .annotate(month_index=months - before + 1)
        .values("enrollment_id", "month_index")
        .annotate(**{m: Sum("count", filter=Q(kind=m), default=0) for m in METRICS})
        .values_list("enrollment_id", "month_index", *METRICS)
        .order_by()
    )


def monthly_count_rows(enrollment_ids):
    """Rows of ``enrollment_id``, ``month_index`` and one count per planned metric, from the
    per-ramp-month summary (``RampMonth``, rampup/month_summary.py); ``enrollment_ids`` may be
    a list or a subquery of ids (the dashboard reads these rows inside its own query:
    rampup/table.py)."""
    return (
        RampMonth.objects.filter(enrollment_id__in=enrollment_ids)
        .values("enrollment_id", "month_index", *METRICS)
        .order_by()
    )


def monthly_counts(enrollment_ids) -> dict[int, dict[int, dict[str, int]]]:
    """{enrollment id: {month index: {metric: count}}} for the four planned metrics.

    Read from the per-ramp-month summary: about 12 rows per trainee a year, kept current by
    triggers on the per-day summary (rampup/month_summary.py, mentors/activity_summary.py)."""
    rows = monthly_count_rows(enrollment_ids)
    result: dict[int, dict[int, dict[str, int]]] = defaultdict(dict)
    for row in rows:
        result[row["enrollment_id"]][row["month_index"]] = {m: row[m] for m in METRICS}
    return result


def ramp_for(enrollment, *, today: date, plan: Plan | None = None, counts=None) -> Ramp:
    plan = plan or Plan.for_program(enrollment.program)
    if counts is None:
        counts = monthly_counts([enrollment.pk]).get(enrollment.pk, {})
    until = enrollment.dropped_on if enrollment.status == "dropped" else None
    return build_ramp(
        hire_date=enrollment.hire_date, plan=plan, counts=counts, today=today, until=until
    )


# --- calendar ----------------------------------------------------------------------------


def working_days(start: date, end: date) -> list[date]:
    """Monday to Friday from start to end, both included."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def median_or_none(values):
    return statistics.median(values) if values else None
