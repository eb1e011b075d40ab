"""The demo's quizzes: the product survey on the Kestrel MF-4200 (the flagship of the Kestrel
office equipment line the demo company distributes) and the role-play certification, placed in
the "sales-training" stage, with attempts in every state for the demo trainees. Questions,
answers and the graders' feedback come from the context's language (``demo/content/``); points,
pass marks and attempts are the same in every language.

Runs after the courses and mentors seeders. Deterministic (uuid5 block ids, dates relative to
each trainee's stage progress) and idempotent (existing quizzes are left as HR may have
edited them; a trainee who has any attempt is skipped). Without the program or enrollments it
does nothing. Attempts go through the services, so scores, due dates, certification and stage
completion are real; historical notifications are removed so the inboxes show only what is
still actionable.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.http import QueryDict
from django.utils import timezone

from courses.models import Enrollment, StagePage, StageProgress
from mentors.models import Mentorship
from people.models import Notification
from quizzes import selectors, services
from quizzes.models import (
    Attempt,
    Choice,
    MultipleChoiceQuestion,
    NumericQuestion,
    OralQuestion,
    Quiz,
    RubricCriterion,
    TrueFalseQuestion,
    WrittenQuestion,
)
from quizzes.question_bank import category_by_path

from .content.base import CertificationText, ProductCheckText, SurveyText
from .courses import demo_program

PROGRAM_SLUG = "account-manager-onboarding"
STAGE_SLUG = "sales-training"
SURVEY_SLUG = "kestrel-mf-4200-product-survey"
CERTIFICATION_SLUG = "role-play-certification"
PRODUCT_CHECK_SLUG = "kestrel-mf-4200-product-check"
QUIZ_SLUGS = [SURVEY_SLUG, PRODUCT_CHECK_SLUG, CERTIFICATION_SLUG]
_NAMESPACE = uuid.UUID("0b8f3d2e-5a61-4c7e-9d14-7e2a9c6b5f01")
# The survey's calculation: the right order total (12 x 48,500 less 3 %) and a weak
# trainee's wrong one; the same in every language.
NUMERIC_ANSWER = "564540"
NUMERIC_WRONG_ANSWER = "553110"
# Where in the sales-training stage a trainee who completed it passed the role-play (the share
# of the stage's time, and the hour): the day they were certified for client work.
CERTIFIED_AT = (0.86, 12)


def planned_certification_day(enrollment) -> date | None:
    """The day the demo certifies this trainee (``seed_attempts`` grades their passing
    role-play then), or None when it never does: the mentors builder reads it so the activity
    follows the certification gate."""
    if enrollment.status == Enrollment.Status.DROPPED:
        return None
    progress = (
        StageProgress.objects.filter(
            enrollment=enrollment, stage__slug=STAGE_SLUG, status=StageProgress.Status.COMPLETED
        )
        .order_by("pk")
        .first()
    )
    if progress is None:
        return None
    now = timezone.now()
    fraction, hour = CERTIFIED_AT
    start, end = progress.available_at or now, progress.completed_at or now
    return timezone.localdate(_point_in(start, end, fraction, hour))


def _id(*parts) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def seed_survey(text: SurveyText) -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        slug=SURVEY_SLUG,
        defaults={
            "title": text.title,
            "description": text.description,
            "pass_mark": 70,
            "max_attempts": 3,
            "grading_due_days": 21,
            "grading_overdue_days": 28,
        },
    )
    if not created:
        return quiz
    order = 0
    for question, notes in text.written:
        order += 1
        WrittenQuestion.objects.create(
            quiz=quiz, order=order, text=question, points=Decimal(5), grader_notes=notes
        )
    order += 1
    NumericQuestion.objects.create(
        quiz=quiz,
        order=order,
        text=text.numeric_text,
        points=Decimal(5),
        correct_value=Decimal(NUMERIC_ANSWER),
        tolerance=Decimal("1"),
        unit=text.numeric_unit,
        explanation=text.numeric_explanation,
        grader_notes=text.numeric_grader_notes,
    )
    for choice_question in (text.box_contents, text.audience):
        order += 1
        question = MultipleChoiceQuestion.objects.create(
            quiz=quiz,
            order=order,
            text=choice_question.text,
            points=Decimal(2),
            explanation=choice_question.explanation,
        )
        for i, (choice, correct) in enumerate(choice_question.choices):
            Choice.objects.create(question=question, text=choice, correct=correct, sort_order=i)
    for statement in text.true_false:
        order += 1
        TrueFalseQuestion.objects.create(
            quiz=quiz,
            order=order,
            text=statement.text,
            correct_answer=statement.correct,
            points=Decimal(1),
            explanation=statement.explanation,
        )
    return quiz


def seed_product_check(text: ProductCheckText, survey: SurveyText) -> Quiz:
    """A purely automatic quiz with instant feedback, drawing from a question bank category
    that holds the survey's automatic questions (so retakes differ)."""
    quiz = Quiz.objects.filter(slug=PRODUCT_CHECK_SLUG).first()
    if quiz is not None:
        return quiz
    category = category_by_path(text.category)
    NumericQuestion.objects.create(
        category=category,
        text=survey.numeric_text,
        points=Decimal(2),
        correct_value=Decimal(NUMERIC_ANSWER),
        tolerance=Decimal("1"),
        unit=survey.numeric_unit,
        explanation=survey.numeric_explanation,
    )
    for choice_question in (survey.box_contents, survey.audience):
        question = MultipleChoiceQuestion.objects.create(
            category=category,
            text=choice_question.text,
            points=Decimal(2),
            explanation=choice_question.explanation,
        )
        for i, (choice, correct) in enumerate(choice_question.choices):
            Choice.objects.create(
                question=question,
                text=choice,
                correct=correct,
                sort_order=i,
                feedback=choice_question.explanation if correct else "",
            )
    for statement in survey.true_false:
        TrueFalseQuestion.objects.create(
            category=category,
            text=statement.text,
            correct_answer=statement.correct,
            points=Decimal(1),
            explanation=statement.explanation,
        )
    in_pool = 3 + len(survey.true_false)
    return Quiz.objects.create(
        slug=PRODUCT_CHECK_SLUG,
        title=text.title,
        description=text.description,
        pass_mark=80,
        pool_category=category,
        pool_size=max(1, in_pool - 2),
        shuffle_questions=True,
        shuffle_answers=True,
        instant_feedback=True,
    )


