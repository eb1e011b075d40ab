"""Demo mentoring: the standard bonus rule, mentorships for the demo trainees, months of
realistic activity (weekday calls, fewer meetings, applications, the odd contract, growing as
each trainee ramps up), and bonus statements in every status. The rule's and tiers' names and
the notes come from the context's language (``demo/content/``).

Deterministic (each trainee's activity comes from a random stream seeded by their username
and hire date; external ids are uuid5 of fixed names) and idempotent (what exists is kept).
Runs after the courses seeder; without demo enrollments it does nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from courses.models import Enrollment
from mentors import jobs, payroll, services
from mentors.models import (
    Activity,
    BonusRule,
    BonusStatement,
    BonusTier,
    ImportJob,
    MentoringSettings,
    Mentorship,
)
from mentors.provenance import Provenance
from rampup.figures import month_bounds, month_index

from .content.base import MentoringText
from .quizzes import planned_certification_day

NAMESPACE = uuid.UUID("6f1f6a3e-6c1e-4d52-9c39-0f3b8c1f2a10")
# The demo's sources and how they arrived: the telephony and CRM connectors, the trainee's page.
DEMO_PROVENANCE = {
    "telephony": Provenance.PBX,
    "crm": Provenance.CRM,
    "manual": Provenance.TRAINEE,
}
# One mentor per three trainees would need a fourth mentor; the demo program allows five.
DEMO_MENTEE_CAP = 5
MENTORS = ["mentor1", "mentor2", "sales_head"]


@dataclass(frozen=True)
class Profile:
    """How a trainee ramps up: ``speed`` scales the full daily volume; ``ramp_days`` is how
    long it takes to reach it after the first client week.

    The rest shapes the seven effectiveness criteria (rampup/criteria.py), so the demo shows
    each light: ``alternates`` works a day of calls, then a day of meetings (criteria 2, 4 and
    7 green) instead of calls every day with a meeting now and then; ``decision_maker`` is the
    chance that a meeting reaches the decision-maker (criterion 5); ``events`` the chance of an
    exhibition on a Thursday and ``referrals`` of a referral on a working day (criteria 1 and
    3); ``shifts`` holds the contracts over to the next ramp month's first day (criterion 6)."""

    speed: float
    ramp_days: int
    alternates: bool = False
    decision_maker: float = 0.1
    events: float = 0.05
    referrals: float = 0.04
    shifts: bool = False
    applications: float = 0.3  # the chance, twice a working day, of an application


# Reaches the increased bonus tier in the first window (300 calls and 10 applications).
EARLY = Profile(speed=1.3, ramp_days=25, decision_maker=0.5, events=0.3, applications=0.45)
ON_CURVE = Profile(speed=1.0, ramp_days=75)
LAGGING = Profile(speed=0.45, ramp_days=180, decision_maker=0.03)
# A day of calls, a day of meetings; reaches the decision-maker; asks for referrals.
BY_THE_METHOD = Profile(
    speed=1.0, ramp_days=75, alternates=True, decision_maker=0.6, events=0.3, referrals=0.12
)
SHIFTING = Profile(speed=1.3, ramp_days=25, alternates=True, decision_maker=0.4, shifts=True)
PROFILES = {
    "trainee1": BY_THE_METHOD,
    "trainee2": EARLY,
    "trainee3": BY_THE_METHOD,
    "trainee4": LAGGING,
    "trainee5": ON_CURVE,  # dropped: activity stops at the drop date
    "trainee6": LAGGING,
    "trainee7": SHIFTING,
    "trainee8": ON_CURVE,
    "trainee9": LAGGING,
    "trainee10": BY_THE_METHOD,
    "trainee11": ON_CURVE,
    "trainee12": ON_CURVE,
}
# Daily volume of a fully ramped account manager.
FULL_CALLS = 22
TRAINING_DAYS = 5  # the first week is training: no client work yet


def seed(ctx) -> None:
    trainees = [ctx.users[name] for name in PROFILES if name in ctx.users]
    enrollments = list(
        Enrollment.objects.filter(trainee__in=trainees)
        .select_related("trainee", "program")
        .order_by("hire_date", "pk")
    )
    if not enrollments:
        return
    rule = seed_rule(ctx)
    for program in {e.program for e in enrollments}:
        MentoringSettings.objects.get_or_create(
            program=program, defaults={"mentee_cap": DEMO_MENTEE_CAP}
        )
    mentors = [ctx.users[name] for name in MENTORS if name in ctx.users]
    for i, enrollment in enumerate(enrollments):
        mentorship = seed_mentorship(ctx, enrollment, mentors[i % len(mentors)], rule)
        seed_activity(ctx, enrollment)
        if mentorship is not None and enrollment.status == Enrollment.Status.DROPPED:
            services.mentorships_end_for_enrollment(
                enrollment=enrollment,
                on=enrollment.dropped_on,
                reason=ctx.content.mentoring.dropped_reason,
            )
    seed_statements(ctx)
    seed_import_jobs(ctx)


