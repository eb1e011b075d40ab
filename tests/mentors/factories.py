"""Programs, enrollments, rules, mentorships and activities for the mentors tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from wagtail.models import Page, Site

from courses.models import Enrollment, ProgramPage
from mentors.models import Activity, BonusRule, BonusTier, Mentorship, PayrollBatch
from people.models import HomePage
from people.roles import Role
from tests.conftest import make_user


def home_page() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title="Onboarding", slug="onboarding")
        root.add_child(instance=home)
        home.save_revision().publish()
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def make_program(title="Account manager onboarding") -> ProgramPage:
    home = home_page()
    program = ProgramPage(title=title, slug=title.lower().replace(" ", "-"))
    home.add_child(instance=program)
    program.save_revision().publish()
    program.refresh_from_db()
    return program


def make_enrollment(*, trainee=None, program=None, hire_date=date(2026, 1, 12), **kwargs):
    """An enrollment whose trainee passed the role-play certification on the hire date (client
    work counts from day one) unless ``cleared_for_client_work_on=None`` says otherwise."""
    trainee = trainee or make_user(Role.TRAINEE)
    program = program or ProgramPage.objects.first() or make_program()
    kwargs.setdefault("cleared_for_client_work_on", hire_date)
    return Enrollment.objects.create(
        trainee=trainee, program=program, hire_date=hire_date, **kwargs
    )


def make_rule(name="Standard", period_days=30, tiers=None, currency="RUB") -> BonusRule:
    """Default tiers: Base (no minimums, 5000) and Increased (300 calls, 10 applications)."""
    rule = BonusRule.objects.create(name=name, period_days=period_days, currency=currency)
    tiers = tiers or [
        {"name": "Base", "amount": Decimal("5000.00")},
        {
            "name": "Increased",
            "amount": Decimal("15000.00"),
            "min_call": 300,
            "min_application": 10,
        },
    ]
    for i, tier in enumerate(tiers):
        BonusTier.objects.create(rule=rule, sort_order=i, **tier)
    return rule


def make_mentorship(*, enrollment=None, mentor=None, rule=None, started_on=None, **kwargs):
    enrollment = enrollment or make_enrollment()
    mentor = mentor or make_user(Role.MENTOR)
    rule = rule or BonusRule.objects.first() or make_rule()
    return Mentorship.objects.create(
        enrollment=enrollment,
        mentor=mentor,
        bonus_rule=rule,
        started_on=started_on or enrollment.hire_date,
        **kwargs,
    )


def add_activities(enrollment, kind: str, n: int, at: datetime, **kwargs) -> list[Activity]:
    return Activity.objects.bulk_create(
        [Activity(enrollment=enrollment, kind=kind, occurred_at=at, **kwargs) for _ in range(n)]
    )


def make_payroll_batch(*, created_by=None, number=None, **kwargs) -> PayrollBatch:
    """An empty batch row, for tests that set a statement's state directly."""
    from django.db.models import Max
    from django.utils import timezone

    number = number or (PayrollBatch.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    return PayrollBatch.objects.create(
        number=number,
        created_at=timezone.now(),
        created_by=created_by or make_user(Role.HEAD_OF_SALES),
        file_format="csv",
        filename=f"payroll-batch-{number:04d}.csv",
        content=b"",
        statement_count=0,
        **kwargs,
    )
