"""The whole demo company, built in dependency order: people, then the program and enrollments,
then mentorships and activity, then the ramp plan, then quizzes and attempts, then the
career ladder.

One company, in English or in Russian (``demo/content/``): the same people, logins, program,
quizzes, activity and states, with the words of the language. A database holds one of them.
The language is stored nowhere: it shows in the people's names. Asking for the other language
on a database that holds one is refused rather than mixing the two; asking for none keeps the
one that is there.
"""

from __future__ import annotations

import random
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from people.roles import Role

from . import careers, coaching, courses, mentors, quizzes, rampup
from . import people as people_demo
from .content.languages import BY_LANGUAGE, UnknownLanguage, language_of
from .people import DEMO_PASSWORD, STAFF, TRAINEE_COUNT, DemoContext

__all__ = ["DEMO_PASSWORD", "LanguageConflict", "UnknownLanguage", "credentials", "run"]

SEEDERS = [
    people_demo.seed,
    courses.seed,
    mentors.seed,
    rampup.seed_ramp_plan,
    quizzes.seed,
    coaching.seed,
    careers.seed,
    courses.seed_translations,
]


class LanguageConflict(Exception):
    """The database already holds the demo company in another language."""

    def __init__(self, *, present: str, wanted: str):
        super().__init__(
            f"The database already holds the demo company in {present!r}; the {wanted!r} one "
            "needs an empty database: with the embedded default remove var/ (rm -rf var), or "
            "point DATABASE_URL at another database, then seed again."
        )
        self.present = present
        self.wanted = wanted


def present_language() -> str | None:
    """The language of the demo company in the database, known by its director's name; None
    when there is no demo company (or its director was renamed)."""
    director = (
        get_user_model()
        .objects.filter(username="director")
        .values_list("first_name", "last_name")
        .first()
    )
    for code, content in BY_LANGUAGE.items():
        person = content.people.staff["director"]
        if director == (person.first_name, person.last_name):
            return code
    return None


def run(*, today: date, seed_value: int = 2026, language: str | None = None) -> DemoContext:
    """Build what is missing of the demo company in ``language``; without one, in the language
    of the demo company already in the database, else in LANGUAGE_CODE's.

    Raises UnknownLanguage for a language without demo content, and LanguageConflict when
    ``language`` is not the one of the demo company in the database.
    """
    present = present_language()
    if language is None:
        code = present or language_of(settings.LANGUAGE_CODE)
    else:
        code = language_of(language)
        if present is not None and present != code:
            raise LanguageConflict(present=present, wanted=code)
    ctx = DemoContext(today=today, rng=random.Random(seed_value), language=code)  # noqa: S311 - repeatable demo
    # What the services write in the active language (event reasons, say) is written in the
    # demo's; messages to a person follow that person's language (people/languages.py).
    with translation.override(code), transaction.atomic():
        for seeder in SEEDERS:
            seeder(ctx)
    return ctx


def credentials() -> list[tuple[str, str, str]]:
    rows = [(username, role, DEMO_PASSWORD) for username, role in STAFF]
    rows += [(f"trainee{i}", Role.TRAINEE, DEMO_PASSWORD) for i in range(1, TRAINEE_COUNT + 1)]
    return rows