def seed_rule(ctx) -> BonusRule:
    text = ctx.content.mentoring
    rule, created = BonusRule.objects.get_or_create(
        name=text.rule_name, defaults={"period_days": 30, "currency": settings.DEFAULT_CURRENCY}
    )
    if created:
        BonusTier.objects.create(
            rule=rule, sort_order=0, name=text.base_tier, amount=Decimal("10000.00")
        )
        BonusTier.objects.create(
            rule=rule,
            sort_order=1,
            name=text.increased_tier,
            amount=Decimal("25000.00"),
            min_call=300,
            min_application=10,
        )
        ctx.count("bonus rules")
    return rule


def seed_mentorship(ctx, enrollment, mentor, rule) -> Mentorship | None:
    existing = Mentorship.objects.filter(enrollment=enrollment).order_by("-started_on").first()
    if existing is not None:
        return existing
    started_on = min(enrollment.hire_date + timedelta(days=3), ctx.today)
    if enrollment.dropped_on is not None:
        started_on = min(started_on, enrollment.dropped_on)
        # Assign as it happened: before the drop (the enrollment is dropped already here).
        mentorship = Mentorship.objects.create(
            enrollment=enrollment,
            mentor=mentor,
            started_on=started_on,
            bonus_rule=rule,
            assigned_by=ctx.users.get("hr"),
            ended_on=max(enrollment.dropped_on, started_on),
            end_reason=ctx.content.mentoring.dropped_reason,
        )
    else:
        mentorship = services.mentorship_assign(
            enrollment=enrollment,
            mentor=mentor,
            started_on=started_on,
            bonus_rule=rule,
            assigned_by=ctx.users["hr"],
        )
    ctx.count("mentorships")
    return mentorship


def _ramp(profile: Profile, days_since_hire: int) -> float:
    if days_since_hire < TRAINING_DAYS:
        return 0.0
    progress = (days_since_hire - TRAINING_DAYS) / profile.ramp_days
    return min(1.0, 0.25 + 0.75 * progress) * profile.speed


def _at(day: date, rng: random.Random) -> datetime:
    moment = time(rng.randint(9, 17), rng.randint(0, 59))
    return timezone.make_aware(datetime.combine(day, moment))


def _contract_day(profile: Profile, hire: date, day: date, until: date, rng) -> datetime:
    """When a contract closed on ``day`` is recorded: a trainee who shifts deals holds each
    one over to the next ramp month's first day (criterion 6 then finds the month before short
    of contracts and the next one's first days full of them)."""
    if profile.shifts:
        _start, next_month = month_bounds(hire, month_index(hire, day))
        if next_month < until:
            return _at(next_month, rng)
    return _at(day, rng)


def _calls_and_meetings(profile: Profile, workday: int, factor: float, rng) -> tuple[int, int]:
    """A working day's calls and meetings: a day of meetings every other day for a trainee who
    alternates, calls with a meeting now and then otherwise."""
    if profile.alternates and workday % 2 == 0:
        return rng.randint(2, 6), max(1, round(rng.gauss(3 * factor, 0.7)))
    calls = max(0, round(rng.gauss(FULL_CALLS * factor * (1.3 if profile.alternates else 1), 3)))
    meetings = 0 if profile.alternates else sum(rng.random() < 0.25 * factor for _ in range(4))
    return calls, meetings


