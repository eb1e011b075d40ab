"""The demo program ("Account manager onboarding") and the twelve demo trainees' progress.

The program's shape (stages, durations, who is responsible for each checklist item) is here;
its words come from the context's language (``demo/content/``).

Deterministic (block ids are uuid5 of fixed names; the plan depends only on hire dates) and
idempotent: an existing program is left as HR may have edited it, and a trainee who already
has an enrollment in it is skipped. Progress is made through the services (ticks, signatures),
so it is real; timestamps are then moved back to plausible times after each hire date.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from wagtail.models import Locale, Page

from courses import services, translations
from courses.blocks import Responsible
from courses.models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionPage,
    JobDescriptionSignature,
    JobDescriptionVersion,
    ProgramPage,
    StagePage,
    StageProgress,
)
from people.models import HomePage

from .content.base import Callout, Checklist, Heading, Text
from .content.languages import BY_LANGUAGE

PROGRAM_SLUG = "account-manager-onboarding"
JOB_DESCRIPTION_SLUG = "job-description"
DROPPED_TRAINEE = "trainee5"
_NAMESPACE = uuid.UUID("6f1c9a52-3d4b-4c61-9a0e-2b7f5d8e1c30")

T, SYS, HEAD, MENTOR, HR = (
    Responsible.TRAINEE,
    Responsible.SYSADMIN,
    Responsible.HEAD_OF_DEPARTMENT,
    Responsible.MENTOR,
    Responsible.HR,
)

# The program's shape, the same in every language: (slug, planned working days, requires the
# signed job description), in order; the words are in demo/content/.
STAGE_PLAN = [
    ("introduction", 2, True),
    ("products-and-customers", 4, False),
    ("sales-training", 20, False),
    ("work-rhythm", 100, False),
]
STAGE_SLUGS = [slug for slug, _days, _job in STAGE_PLAN]

# Who is responsible for each checklist item, and whether it is required, by the item's key.
CHECKLIST_ITEMS = {
    "introduction": {
        "policies": (T, True),
        "colleagues": (T, True),
        "email": (SYS, True),
        "accounting": (SYS, True),
        "crm": (SYS, True),
        "drives": (T, True),
        "briefing": (HEAD, True),
        "documents": (HR, True),
        "phone": (SYS, False),
    },
    "products-and-customers": {
        "catalogue": (T, True),
        "sales-system": (T, True),
        "listen": (T, True),
        "script": (HEAD, True),
        "first-calls": (T, True),
        "base": (T, True),
    },
    "sales-training": {
        "meet-mentor": (MENTOR, True),
        "proposal": (T, True),
        "docs": (T, True),
        "crm-check": (MENTOR, True),
        "research": (T, True),
        "departments": (T, True),
        "segments": (T, True),
        "discounts": (MENTOR, True),
        "profitable": (T, True),
    },
    "work-rhythm": {
        "weekly-review": (HEAD, True),
        "situations": (T, True),
        "plan": (HEAD, True),
        "first-contracts": (T, True),
        "review": (HR, True),
    },
}

# Items that name one person rather than everyone of the role.
NAMED_PEOPLE = {("introduction", "briefing"): "dept_head"}


def block_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _checklist(stage: str, block: Checklist) -> dict:
    structure = CHECKLIST_ITEMS[stage]
    items = []
    for key, text in block.items:
        who, required = structure[key]
        items.append(
            {
                "type": "item",
                "value": {
                    "text": text,
                    "responsible": who,
                    "person": NAMED_PEOPLE.get((stage, key), ""),
                    "required": required,
                },
                "id": block_id(stage, "item", key),
            }
        )
    return {
        "type": "checklist",
        "value": {"title": block.title, "items": items},
        "id": block_id(stage, "checklist", block.title),
    }


def stage_body(stage: str, blocks) -> list[dict]:
    """The StreamField data of a stage's body. Each block's id is fixed by its stage, its type
    and its place among the blocks of that type (a checklist by its title, an item by its key),
    so every run builds the same ids."""
    data = []
    seen: Counter[str] = Counter()

    def next_id(kind: str) -> str:
        seen[kind] += 1
        return block_id(stage, kind, str(seen[kind]))

    for block in blocks:
        if isinstance(block, Heading):
            data.append({"type": "heading", "value": block.text, "id": next_id("heading")})
        elif isinstance(block, Text):
            data.append({"type": "text", "value": block.html, "id": next_id("text")})
        elif isinstance(block, Callout):
            value = {"tone": block.tone, "text": block.html}
            data.append({"type": "callout", "value": value, "id": next_id("callout")})
        elif isinstance(block, Checklist):
            data.append(_checklist(stage, block))
        else:
            raise TypeError(f"Unknown demo block: {block!r}")
    return data


# Where each trainee stands, from the oldest hire to the newest: the number of completed
# stages (the next one is in progress).
PLAN_BY_RANK = [3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 1, 0]


def _workdays_after(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def demo_program() -> ProgramPage | None:
    """The demo program's original (its translation has the same slug)."""
    return translations.originals(ProgramPage.objects.filter(slug=PROGRAM_SLUG)).first()