def seed_certification(text: CertificationText) -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        slug=CERTIFICATION_SLUG,
        defaults={
            "title": text.title,
            "description": text.description,
            "pass_mark": 70,
            "is_certification": True,
            "max_attempts": 2,
            "grading_due_days": 7,
            "grading_overdue_days": 14,
        },
    )
    if not created:
        return quiz
    question = OralQuestion.objects.create(
        quiz=quiz,
        order=1,
        text=text.task,
        points=Decimal(20),
        grader_notes=text.grader_notes,
    )
    for i, (name, description) in enumerate(text.rubric):
        RubricCriterion.objects.create(
            question=question,
            name=name,
            description=description,
            max_points=Decimal(4),
            levels=text.levels,
            sort_order=i,
        )
    return quiz


def place_in_stage(stage, quizzes, optional=()) -> bool:
    """Append a quiz block for each quiz missing from the stage (required unless in
    ``optional``); publish a revision."""
    present = {quiz_id for quiz_id, _required in selectors.quiz_blocks_raw(stage)}
    missing = [quiz for quiz in quizzes if quiz.pk not in present]
    if not missing:
        return False
    stage = stage.get_latest_revision_as_object()
    data = list(stage.body.raw_data)
    for quiz in missing:
        data.append(
            {
                "type": "quiz",
                "value": {"quiz": quiz.pk, "required": quiz not in optional},
                "id": _id(stage.slug, "quiz", quiz.slug),
            }
        )
    stage.body = data
    stage.save_revision().publish()
    return True


# --- Attempts -----------------------------------------------------------------------------


def _grader(ctx, enrollment):
    mentorship = (
        Mentorship.objects.filter(enrollment=enrollment).order_by("ended_on", "-pk").first()
    )
    return mentorship.mentor if mentorship else ctx.users.get("mentor1")


