"""The demo program's ramp-up plan."""

from __future__ import annotations

from decimal import Decimal

from courses import translations
from courses.models import ProgramPage
from rampup.models import RampPlan

from .people import DemoContext


def seed_ramp_plan(ctx: DemoContext) -> None:
    """The demo program's six-month plan: what a fully productive account manager does a month."""
    for program in translations.originals(ProgramPage.objects.all()):
        _plan, created = RampPlan.objects.get_or_create(
            program=program,
            defaults={
                "target_call": 400,
                "target_meeting": 20,
                "target_application": 12,
                "target_contract": 1,
                "percentages": [20, 40, 60, 80, 90, 100],
                "events_per_month_norm": Decimal("1"),
                "referrals_per_month_norm": Decimal("2"),
            },
        )
        if created:
            ctx.count("ramp plans")
