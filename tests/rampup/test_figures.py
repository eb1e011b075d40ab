from datetime import date
from decimal import Decimal

import pytest

from rampup import figures as ramp
from rampup.figures import Plan
from tests.rampup.helpers import add, local, make_enrollment, make_program

PLAN = Plan(
    full={"call": 100, "meeting": 10, "application": 5, "contract": 0},
    percentages=tuple(Decimal(p) for p in (20, 40, 60, 80, 90, 100)),
)


@pytest.mark.parametrize(
    ("hire", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 2, date(2026, 3, 31)),  # clamped from the hire day, not chained
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
    ],
)
def test_add_months_clamps_to_the_month_length(hire, months, expected):
    assert ramp.add_months(hire, months) == expected


@pytest.mark.parametrize(
    ("day", "index"),
    [
        (date(2026, 1, 31), 1),
        (date(2026, 2, 27), 1),
        (date(2026, 2, 28), 2),  # month 2 starts on the clamped 28 February
        (date(2026, 3, 30), 2),
        (date(2026, 3, 31), 3),
        (date(2026, 4, 29), 3),
        (date(2026, 4, 30), 4),
    ],
)
def test_month_index_of_a_31st_hire(day, index):
    assert ramp.month_index(date(2026, 1, 31), day) == index


def test_month_bounds_leap_year():
    assert ramp.month_bounds(date(2028, 1, 31), 2) == (date(2028, 2, 29), date(2028, 3, 31))


def test_targets_are_exact_decimals():
    plan = Plan(
        full={"call": 33, "meeting": 0, "application": 0, "contract": 0}, percentages=(Decimal(90),)
    )
    assert plan.target(1, "call") == Decimal("29.7")
    assert plan.target(7, "call") == Decimal(33)  # months after N use 100%


def test_fulfilment_caps_each_metric_and_ignores_zero_targets():
    target = {
        "call": Decimal(20),
        "meeting": Decimal(2),
        "application": Decimal(1),
        "contract": Decimal(0),
    }
    # calls over target (capped at 1), meetings half, applications none; contract ignored
    value = ramp.fulfilment(PLAN, {"call": 50, "meeting": 1, "application": 0}, target)
    assert value == Decimal("0.50")


def test_fulfilment_rounds_half_up():
    plan = Plan(
        full={"call": 8, "meeting": 0, "application": 0, "contract": 0}, percentages=(Decimal(100),)
    )
    # 7/8 = 0.875 -> 0.88 (half-up, not banker's 0.88 either way; 0.125 -> 0.13 below)
    assert ramp.fulfilment(plan, {"call": 7}, {m: plan.target(1, m) for m in ramp.METRICS}) == (
        Decimal("0.88")
    )
    assert ramp.fulfilment(plan, {"call": 1}, {m: plan.target(1, m) for m in ramp.METRICS}) == (
        Decimal("0.13")
    )


def test_a_zero_percent_month_counts_as_met():
    plan = Plan(full=PLAN.full, percentages=(Decimal(0), Decimal(50)))
    target = {m: plan.target(1, m) for m in ramp.METRICS}
    assert ramp.fulfilment(plan, {}, target) == Decimal("1.00")


def test_statuses():
    assert ramp.month_status(Decimal("1.00"), complete=True) == ramp.MET
    assert ramp.month_status(Decimal("0.80"), complete=True) == ramp.NEAR
    assert ramp.month_status(Decimal("0.79"), complete=True) == ramp.BEHIND
    assert ramp.month_status(Decimal("0.10"), complete=False) == ramp.IN_PROGRESS


def counts_for(*months):
    return dict(enumerate(months, start=1))


def test_build_ramp_lists_months_to_today_with_statuses():
    hire = date(2026, 1, 31)
    counts = counts_for(
        {"call": 20, "meeting": 2, "application": 1},  # month 1: met (targets 20/2/1)
        {"call": 40, "meeting": 4, "application": 1},  # month 2: (1 + 1 + 0.5)/3 = 0.83 near
        {"call": 10, "meeting": 1, "application": 0},  # month 3: behind
    )
    result = ramp.build_ramp(hire_date=hire, plan=PLAN, counts=counts, today=date(2026, 4, 30))
    assert [m.index for m in result.months] == [1, 2, 3, 4]
    assert [m.status for m in result.months] == ["met", "near", "behind", "in_progress"]
    assert result.months[1].fulfilment == Decimal("0.83")
    assert result.months[3].start == date(2026, 4, 30)
    assert result.months[2].end == date(2026, 4, 30)
    assert result.months[2].complete  # its end (30 April) is today


def test_ramped_month_needs_the_full_target_whatever_the_percentage():
    hire = date(2026, 1, 10)
    counts = counts_for(
        {"call": 100, "meeting": 10, "application": 4},  # full calls and meetings, not apps
        {"call": 100, "meeting": 10, "application": 5},  # ramped in month 2 (only 40% planned)
    )
    result = ramp.build_ramp(hire_date=hire, plan=PLAN, counts=counts, today=date(2026, 3, 10))
    assert result.ramped_month == 2
    unfinished = ramp.build_ramp(hire_date=hire, plan=PLAN, counts=counts, today=date(2026, 3, 9))
    assert unfinished.ramped_month is None  # month 2 is not complete yet