def activity_plan(
    username: str,
    hire: date,
    until: date,
    *,
    text: MentoringText,
    cleared_on: date | None = None,
    gated_kinds: frozenset[str] = frozenset(),
) -> list[Activity]:
    """Unsaved activities of one trainee from the hire date to the day before ``until``; the
    notes of manual entries in ``text``'s language.

    Client work (``gated_kinds``) before the certification day ``cleared_on`` (or ever, when
    None) follows the gate (mentors/certification.py): a trainee could not have logged it by
    hand, so there is none; the CRM's is kept, and held (``before_certification``) while the
    trainee is still not certified: for one certified since, the certification released it."""
    profile = PROFILES.get(username, ON_CURVE)
    rng = random.Random(f"{username}:{hire.isoformat()}")  # noqa: S311 - repeatable demo data
    rows: list[Activity] = []
    day = hire
    n = 0

    def add(kind, when, source, **extra):
        nonlocal n
        before = kind in gated_kinds and (cleared_on is None or when.date() < cleared_on)
        if before and source == Activity.Source.MANUAL:
            return  # refused when typed: the trainee could not have logged it
        n += 1
        external = ""
        if source != Activity.Source.MANUAL:
            external = str(uuid.uuid5(NAMESPACE, f"{username}:{kind}:{n}"))
        rows.append(
            Activity(
                kind=kind,
                occurred_at=when,
                source=source,
                external_id=external,
                before_certification=before and cleared_on is None,
                **extra,
            )
        )

    workday = 0
    while day < until:
        days = (day - hire).days
        factor = _ramp(profile, days)
        if day.weekday() < 5 and factor > 0:
            workday += 1
            calls, meetings = _calls_and_meetings(profile, workday, factor, rng)
            for _ in range(calls):
                reached = rng.random() < profile.decision_maker * 0.03
                add("call", _at(day, rng), "telephony", decision_maker_reached=reached)
            for _ in range(meetings):
                reached = rng.random() < profile.decision_maker
                add(
                    "meeting",
                    _at(day, rng),
                    Activity.Source.MANUAL,
                    note=text.meeting_note,
                    decision_maker_reached=reached,
                )
            for _ in range(sum(rng.random() < profile.applications * factor for _ in range(2))):
                add("application", _at(day, rng), "crm")
            if rng.random() < 0.08 * factor:
                amount = Decimal(rng.randrange(60_000, 900_000, 500))
                add("contract", _contract_day(profile, hire, day, until, rng), "crm", amount=amount)
            if rng.random() < profile.referrals * factor:
                add(
                    "referral",
                    _at(day, rng),
                    Activity.Source.MANUAL,
                    note=text.referral_note,
                )
        if day.weekday() == 3 and rng.random() < profile.events:
            add("event", _at(day, rng), Activity.Source.MANUAL, note=text.event_note)
        day += timedelta(days=1)
    return rows


def seed_activity(ctx, enrollment) -> None:
    if enrollment.activities.exists():
        return
    until = ctx.today
    if enrollment.dropped_on is not None:
        until = min(until, enrollment.dropped_on)
    rows = activity_plan(
        enrollment.trainee.username,
        enrollment.hire_date,
        until,
        text=ctx.content.mentoring,
        cleared_on=planned_certification_day(enrollment),
        gated_kinds=enrollment.program.certification_gated_kinds(),
    )
    # Typed by the trainee on their page; HR has confirmed what is more than a week old, so the
    # confirmation page shows the latest week waiting (docs/bonuses.md, "Confirmation").
    confirmed_before = timezone.make_aware(datetime.combine(ctx.today - timedelta(days=7), time()))
    hr = ctx.users["hr"]
    for row in rows:
        row.enrollment = enrollment
        row.provenance = DEMO_PROVENANCE.get(row.source, Provenance.API)
        if row.source == Activity.Source.MANUAL:
            row.recorded_by = enrollment.trainee
            if row.occurred_at < confirmed_before:
                row.confirmed_by = hr
                row.confirmed_at = row.occurred_at + timedelta(days=2)
    if rows:
        Activity.objects.bulk_create(rows, batch_size=2000)
        ctx.count("activities", len(rows))


