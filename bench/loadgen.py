"""Deterministic synthetic data at scale for the benchmarks (``python -m bench.generate_load``).

Rows are streamed straight into PostgreSQL with COPY through psycopg 3 (on SQLite, the
embedded default, in batched multi-row inserts), never built up in memory: the generator's
peak memory does not grow with the number of activities. Primary keys are allocated here so
that child rows can refer to their parents without reading anything back; sequences are reset
at the end.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from courses.models import Enrollment, ProgramPage, StagePage, StageProgress
from mentors.models import Activity, BonusRule, Mentorship
from people.models import Office, Profile
from people.roles import Role
from quizzes.models import Attempt, Question, Quiz, Response

NAMESPACE = uuid.UUID("0b5e9b7e-6a43-4c55-9d44-3f6f4f2b1a01")
BATCH = 2000


# --- writing rows -----------------------------------------------------------------------


class Writer:
    """Inserts rows of a model by COPY (PostgreSQL) or batched INSERT (other databases)."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.touched: set[type[models.Model]] = set()

    def next_id(self, model) -> int:
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (last or 0) + 1

    def write(self, model, fields: list[str], rows: Iterable[tuple]) -> int:
        table = model._meta.db_table
        # Columns not given get their model default (Django keeps defaults in Python, not in
        # the database), so fields other apps add later do not break the generator.
        extra = [
            f
            for f in model._meta.concrete_fields
            if f.name not in fields and f.attname not in fields and not f.null
        ]
        extra_values = tuple(
            timezone.now()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else f.get_db_prep_save(f.get_default(), connection)
            for f in extra
        )
        if extra:
            rows = (row + extra_values for row in rows)
        columns = [model._meta.get_field(f).column for f in fields] + [f.column for f in extra]
        n = 0
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
                with raw.copy(
                    f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = (
                f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608 - values are parameters
                f"({', '.join(connection.ops.quote_name(c) for c in columns)}) "
                f"VALUES ({placeholders})"
            )
            batch: list[tuple] = []
            with connection.cursor() as cursor:
                for row in rows:
                    batch.append(row)
                    if len(batch) >= BATCH:
                        cursor.executemany(sql, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    n += len(batch)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + n
        self.touched.add(model)
        return n

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.touched))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


# --- the synthetic company --------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    trainees: int = 1000
    months: int = 8
    activities: int = 1_000_000
    attempts: int = 10_000
    offices: int = 4
    seed: int = 7
    today: date | None = None


@dataclass
class Trainee:
    enrollment_id: int
    user_id: int
    hire_date: date
    speed: float
    ramp_days: int
    dropped_on: date | None


def _aware(day: date, minute_of_day: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60), tzinfo=zone)


def _weekdays(start: date, end: date) -> Iterator[date]:
    day = start
    while day < end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


def generate(options: Options, *, log=lambda message: None) -> dict[str, int]:
    """Add ``options.trainees`` enrollments with mentors, activity and quiz attempts."""
    rng = random.Random(options.seed)  # noqa: S311 - seeded: the same load every run
    today = options.today or timezone.localdate()
    zone = ZoneInfo(settings.TIME_ZONE)
    program = ProgramPage.objects.order_by("pk").first()
    if program is None:
        raise RuntimeError("No onboarding program: run `manage.py seed_demo` first.")
    stages = list(StagePage.objects.child_of(program).order_by("path"))
    rule = BonusRule.objects.order_by("pk").first()
    writer = Writer()
    now = timezone.now()

    with transaction.atomic():
        mentor_ids, trainee_ids = _write_people(writer, options, now)
        log(f"users: {len(mentor_ids)} mentors, {options.trainees} trainees")
        trainees = _write_enrollments(writer, trainee_ids, program, options, rng, today, now)
        _write_progress(writer, trainees, stages, zone, today)
        _write_mentorships(writer, trainees, mentor_ids, rule, now)
        log("enrollments, stage progress and mentorships written")
        _write_activities(writer, trainees, options, zone, today, now)
        log(f"activities: {writer.counts.get('mentors.Activity', 0)}")
        _write_attempts(writer, trainees, options, rng, today, now)
        writer.reset_sequences()
    return writer.counts