def _home_in_language(home, language: str):
    """The site's home page in the demo's language, so the program written under it is in
    that locale and its translation in the other: on a database where the home page has no
    translation yet, the home page (and what is under it) moves to the demo's locale."""
    locale, _created = Locale.objects.get_or_create(language_code=language)
    if home.locale_id != locale.pk and not home.get_translations().exists():
        Page.objects.filter(path__startswith=home.path).update(locale=locale)
        home.refresh_from_db()
    return home


def seed_program(ctx) -> ProgramPage:
    text = ctx.content.courses
    program = demo_program()
    if program is None:
        home = _home_in_language(HomePage.objects.first(), ctx.language)
        program = ProgramPage(
            title=text.program_title,
            slug=PROGRAM_SLUG,
            intro=text.program_intro,
            ramp_up_months=6,
        )
        home.add_child(instance=program)
        program.save_revision().publish()
        ctx.count("pages")
    existing = {page.slug for page in program.get_children()}
    for slug, duration_days, requires_job_description in STAGE_PLAN:
        if slug in existing:
            continue
        words = text.stages[slug]
        stage = StagePage(
            title=words.title,
            slug=slug,
            summary=words.summary,
            duration_days=duration_days,
            requires_job_description=requires_job_description,
            body=stage_body(slug, words.body),
        )
        program.add_child(instance=stage)
        stage.save_revision().publish()
        ctx.count("pages")
    if JOB_DESCRIPTION_SLUG not in existing:
        job = JobDescriptionPage(slug=JOB_DESCRIPTION_SLUG, **text.job_description.fields())
        program.add_child(instance=job)
        job.save_revision().publish()
        ctx.count("pages")
    return program


def _ticker(ctx, enrollment, item):
    """Who ticks an item in the demo: its responsible person; HR on the mentor's behalf (the
    demo's mentorships are assigned after the first stages were done)."""
    return {
        Responsible.TRAINEE: enrollment.trainee,
        Responsible.SYSADMIN: ctx.users["sysadmin"],
        Responsible.HEAD_OF_DEPARTMENT: ctx.users["dept_head"],
    }.get(item["responsible"], ctx.users["hr"])


def _complete_stage(ctx, enrollment, stage, *, limit: int | None = None) -> None:
    """Tick the stage's required items (the first ``limit`` only) as the right people would."""
    trainee = enrollment.trainee
    if stage.requires_job_description:
        services.job_description_sign(enrollment=enrollment, user=trainee)
    items = [(item_id, item) for item_id, item in stage.checklist_items() if item["required"]]
    services.checklist_tick_many(
        enrollment=enrollment,
        stage=stage,
        ticks=[
            (item_id, _ticker(ctx, enrollment, item))
            for item_id, item in (items[:limit] if limit is not None else items)
        ],
    )


def _backdate(enrollment, stages, today: date) -> None:
    """Move every timestamp of the enrollment to a plausible time after the hire date."""
    now = timezone.now()
    hire = enrollment.hire_date
    enrolled_at = _at(hire - timedelta(days=3), 11, 20)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=enrolled_at)
    EnrollmentEvent.objects.filter(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.ENROLLED
    ).update(at=enrolled_at)
    JobDescriptionSignature.objects.filter(enrollment=enrollment).update(
        signed_at=min(now, _at(hire, 15, 40))
    )
    progress = {p.stage_id: p for p in StageProgress.objects.filter(enrollment=enrollment)}
    start = hire
    for stage in stages:
        prog = progress.get(stage.pk)
        if prog is None or prog.status == StageProgress.Status.LOCKED:
            break
        planned_end = _workdays_after(start, max(1, stage.duration_days - 1))
        opened = min(now, _at(start, 9, 30))
        if prog.status == StageProgress.Status.COMPLETED:
            closed = min(now, _at(planned_end, 16, 45))
            end_for_ticks = closed
        else:
            closed = None
            end_for_ticks = min(now, max(opened, now - timedelta(hours=2)))
        StageProgress.objects.filter(pk=prog.pk).update(
            available_at=opened,
            started_at=opened if prog.started_at else None,
            completed_at=closed,
        )
        ticks = list(
            ChecklistTick.objects.filter(enrollment=enrollment, stage=stage).order_by("pk")
        )
        span = end_for_ticks - opened
        for i, tick in enumerate(ticks, start=1):
            ChecklistTick.objects.filter(pk=tick.pk).update(
                ticked_at=opened + span * i / (len(ticks) + 1)
            )
        if closed is not None:
            EnrollmentEvent.objects.filter(
                enrollment=enrollment, kind=EnrollmentEvent.Kind.STAGE_COMPLETED, reason=stage.title
            ).update(at=closed)
            start = _workdays_after(planned_end, 1)
        else:
            break