def seed_statements(ctx) -> None:
    """Statements for every mentorship; the older final ones approved, the oldest paid, and
    one approved statement with a late CRM entry so that it needs review.

    Separation of duties as the services hold it (docs/security.md): the head of sales
    approves, except the statements on which they are the mentor, which the director
    approves; the director exports; the statement is marked paid by the one of the two who
    neither approved it nor mentors it."""
    now = timezone.make_aware(datetime.combine(ctx.today, time(7, 0)))
    sales_head, director = ctx.users["sales_head"], ctx.users["director"]

    def approver(statement):
        return director if statement.mentorship.mentor_id == sales_head.pk else sales_head

    def payer(statement):
        others = [u for u in (director, sales_head) if u.pk != statement.mentorship.mentor_id]
        return next((u for u in others if u.pk != approver(statement).pk), None)

    for mentorship in Mentorship.objects.filter(bonus_rule__isnull=False).order_by("pk"):
        if not BonusStatement.objects.filter(mentorship=mentorship).exists():
            services.statement_compute(mentorship_id=mentorship.pk, now=now)
            ctx.count("bonus statements")
    if (
        BonusStatement.objects.exclude(status=BonusStatement.Status.FINAL)
        .filter(status__in=BonusStatement.FROZEN_STATUSES)
        .exists()
    ):
        return  # approvals were seeded before
    finals = list(
        BonusStatement.objects.filter(
            status=BonusStatement.Status.FINAL,
            period_end__lte=ctx.today - timedelta(days=45),
        )
        .select_related("mentorship")
        .order_by("period_start", "pk")
    )
    for statement in finals:
        services.statement_approve(statement=statement, user=approver(statement), now=now)
    # Payroll batch 1, paid; batch 2, exported and waiting for payroll. The director exports
    # (leaving out the statements they mentor); whoever neither approved nor mentors pays.
    paid = next((st for st in finals if payer(st) is not None), None)
    if paid is not None:
        batch = payroll.payroll_batch_export(
            statements=BonusStatement.objects.filter(pk=paid.pk), user=director, fmt="csv", now=now
        )
        payroll.payroll_batch_mark_paid(batch=batch, user=payer(paid), now=now)
    waiting = next(
        (
            st
            for st in reversed(finals)
            if st is not paid and st.mentorship.mentor_id != director.pk
        ),
        None,
    )
    if len(finals) > 2 and waiting is not None:
        payroll.payroll_batch_export(
            statements=BonusStatement.objects.filter(pk=waiting.pk),
            user=director,
            fmt="xlsx",
            now=now,
        )
    if len(finals) > 1:
        # The CRM and the telephony catch up late on the busiest approved period below the top
        # tier: enough applications and calls to have reached it, which the approved figures
        # must not follow (a difference in tier and amount: the statement needs review).
        late = min(finals[1:], key=lambda st: (st.amount, -st.call_count, st.pk))
        mentorship = late.mentorship
        top = mentorship.bonus_rule.tiers.order_by("-amount", "sort_order").first()
        missing = {
            Activity.Kind.APPLICATION: max(1, top.min_application - late.application_count),
            Activity.Kind.CALL: max(0, top.min_call - late.call_count),
        }
        rows = []
        for kind, count in missing.items():
            connector = kind == Activity.Kind.CALL
            for n in range(count):
                rows.append(
                    Activity(
                        enrollment_id=mentorship.enrollment_id,
                        kind=kind,
                        occurred_at=timezone.make_aware(
                            datetime.combine(late.last_day, time(9 + n % 9, n % 60))
                        ),
                        source="telephony" if connector else "crm",
                        provenance=Provenance.PBX if connector else Provenance.CRM,
                        external_id=str(uuid.uuid5(NAMESPACE, f"late-{kind}:{mentorship.pk}:{n}")),
                        note="" if connector else ctx.content.mentoring.late_application_note,
                    )
                )
        Activity.objects.bulk_create(rows)
        services.statement_compute(mentorship_id=mentorship.pk, now=now)


IMPORT_HEADER = "trainee_email,kind,occurred_at,source,external_id\n"


def seed_import_jobs(ctx) -> None:
    """HR's recent background imports, one of each ending the job page shows, all run through
    the real job code and none adding activity (the demo's figures stay as built): a CRM pull
    that found only rows already imported, an unknown e-mail and a row without a valid time;
    an all-or-nothing upload refused for its bad row; an upload cancelled before it started."""
    if ImportJob.objects.exists():
        return
    hr = ctx.users["hr"]
    known = list(
        Activity.objects.exclude(external_id="")
        .exclude(enrollment__status=Enrollment.Status.DROPPED)
        .select_related("enrollment__trainee")
        .order_by("occurred_at", "pk")[:3]
    )
    if not known:
        return
    rows = [
        {
            "trainee": a.enrollment.trainee.email,
            "kind": a.kind,
            "occurred_at": a.occurred_at.isoformat(),
            "source": a.source,
            "external_id": a.external_id,
            "decision_maker_reached": a.decision_maker_reached,
            "amount": str(a.amount) if a.amount is not None else "",
        }
        for a in known
    ]
    email, at = rows[0]["trainee"], rows[0]["occurred_at"]
    rows.append({"trainee": "new.hire@example.com", "kind": "call", "occurred_at": at})
    rows.append({"trainee": email, "kind": "call", "occurred_at": "yesterday"})
    pull = ImportJob.objects.create(
        kind=ImportJob.Kind.CONNECTOR, fmt="crm", started_by=hr, all_or_nothing=False
    )
    jobs.job_run_rows(job=pull, rows=list(enumerate(rows, start=1)))
    bad_file = IMPORT_HEADER + f"{email},call,{at},crm,\n{email},call,yesterday,crm,\n"
    refused = jobs.job_create(
        kind=ImportJob.Kind.UPLOAD,
        fmt="csv",
        file=ContentFile(bad_file.encode(), name="crm-export.csv"),
        started_by=hr,
    )
    jobs.job_run(job=refused)
    cancelled = jobs.job_create(
        kind=ImportJob.Kind.UPLOAD,
        fmt="csv",
        file=ContentFile(bad_file.encode(), name="telephony-export.csv"),
        started_by=hr,
    )
    jobs.job_cancel(job=cancelled)
    jobs.job_run(job=cancelled)
    ctx.count("import jobs", 3)
