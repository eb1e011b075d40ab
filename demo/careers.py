"""The demo company's career ladder: four offices, the method's four levels with their
requirements and pay bands, and people at every level (docs/career.md).

- sales_head: level 4 (Moscow), every step decided by the director: nobody decides their own.
- mentor1: level 3 (Moscow), one requirement short of level 4 (a diploma on file, the senior
  clients not yet confirmed): "close".
- mentor2: level 2 (St. Petersburg), every requirement of level 3 met: "ready".
- manager1 (Ekaterinburg) and manager2 (Nizhny Novgorod): level 1, level 2's certification and
  calls not yet there.
- The trainees in onboarding are not on the ladder yet: they enter level 1 at their readiness
  sign-off (careers/receivers.py).

Idempotent: an existing ladder and existing level changes are left as they are.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from careers import services
from careers.models import Ladder, Level, LevelChange, PayBand, Requirement
from people.models import Office, Profile
from quizzes.models import Quiz

from .people import DemoContext
from .quizzes import CERTIFICATION_SLUG

# Thousands of rubles a month, per office in the content's order (Moscow, St. Petersburg,
# Ekaterinburg, Nizhny Novgorod): (from, up to); None: "up to".
BANDS = {
    1: ((25, 30), (20, 23), (15, 20), (12, 15)),
    2: ((None, 40), (None, 30), (None, 25), (None, 20)),
    3: ((None, 60), (None, 47), (None, 38), (None, 28)),
    4: ((None, 120), (None, 95), (None, 75), (None, 55)),
}
EXPERIENCE_MONTHS = {1: 0, 2: 12, 3: 24, 4: 36}
# Level: requirement keys of the content, with their kind and figures.
REQUIREMENTS = {
    2: (
        ("certification", Requirement.Kind.QUIZ, {}),
        ("calls", Requirement.Kind.ACTIVITY, {"activity_kind": "call", "activity_count": 300,
                                              "period_days": 90}),
        ("works_in_1c", Requirement.Kind.CONFIRMATION, {}),
        ("resolves_conflicts", Requirement.Kind.CONFIRMATION, {}),
    ),
    3: (
        ("new_clients", Requirement.Kind.CONFIRMATION, {}),
        ("negotiates", Requirement.Kind.CONFIRMATION, {}),
    ),
    4: (
        ("diploma", Requirement.Kind.DOCUMENT, {}),
        ("senior_clients", Requirement.Kind.CONFIRMATION, {}),
    ),
}  # fmt: skip
# username: (office index, months since hire, level reached, monthly pay, who decides)
LADDER_PEOPLE = {
    "sales_head": (0, 50, 4, 110_000, "director"),
    "mentor1": (0, 38, 3, 55_000, "sales_head"),
    "mentor2": (1, 30, 2, 28_000, "sales_head"),
    "manager1": (2, 14, 1, 18_000, "sales_head"),
    "manager2": (3, 8, 1, 13_000, "sales_head"),
}
STAFF_OFFICES = {"director": 0, "hr": 0}


def seed(ctx: DemoContext) -> None:
    offices = seed_offices(ctx)
    seed_profiles(ctx, offices)
    ladder = seed_ladder(ctx, offices)
    if ladder is not None:
        seed_people_on_ladder(ctx, ladder)


def seed_offices(ctx: DemoContext) -> list[Office]:
    offices = []
    for name, city in ctx.content.careers.offices:
        office, created = Office.objects.get_or_create(name=name, defaults={"city": city})
        if created:
            ctx.count("offices")
        offices.append(office)
    return offices


def seed_profiles(ctx: DemoContext, offices: list[Office]) -> None:
    """Everyone's office (trainees spread over the four), and the hire dates of the people
    already on the ladder."""
    where = dict(STAFF_OFFICES)
    where.update({username: row[0] for username, row in LADDER_PEOPLE.items()})
    for i, trainee in enumerate(ctx.trainees):
        where[trainee.username] = i % len(offices)
    for username, index in where.items():
        user = ctx.users.get(username)
        if user is None:
            continue
        Profile.objects.filter(user=user, office__isnull=True).update(office=offices[index])
        if username in LADDER_PEOPLE:
            hired = ctx.today - timedelta(days=round(LADDER_PEOPLE[username][1] * 30.5))
            Profile.objects.filter(user=user, hire_date__isnull=True).update(hire_date=hired)
        user.refresh_from_db()


def seed_ladder(ctx: DemoContext, offices: list[Office]) -> Ladder | None:
    text = ctx.content.careers
    ladder, created = Ladder.objects.get_or_create(
        name=text.ladder_name, defaults={"program": None, "currency": "RUB"}
    )
    if not created:
        return ladder
    ctx.count("career ladders")
    certification = Quiz.objects.filter(slug=CERTIFICATION_SLUG).first()
    for number, (title, summary) in enumerate(text.levels, start=1):
        level = Level.objects.create(
            ladder=ladder,
            number=number,
            title=title,
            summary=summary,
            min_experience_months=EXPERIENCE_MONTHS[number],
        )
        for office, (low, high) in zip(offices, BANDS[number], strict=True):
            PayBand.objects.create(
                level=level,
                office=office,
                minimum=Decimal(low * 1000) if low else None,
                maximum=Decimal(high * 1000),
            )
        for order, (key, kind, figures) in enumerate(REQUIREMENTS.get(number, ())):
            if kind == Requirement.Kind.QUIZ and certification is None:
                continue
            title, advice = text.requirements[key]
            Requirement.objects.create(
                level=level,
                sort_order=order,
                kind=kind,
                title=title,
                advice=advice,
                quiz=certification if kind == Requirement.Kind.QUIZ else None,
                **figures,
            )
    return ladder


def _diploma(ctx: DemoContext):
    Document = get_document_model()
    title = ctx.content.careers.diploma_title
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save("demo-diploma.txt", ContentFile(title.encode()), save=False)
        document.save()
    return document


def _confirm(ctx, person, level: Level, keys: set[str], by) -> None:
    titles = {ctx.content.careers.requirements[key][0] for key in keys}
    for requirement in level.requirements.filter(title__in=titles):
        if requirement.kind == Requirement.Kind.DOCUMENT:
            services.evidence_record(
                person=person, requirement=requirement, user=ctx.users["hr"],
                document=_diploma(ctx),
            )  # fmt: skip
        else:
            services.evidence_record(
                person=person, requirement=requirement, user=by,
                note=ctx.content.careers.confirmation_note,
            )  # fmt: skip


def seed_people_on_ladder(ctx: DemoContext, ladder: Ladder) -> None:
    """Each person's way up, step by step through the services (proposed and approved by
    someone else), dated back to a plausible day."""
    text = ctx.content.careers
    levels = {level.number: level for level in ladder.levels.all()}
    for username, (_office, _months, reached, pay, decider_name) in LADDER_PEOPLE.items():
        person, decider = ctx.users.get(username), ctx.users.get(decider_name)
        if person is None or decider is None:
            continue
        if LevelChange.objects.filter(person=person).exists():
            continue
        hired = person.profile.hire_date
        for number in range(1, reached + 1):
            level = levels[number]
            if number > 1:
                # What the level asked, confirmed before the promotion.
                keys = {key for key, kind, _f in REQUIREMENTS[number]}
                _confirm(ctx, person, level, keys - {"certification", "calls"}, decider)
            change = services.promotion_propose(
                person=person,
                level=level,
                user=decider,
                reason=text.entry_reason if number == 1 else text.promotion_reasons[number - 2],
                pay=Decimal(pay) if number == reached else None,
            )
            services.promotion_approve(change=change, user=decider)
            on = min(ctx.today, hired + timedelta(days=round(EXPERIENCE_MONTHS[number] * 30.5)))
            at = timezone.make_aware(datetime(on.year, on.month, on.day, 11))  # noqa: DTZ001  made aware
            LevelChange.objects.filter(pk=change.pk).update(
                effective_on=on, proposed_at=at - timedelta(days=3), decided_at=at
            )
            ctx.count("level changes")
    # mentor2 is ready for level 3; mentor1 is one confirmation short of level 4.
    if "mentor2" in ctx.users and not _has_evidence(ctx.users["mentor2"], levels[3]):
        _confirm(ctx, ctx.users["mentor2"], levels[3], {"new_clients", "negotiates"},
                 ctx.users["sales_head"])  # fmt: skip
    if "mentor1" in ctx.users and not _has_evidence(ctx.users["mentor1"], levels[4]):
        _confirm(ctx, ctx.users["mentor1"], levels[4], {"diploma"}, ctx.users["sales_head"])
    if "manager1" in ctx.users and not _has_evidence(ctx.users["manager1"], levels[2]):
        _confirm(ctx, ctx.users["manager1"], levels[2], {"works_in_1c"}, ctx.users["sales_head"])


def _has_evidence(person, level: Level) -> bool:
    return level.requirements.filter(evidence__person=person).exists()
