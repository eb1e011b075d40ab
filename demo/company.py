"""The whole demo company, built in dependency order: people, then the program and enrollments,
then mentorships and activity, then the ramp plan, then quizzes and attempts."""

from __future__ import annotations

import random
from datetime import date

from django.db import transaction

from people.roles import Role

from . import courses, mentors, quizzes, rampup
from . import people as people_demo
from .people import DEMO_PASSWORD, STAFF, TRAINEES, DemoContext

SEEDERS = [
    people_demo.seed,
    courses.seed,
    mentors.seed,
    rampup.seed_ramp_plan,
    quizzes.seed,
]


def run(*, today: date, seed_value: int = 2026) -> DemoContext:
    ctx = DemoContext(today=today, rng=random.Random(seed_value))  # noqa: S311 - repeatable demo
    with transaction.atomic():
        for seeder in SEEDERS:
            seeder(ctx)
    return ctx


def credentials() -> list[tuple[str, str, str]]:
    rows = [(username, role, DEMO_PASSWORD) for username, role, *_ in STAFF]
    rows += [(f"trainee{i}", Role.TRAINEE, DEMO_PASSWORD) for i in range(1, len(TRAINEES) + 1)]
    return rows
