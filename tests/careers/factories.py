"""The demo method's ladder (two levels are enough for most tests), offices, and the records a
requirement reads: passed quizzes, activity, evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from careers.models import Ladder, Level, PayBand, Requirement
from people.models import Office, Profile
from quizzes.models import Attempt


def make_offices() -> dict[str, Office]:
    return {
        city: Office.objects.create(name=city, city=city)
        for city in ("Moscow", "St. Petersburg", "Ekaterinburg", "Nizhny Novgorod")
    }


BANDS = {  # level: {city: (from, up to)}, thousands of rubles a month
    1: {"Moscow": (25, 30), "Ekaterinburg": (15, 20), "Nizhny Novgorod": (12, 15),
        "St. Petersburg": (20, 23)},
    2: {"Moscow": (None, 40), "Ekaterinburg": (None, 25), "Nizhny Novgorod": (None, 20),
        "St. Petersburg": (None, 30)},
}  # fmt: skip


def make_ladder(offices: dict[str, Office], *, quiz=None, program=None) -> Ladder:
    """Level 1 (no experience) and level 2 (12 months; the quiz passed, 20 meetings in 90 days,
    a diploma on file, a manager's confirmation)."""
    ladder = Ladder.objects.create(name="Account manager", program=program, currency="RUB")
    one = Level.objects.create(ladder=ladder, number=1, title="Account manager")
    two = Level.objects.create(
        ladder=ladder, number=2, title="Account manager II", min_experience_months=12
    )
    for level in (one, two):
        for city, (low, high) in BANDS[level.number].items():
            PayBand.objects.create(
                level=level,
                office=offices[city],
                minimum=Decimal(low * 1000) if low else None,
                maximum=Decimal(high * 1000),
            )
    if quiz is not None:
        Requirement.objects.create(
            level=two, kind="quiz", title="1C certification passed", quiz=quiz, sort_order=0
        )
    Requirement.objects.create(
        level=two,
        kind="activity",
        title="20 meetings with decision-makers in 90 days",
        activity_kind="meeting",
        activity_count=20,
        period_days=90,
        advice="Book more meetings.",
        sort_order=1,
    )
    Requirement.objects.create(level=two, kind="document", title="Diploma on file", sort_order=2)
    Requirement.objects.create(
        level=two, kind="confirmation", title="Resolves conflicts", sort_order=3
    )
    return ladder


def place(user, office: Office, *, hire_date: date | None = None) -> Profile:
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"office": office, "hire_date": hire_date}
    )
    user.refresh_from_db()
    return profile


def pass_quiz(enrollment, quiz, *, at) -> Attempt:
    return Attempt.objects.create(
        enrollment=enrollment,
        quiz=quiz,
        number=1,
        status=Attempt.Status.GRADED,
        submitted_at=at,
        graded_at=at,
        percent=Decimal(90),
        passed=True,
    )