def _answers(quiz, text: SurveyText, *, good: bool, upto: int | None = None) -> dict:
    """Form data for the survey: good or weak answers (the first ``upto`` questions only)."""
    data = {}
    questions = list(quiz.questions.order_by("order", "pk"))[:upto]
    written_n = 0
    for question in questions:
        name = f"q{question.pk}"
        if isinstance(question, WrittenQuestion):
            data[name] = (text.good_answers if good else text.weak_answers)[written_n]
            written_n += 1
        elif isinstance(question, NumericQuestion):
            data[name] = NUMERIC_ANSWER if good else NUMERIC_WRONG_ANSWER
        elif isinstance(question, MultipleChoiceQuestion):
            choices = list(question.choices.all())
            picked = [c for c in choices if c.correct] if good else choices[:1]
            data[name] = [str(c.pk) for c in picked]
        elif isinstance(question, TrueFalseQuestion):
            right = question.correct_answer if good else not question.correct_answer
            data[name] = "true" if right else "false"
    return data


def _take(enrollment, quiz, data, at: datetime, *, submit=True):
    trainee = enrollment.trainee
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee, now=at)
    form = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            form.setlist(key, value)
        else:
            form[key] = value
    services.attempt_save_answers(
        attempt=attempt, user=trainee, data=form, now=at + timedelta(minutes=35)
    )
    if submit:
        services.attempt_submit(attempt=attempt, user=trainee, now=at + timedelta(minutes=50))
    attempt.refresh_from_db()
    return attempt


def _grade(attempt, grader, at: datetime, *, share: Decimal, feedback: str):
    """Score every manual response at ``share`` of its maximum (per rubric criterion)."""
    services.attempt_lease_acquire(attempt=attempt, user=grader, now=at)
    grades = {}
    for item in selectors.attempt_sheet(attempt):
        if not item.is_manual:
            continue
        if item.criteria:
            grades[item.response.pk] = services.ResponseGrade(
                criteria={
                    c.pk: (c.max_points * share).quantize(Decimal("1")) for c in item.criteria
                },
                feedback=feedback,
            )
        else:
            grades[item.response.pk] = services.ResponseGrade(
                points=(item.question.points * share).quantize(Decimal("1")), feedback=feedback
            )
    services.attempt_grade(
        attempt=attempt, grader=grader, grades=grades, finish=True, now=at + timedelta(minutes=20)
    )


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _point_in(start: datetime, end: datetime, fraction: float, hour: int) -> datetime:
    day = timezone.localdate(start + (end - start) * fraction)
    return _at(day, hour)