def seed(ctx) -> None:
    program = seed_program(ctx)
    hr = ctx.users["hr"]
    stages = list(StagePage.objects.child_of(program).live().order_by("path"))
    trainees = sorted(ctx.trainees, key=lambda u: (u.profile.hire_date or ctx.today, u.username))
    _date_first_job_description_version(program, trainees, ctx.today)
    for rank, trainee in enumerate(trainees):
        if Enrollment.objects.filter(trainee=trainee, program=program).exists():
            continue
        hire = trainee.profile.hire_date or ctx.today
        enrollment = services.enrollment_create(
            trainee=trainee, program=program, hire_date=hire, enrolled_by=hr
        )
        ctx.count("enrollments")
        completed = PLAN_BY_RANK[min(rank, len(PLAN_BY_RANK) - 1)]
        for stage in stages[:completed]:
            _complete_stage(ctx, enrollment, stage)
        if completed < len(stages):
            # Part of the current stage is done already; the newest hire is still waiting for
            # the system administrator and has not signed the job description.
            current = stages[completed]
            if completed == 0:
                for item_id, item in current.checklist_items():
                    if item["responsible"] == Responsible.SYSADMIN and item["required"]:
                        services.checklist_tick(
                            enrollment=enrollment,
                            stage=current,
                            item_id=item_id,
                            user=ctx.users["sysadmin"],
                        )
                        break
            else:
                _complete_stage(ctx, enrollment, current, limit=2)
        _backdate(enrollment, stages, ctx.today)
        if trainee.username == DROPPED_TRAINEE:
            dropped_on = min(ctx.today, _workdays_after(hire, 40))
            services.enrollment_drop(
                enrollment=enrollment,
                user=hr,
                reason=ctx.content.courses.drop_reason,
                on=dropped_on,
            )
            EnrollmentEvent.objects.filter(
                enrollment=enrollment, kind=EnrollmentEvent.Kind.DROPPED
            ).update(at=_at(dropped_on, 17, 10))


def _date_first_job_description_version(program, trainees, today: date) -> None:
    """The job description's version 1 was published when the program started, before the
    first trainee was enrolled (three days before the first hire), not on the day the demo was
    built: the backdated signatures come after the version they sign. Idempotent."""
    first_hire = min((u.profile.hire_date or today for u in trainees), default=today)
    started = _at(first_hire - timedelta(days=7), 10, 0)
    # The original and its translations (one translation key).
    originals = JobDescriptionPage.objects.descendant_of(program).values("translation_key")
    JobDescriptionVersion.objects.filter(page__translation_key__in=originals, number=1).update(
        published_at=started
    )


def _translated_body(original: StagePage, slug: str, blocks) -> list[dict]:
    """The stage's body in another language's words: the same blocks, ids and checklist item
    ids as the original's (the demo builds them from the same names), and the original's quiz
    blocks where the original has them (the quizzes stay the demo language's)."""
    words = stage_body(slug, blocks)
    body = []
    for raw in original.body.raw_data:
        if raw.get("type") == "quiz":
            body.append(raw)
        elif words:
            body.append(words.pop(0))
    return body + words


def _translate(page, locale, fields: dict):
    copy = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    copy.save_revision().publish()
    return copy


def seed_translations(ctx) -> None:
    """The program in the demo's other languages: each a translation of the original (the
    admin's "Translate"), published, so a person who reads the other language sees the
    program in it. Run after the quizzes are placed, whose blocks the translation keeps.
    Idempotent: a page translated already is left as it is."""
    program = demo_program()
    if program is None:
        return
    for code, content in BY_LANGUAGE.items():
        if code == ctx.language:
            continue
        locale, _created = Locale.objects.get_or_create(language_code=code)
        text = content.courses
        if not program.get_translations().filter(locale=locale).exists():
            _translate(program, locale, {"title": text.program_title, "intro": text.program_intro})
            ctx.count("translated pages")
        for page in program.get_children().specific():
            if page.get_translations().filter(locale=locale).exists():
                continue
            if isinstance(page, StagePage):
                words = text.stages[page.slug]
                fields = {
                    "title": words.title,
                    "summary": words.summary,
                    "body": _translated_body(page, page.slug, words.body),
                }
            elif isinstance(page, JobDescriptionPage):
                fields = text.job_description.fields()
            else:
                continue
            _translate(page, locale, fields)
            ctx.count("translated pages")