def test_behind_the_curve_needs_the_last_two_complete_months_behind():
    hire = date(2026, 1, 10)
    good = {"call": 60, "meeting": 6, "application": 3}  # every month's plan met, not ramped
    bad = {"call": 1}
    assert ramp.build_ramp(
        hire_date=hire, plan=PLAN, counts=counts_for(good, bad, bad), today=date(2026, 4, 10)
    ).behind_the_curve
    assert not ramp.build_ramp(
        hire_date=hire, plan=PLAN, counts=counts_for(bad, bad, good), today=date(2026, 4, 10)
    ).behind_the_curve
    # the current month does not count
    assert not ramp.build_ramp(
        hire_date=hire, plan=PLAN, counts=counts_for(good, bad, bad), today=date(2026, 4, 9)
    ).behind_the_curve


def test_dropped_enrollment_stops_at_the_drop_month():
    result = ramp.build_ramp(
        hire_date=date(2026, 1, 10),
        plan=PLAN,
        counts={},
        today=date(2026, 9, 1),
        until=date(2026, 3, 15),
    )
    assert [m.index for m in result.months] == [1, 2, 3]


@pytest.mark.django_db
def test_monthly_counts_use_local_midnight_not_utc():
    enrollment = make_enrollment(hire_date=date(2026, 1, 31))
    add(enrollment, "call", local(date(2026, 2, 27), 23, 59))  # month 1
    add(enrollment, "call", local(date(2026, 2, 28), 0, 0), n=2)  # month 2 (UTC: still the 27th)
    add(enrollment, "meeting", local(date(2026, 3, 30), 23, 59))  # month 2
    add(enrollment, "meeting", local(date(2026, 3, 31), 0, 0))  # month 3
    add(enrollment, "application", local(date(2026, 4, 30), 0, 0))  # month 4
    add(enrollment, "event", local(date(2026, 2, 28)))  # not a planned metric
    counts = ramp.monthly_counts([enrollment.pk])[enrollment.pk]
    assert counts[1] == {"call": 1, "meeting": 0, "application": 0, "contract": 0}
    assert counts[2] == {"call": 2, "meeting": 1, "application": 0, "contract": 0}
    assert counts[3] == {"call": 0, "meeting": 1, "application": 0, "contract": 0}
    assert counts[4] == {"call": 0, "meeting": 0, "application": 1, "contract": 0}


@pytest.mark.django_db
def test_monthly_counts_leap_year_hire_on_the_29th():
    enrollment = make_enrollment(hire_date=date(2028, 2, 29))
    add(enrollment, "call", local(date(2028, 3, 28)))  # month 1
    add(enrollment, "call", local(date(2028, 3, 29)))  # month 2
    add(enrollment, "call", local(date(2029, 2, 28)))  # month 13 starts 28 Feb 2029 (clamped)
    counts = ramp.monthly_counts([enrollment.pk])[enrollment.pk]
    assert counts[1]["call"] == 1
    assert counts[2]["call"] == 1
    assert counts[13]["call"] == 1


@pytest.mark.django_db
def test_plan_for_program_reads_the_ramp_plan_or_defaults():
    program = make_program(
        target_call=10,
        target_meeting=0,
        target_application=0,
        target_contract=0,
        percentages=[50, 100],
    )
    plan = Plan.for_program(program)
    assert plan.metrics == ("call",)
    assert plan.target(1, "call") == Decimal(5)
    default = Plan.for_program(make_program())
    assert default.percentages == tuple(Decimal(p) for p in (20, 40, 60, 80, 90, 100))


def test_months_over_plan_need_every_target_met():
    hire = date(2026, 1, 10)
    counts = counts_for(
        {"call": 30, "meeting": 3, "application": 2},  # every target met and exceeded
        {"call": 10, "meeting": 1, "application": 9},  # mean above 1, but calls and meetings short
    )
    result = ramp.build_ramp(hire_date=hire, plan=PLAN, counts=counts, today=date(2026, 3, 10))
    assert result.months[1].raw_fulfilment > 1
    assert result.months_over_plan == 1


def test_a_trainee_who_ramped_is_never_behind_the_curve():
    """Ramped in month 1 (every full target), then two weak months: the months say behind,
    the trainee is not "behind the curve" (the dashboard cannot show both)."""
    full = {"call": 100, "meeting": 10, "application": 5}
    bad = {"call": 1}
    result = ramp.build_ramp(
        hire_date=date(2026, 1, 10),
        plan=PLAN,
        counts=counts_for(full, bad, bad),
        today=date(2026, 4, 10),
    )
    assert result.ramped_month == 1
    assert [m.status for m in result.complete_months[1:]] == [ramp.BEHIND, ramp.BEHIND]
    assert not result.behind_the_curve


def test_the_chart_point_is_the_fulfilment_times_the_plan_percentage():
    """One definition: a month's point on the chart is on the plan curve exactly when the
    month is met. A month far over its call target with no applications was drawn above the
    plan while the table said behind."""
    counts = counts_for(
        {"call": 100, "meeting": 0, "application": 0},  # 5x the month-1 call target, no others
        {"call": 40, "meeting": 4, "application": 2},  # month 2 met exactly (40 %)
    )
    result = ramp.build_ramp(
        hire_date=date(2026, 1, 10), plan=PLAN, counts=counts, today=date(2026, 3, 10)
    )
    first, second = result.complete_months
    assert first.status == ramp.BEHIND
    assert first.achievement == first.fulfilment * PLAN.percentage(1) / 100
    assert first.achievement * 100 < PLAN.percentage(1)
    assert second.status == ramp.MET
    assert second.achievement * 100 == PLAN.percentage(2)