def seed_attempts(ctx, program, stage, survey, certification) -> None:
    enrollments = list(
        Enrollment.objects.filter(program=program)
        .select_related("trainee")
        .order_by("hire_date", "pk")
    )
    progress = {
        p.enrollment_id: p
        for p in StageProgress.objects.filter(stage=stage, enrollment__in=enrollments)
    }
    if Attempt.objects.filter(enrollment__in=enrollments).exists():
        return
    now = timezone.now()
    words, feedback = ctx.content.survey, ctx.content.feedback
    completed = [
        e
        for e in enrollments
        if e.status != Enrollment.Status.DROPPED
        and progress.get(e.pk)
        and progress[e.pk].status == "completed"
    ]
    current = [
        e
        for e in enrollments
        if e.status == Enrollment.Status.ACTIVE
        and progress.get(e.pk)
        and progress[e.pk].status in ("available", "in_progress")
    ]
    for n, enrollment in enumerate(completed):
        prog = progress[enrollment.pk]
        start, end = prog.available_at or now, prog.completed_at or now
        grader = _grader(ctx, enrollment)
        if n == 1:
            # First survey attempt failed, the second passed.
            weak = _answers(survey, words, good=False)
            first = _take(enrollment, survey, weak, _point_in(start, end, 0.2, 10))
            _grade(
                first,
                grader,
                _point_in(start, end, 0.3, 16),
                share=Decimal("0.4"),
                feedback=feedback.survey_weak,
            )
        good = _answers(survey, words, good=True)
        attempt = _take(enrollment, survey, good, _point_in(start, end, 0.45, 10))
        _grade(
            attempt,
            grader,
            _point_in(start, end, 0.6, 16),
            share=Decimal("0.8"),
            feedback=feedback.survey_good,
        )
        if n == 2:
            # The certification failed once; the second and last attempt passed.
            first = _take(enrollment, certification, {}, _point_in(start, end, 0.65, 11))
            _grade(
                first,
                grader,
                _point_in(start, end, 0.66, 12),
                share=Decimal("0.5"),
                feedback=feedback.certification_weak,
            )
        cert = _take(enrollment, certification, {}, _point_in(start, end, 0.85, 11))
        _grade(
            cert,
            grader,
            _point_in(start, end, *CERTIFIED_AT),
            share=Decimal("0.75"),
            feedback=feedback.certification_good,
        )
        if n == 0:
            # The director's extra control: the mentor's grading of the survey agreed.
            services.survey_review(
                attempt=attempt,
                reviewer=ctx.users["director"],
                decision="agreed",
                comment=ctx.content.feedback.director_agreed,
                now=_point_in(start, end, 0.62, 17),
            )
    today = timezone.localdate()
    for n, enrollment in enumerate(current[:3]):
        opened = progress[enrollment.pk].available_at or now
        earliest = timezone.localdate(opened) + timedelta(days=1)
        if n == 0:
            # The survey waits past its due date, and the role-play certification (graded
            # within a week, overdue after two) is overdue: escalated to HR and directors.
            day = max(earliest, today - timedelta(days=30))
            _take(enrollment, survey, _answers(survey, words, good=True), _at(day, 11))
            cert_day = max(
                earliest + timedelta(days=3),
                today - timedelta(days=certification.grading_overdue_days + 2),
            )
            _take(enrollment, certification, {}, _at(min(cert_day, today), 15))
        elif n == 1:
            # Due in two days.
            day = max(earliest, today - timedelta(days=survey.grading_due_days - 2))
            _take(enrollment, survey, _answers(survey, words, good=True), _at(day, 11))
            # The first role-play failed: the trainee's next attempt is the last one.
            cert_day = min(max(earliest + timedelta(days=1), today - timedelta(days=4)), today)
            first = _take(enrollment, certification, {}, _at(cert_day, 11))
            _grade(
                first,
                _grader(ctx, enrollment),
                _at(cert_day, 12),
                share=Decimal("0.5"),
                feedback=feedback.certification_weak,
            )
        else:
            day = min(max(earliest, today - timedelta(days=1)), today)
            partial = _answers(survey, words, good=True, upto=3)
            _take(enrollment, survey, partial, _at(day, 9), submit=False)
            # The role-play is booked: date, place and who grades.
            grader = _grader(ctx, enrollment)
            booked = _at(today + timedelta(days=3), 15)
            services.roleplay_schedule(
                enrollment=enrollment,
                quiz=certification,
                scheduled_at=booked,
                place=ctx.content.certification.place,
                grader=grader,
                user=ctx.users["hr"],
                now=min(timezone.now(), booked - timedelta(days=1)),
            )


def seed(ctx) -> None:
    program = demo_program()
    if program is None:
        return
    stage = StagePage.objects.child_of(program).filter(slug=STAGE_SLUG).first()
    if stage is None or not Enrollment.objects.filter(program=program).exists():
        return
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    new_quizzes = len(QUIZ_SLUGS) - Quiz.objects.filter(slug__in=QUIZ_SLUGS).count()
    survey = seed_survey(ctx.content.survey)
    # Practice, not a gate: the stage does not wait for it (the trainees who completed the
    # stage did so before it existed).
    check = seed_product_check(ctx.content.product_check, ctx.content.survey)
    certification = seed_certification(ctx.content.certification)
    if new_quizzes:
        ctx.count("quizzes", new_quizzes)
    if place_in_stage(stage, [survey, check, certification], optional=[check]):
        ctx.count("pages")
        stage.refresh_from_db()
    existing = Attempt.objects.count()
    seed_attempts(ctx, program, stage, survey, certification)
    if Attempt.objects.count() > existing:
        ctx.count("attempts", Attempt.objects.count() - existing)
    # Keep only what is still actionable: graders' notices of attempts awaiting grading.
    awaiting = [
        f"/grading/{pk}/" for pk in Attempt.objects.awaiting_grading().values_list("pk", flat=True)
    ]
    Notification.objects.filter(pk__gt=before).exclude(url__in=awaiting).delete()