def _write_people(writer: Writer, options: Options, now: datetime) -> tuple[list[int], list[int]]:
    """One mentor per three trainees; returns (mentor ids, trainee ids)."""
    User = get_user_model()
    trainee_group = Group.objects.get(name=Role.TRAINEE)
    mentor_group = Group.objects.get(name=Role.MENTOR)
    run = uuid.uuid4().hex[:6] if User.objects.filter(username__startswith="load-").exists() else ""
    prefix = f"load-{run}-" if run else "load-"
    password = make_password("load-pass-2026")
    n_mentors = max(1, (options.trainees + 2) // 3)
    first_user = writer.next_id(User)
    mentor_ids = list(range(first_user, first_user + n_mentors))
    trainee_ids = list(range(first_user + n_mentors, first_user + n_mentors + options.trainees))

    def users():
        for i, pk in enumerate(mentor_ids + trainee_ids):
            kind = "mentor" if i < n_mentors else "trainee"
            name = f"{prefix}{kind}{i}"
            yield (
                pk,
                password,
                False,
                name,
                "Load",
                f"{kind.title()} {i}",
                f"{name}@load.example",
                False,
                True,
                now,
            )

    writer.write(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        users(),
    )
    membership = User.groups.through
    first_m = writer.next_id(membership)
    writer.write(
        membership,
        ["id", "user_id", "group_id"],
        (
            (first_m + i, pk, mentor_group.pk if i < n_mentors else trainee_group.pk)
            for i, pk in enumerate(mentor_ids + trainee_ids)
        ),
    )
    return mentor_ids, trainee_ids


def _offices(options: Options) -> list[int | None]:
    """The load's offices (the dashboard's office filter and scope read them), made once."""
    if options.offices < 1:
        return [None]
    return [
        Office.objects.get_or_create(name=f"Load office {n + 1}", defaults={"city": "Load"})[0].pk
        for n in range(options.offices)
    ]


def _write_enrollments(
    writer: Writer,
    trainee_ids: list[int],
    program: ProgramPage,
    options: Options,
    rng: random.Random,
    today: date,
    now: datetime,
) -> list[Trainee]:
    """Profiles and enrollments, the hire dates spread over the months, a few dropped."""
    span = options.months * 30
    first_e = writer.next_id(Enrollment)
    trainees: list[Trainee] = []
    for i, user_id in enumerate(trainee_ids):
        hire = today - timedelta(days=rng.randint(3, span))
        dropped = None
        if rng.random() < 0.05 and (today - hire).days > 40:
            dropped = hire + timedelta(days=rng.randint(30, (today - hire).days - 1))
        trainees.append(
            Trainee(
                enrollment_id=first_e + i,
                user_id=user_id,
                hire_date=hire,
                speed=min(1.6, max(0.3, rng.lognormvariate(0, 0.3))),
                ramp_days=rng.randint(40, 200),
                dropped_on=dropped,
            )
        )
    offices = _offices(options)
    writer.write(
        Profile,
        ["id", "user_id", "job_title", "phone", "hire_date", "office_id"],
        (
            (writer_id, t.user_id, "Account manager", "", t.hire_date, offices[n % len(offices)])
            for n, (writer_id, t) in enumerate(enumerate(trainees, start=writer.next_id(Profile)))
        ),
    )
    writer.write(
        Enrollment,
        [
            "id",
            "trainee_id",
            "program_id",
            "hire_date",
            "status",
            "dropped_on",
            "drop_reason",
            "enrolled_at",
            "certification_failed",
        ],
        (
            (
                t.enrollment_id,
                t.user_id,
                program.pk,
                t.hire_date,
                "dropped" if t.dropped_on else "active",
                t.dropped_on,
                "Left the company" if t.dropped_on else "",
                now,
                False,
            )
            for t in trainees
        ),
    )
    return trainees


def _write_progress(
    writer: Writer, trainees: list[Trainee], stages: list, zone: ZoneInfo, today: date
) -> None:
    """Stage progress: stages completed in order, roughly at their planned pace."""
    first_progress = writer.next_id(StageProgress)

    def progress():
        pk = first_progress
        for t in trainees:
            opened = _aware(t.hire_date, 9 * 60, zone)
            for stage in stages:
                done_at = opened + timedelta(days=max(1, stage.duration_days * 7 // 5))
                if done_at.date() < today and stage is not stages[-1]:
                    yield (pk, t.enrollment_id, stage.pk, "completed", opened, opened, done_at)
                    opened = done_at
                else:
                    yield (pk, t.enrollment_id, stage.pk, "in_progress", opened, opened, None)
                    pk += 1
                    break
                pk += 1

    writer.write(
        StageProgress,
        [
            "id",
            "enrollment_id",
            "stage_id",
            "status",
            "available_at",
            "started_at",
            "completed_at",
        ],
        progress(),
    )


def _write_mentorships(
    writer: Writer,
    trainees: list[Trainee],
    mentor_ids: list[int],
    rule: BonusRule | None,
    now: datetime,
) -> None:
    first_ms = writer.next_id(Mentorship)
    writer.write(
        Mentorship,
        [
            "id",
            "enrollment_id",
            "mentor_id",
            "started_on",
            "bonus_starts_on",
            "bonus_rule_id",
            "ended_on",
            "end_reason",
            "created_at",
        ],
        (
            (
                first_ms + i,
                t.enrollment_id,
                mentor_ids[i // 3],
                t.hire_date + timedelta(days=3),
                t.hire_date + timedelta(days=3),
                rule.pk if rule else None,
                t.dropped_on,
                "Trainee dropped" if t.dropped_on else "",
                now,
            )
            for i, t in enumerate(trainees)
        ),
    )


def _write_activities(
    writer: Writer,
    trainees: list[Trainee],
    options: Options,
    zone: ZoneInfo,
    today: date,
    now: datetime,
) -> None:
    """Weekday work, growing as each trainee ramps up, scaled to the target total."""

    def weight(t: Trainee, day: date) -> float:
        return min(1.0, 0.25 + 0.75 * (day - t.hire_date).days / t.ramp_days) * t.speed

    total_weight = sum(
        weight(t, day)
        for t in trainees
        for day in _weekdays(t.hire_date + timedelta(days=5), t.dropped_on or today)
    )
    per_unit = options.activities / max(1.0, total_weight)

    first_activity = writer.next_id(Activity)

    def activities():
        # No query may run inside: the connection is busy with the COPY meanwhile.
        pk = first_activity
        for index, t in enumerate(trainees):
            local = random.Random(f"{options.seed}:{index}")  # noqa: S311 - seeded data
            for day in _weekdays(t.hire_date + timedelta(days=5), t.dropped_on or today):
                volume = per_unit * weight(t, day)
                n = max(0, round(local.gauss(volume, volume**0.5 if volume > 0 else 0)))
                for _ in range(n):
                    roll = local.random()
                    kind = (
                        "call"
                        if roll < 0.86
                        else "meeting"
                        if roll < 0.93
                        else "application"
                        if roll < 0.975
                        else "contract"
                        if roll < 0.985
                        else "referral"
                        if roll < 0.997
                        else "event"
                    )
                    when = _aware(day, local.randint(9 * 60, 18 * 60 - 1), zone)
                    amount = (
                        Decimal(local.randrange(50_000, 900_000, 500))
                        if kind == "contract"
                        else None
                    )
                    source = "telephony" if kind == "call" else "crm"
                    yield (
                        pk,
                        t.enrollment_id,
                        kind,
                        when,
                        source,
                        "pbx" if kind == "call" else "crm",  # the provenance
                        str(uuid.uuid5(NAMESPACE, f"{options.seed}:{pk}")),
                        amount,
                        "",
                        now,
                    )
                    pk += 1

    writer.write(
        Activity,
        [
            "id",
            "enrollment_id",
            "kind",
            "occurred_at",
            "source",
            "provenance",
            "external_id",
            "amount",
            "note",
            "created_at",
        ],
        activities(),
    )


def _write_attempts(writer, trainees, options, rng, today, now) -> None:
    """Graded and awaiting-grading attempts with one response per question."""
    quizzes = list(Quiz.objects.order_by("pk"))
    if not quizzes or not options.attempts:
        return
    questions = {
        quiz.pk: list(
            Question.objects.filter(quiz=quiz).non_polymorphic().values_list("pk", "points")
        )
        for quiz in quizzes
    }
    per_trainee = max(1, options.attempts // max(1, len(trainees)))
    attempt_rows, response_rows = [], []
    attempt_pk = writer.next_id(Attempt)
    response_pk = writer.next_id(Response)
    made = 0
    for t in trainees:
        numbers: dict[int, int] = {}
        for k in range(per_trainee):
            if made >= options.attempts:
                break
            quiz = quizzes[k % len(quizzes)]
            numbers[quiz.pk] = numbers.get(quiz.pk, 0) + 1
            submitted = datetime.combine(
                t.hire_date + timedelta(days=rng.randint(5, 40)),
                time(12),
                tzinfo=timezone.get_current_timezone(),
            )
            awaiting = rng.random() < 0.15
            qs = questions[quiz.pk]
            maximum = sum((p for _pk, p in qs), Decimal(0))
            awarded = (maximum * Decimal(rng.randint(40, 100)) / 100).quantize(Decimal("0.01"))
            percent = (
                (Decimal(100) * awarded / maximum).quantize(Decimal("0.1"))
                if maximum
                else Decimal(0)
            )
            due = submitted.date() + timedelta(days=quiz.grading_due_days)
            overdue = submitted.date() + timedelta(days=quiz.grading_overdue_days)
            attempt_rows.append(
                (
                    attempt_pk,
                    t.enrollment_id,
                    quiz.pk,
                    numbers[quiz.pk],
                    "awaiting_grading" if awaiting else "graded",
                    submitted,
                    submitted,
                    None if awaiting else submitted + timedelta(days=3),
                    None if awaiting else awarded,
                    maximum,
                    None if awaiting else percent,
                    None if awaiting else percent >= quiz.pass_mark,
                    due,
                    overdue,
                )
            )
            for order, (question_pk, points) in enumerate(qs):
                response_rows.append(
                    (
                        response_pk,
                        attempt_pk,
                        question_pk,
                        order,
                        "Synthetic answer.",
                        submitted,
                        None if awaiting else points,
                    )
                )
                response_pk += 1
            attempt_pk += 1
            made += 1
    writer.write(
        Attempt,
        [
            "id",
            "enrollment_id",
            "quiz_id",
            "number",
            "status",
            "started_at",
            "submitted_at",
            "graded_at",
            "awarded_points",
            "max_points",
            "percent",
            "passed",
            "grading_due_on",
            "grading_overdue_on",
        ],
        attempt_rows,
    )
    writer.write(
        Response,
        [
            "id",
            "attempt_id",
            "question_id",
            "order",
            "answer_text",
            "answered_at",
            "awarded_points",
        ],
        response_rows,
    )
