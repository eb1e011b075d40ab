"""Writes of attempts, grading, overrides, extra attempts and the grading deadlines.

Scoring rules (exact, in Decimal):
- multiple choice: full points when the set of chosen choices equals the set of correct ones;
- true/false: full points when the answer equals the statement's truth;
- numeric: full points when |answer - correct| <= tolerance;
- manual (written, oral): the grader awards 0..points, or 0..max per rubric criterion.
Percent = 100 x awarded / maximum, rounded half-up to one decimal; passed when >= pass mark.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from courses import coaching
from courses.models import Enrollment
from courses.services import enrollment_evaluate, stage_is_open_to_trainee
from people import formatting
from people.languages import language_of
from people.names import display_name
from people.permissions import is_grader
from people.roles import Role
from people.services import notify

from . import grading_rules, permissions, selectors, signals
from .grading_rules import GradingLockError, grading_dates, lease_minutes  # noqa: F401 (views catch services.GradingLockError)
from .models import (
    Attempt,
    Choice,
    CriterionScore,
    ExtraAttemptGrant,
    GradeChange,
    GradingDeadline,
    Question,
    Quiz,
    Response,
    RolePlaySession,
    SurveyReview,
    choices_score,
    percent_of,
)

# --- Taking a quiz ------------------------------------------------------------------------


def _stage_is_open(enrollment, quiz) -> bool:

    return any(
        stage_is_open_to_trainee(enrollment, stage)
        for stage in selectors.stages_holding(enrollment.program, quiz)
    )


@transaction.atomic
def attempt_start(*, enrollment, quiz: Quiz, user, now: datetime | None = None) -> Attempt:
    """Start an attempt, or return the one in progress (resuming it)."""

    now = now or timezone.now()
    if user.pk != enrollment.trainee_id:
        raise PermissionDenied(_("Only the trainee takes their own quizzes."))
    if quiz.is_oral:
        raise ValidationError(
            _("This survey is oral: your grader asks the questions and records your answers.")
        )
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.DROPPED:
        raise ValidationError(_("Your enrollment is closed."))
    state = selectors.quiz_state(enrollment, quiz)
    if state.in_progress is not None:
        return attempt_expire_if_due(attempt=state.in_progress, now=now)
    if not _stage_is_open(enrollment, quiz):
        raise ValidationError(_("The stage with this quiz is not open to you yet."))
    if state.passed:
        raise ValidationError(_("You have already passed this quiz."))
    if state.awaiting is not None:
        raise ValidationError(_("Your previous attempt is still waiting to be graded."))
    if not state.can_start:
        raise ValidationError(_("You have no attempts left for this quiz."))
    attempt = Attempt(
        enrollment=enrollment,
        quiz=quiz,
        number=(state.latest.number if state.latest else 0) + 1,
        started_at=now,
    )
    attempt.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError as exc:
        raise ValidationError(_("An attempt at this quiz is already in progress.")) from exc
    question_ids = list(
        Question.objects.filter(quiz=quiz)
        .non_polymorphic()
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    question_ids += _draw_from_pool(quiz, enrollment, exclude=set(question_ids))
    if not question_ids:
        raise ValidationError(_("This quiz has no questions yet."))
    if quiz.shuffle_questions:
        # Seeded by the attempt: the same order whenever it is rebuilt; no secret depends on it.
        random.Random(attempt.pk).shuffle(question_ids)  # noqa: S311
    orders = _choice_orders(question_ids, seed=attempt.pk) if quiz.shuffle_answers else {}
    Response.objects.bulk_create(
        Response(attempt=attempt, question_id=qid, order=i, choice_order=orders.get(qid, []))
        for i, qid in enumerate(question_ids, start=1)
    )
    return attempt


def _draw_from_pool(quiz: Quiz, enrollment, *, exclude: set[int]) -> list[int]:
    """``pool_size`` questions at random from the quiz's pool: its category (with
    sub-categories), its tag, or the category's questions with the tag; those this trainee
    was not given in an earlier attempt first. The attempt's responses keep what was drawn,
    so grading and review show exactly these."""
    pool = selectors.pool_questions(quiz)
    if pool is None:
        return []
    candidates = [pk for pk in pool.values_list("pk", flat=True) if pk not in exclude]
    seen = set(
        Response.objects.filter(
            attempt__enrollment=enrollment, attempt__quiz=quiz, question_id__in=candidates
        ).values_list("question_id", flat=True)
    )
    rng = random.SystemRandom()
    fresh = [pk for pk in candidates if pk not in seen]
    again = [pk for pk in candidates if pk in seen]
    rng.shuffle(fresh)
    rng.shuffle(again)
    return (fresh + again)[: quiz.pool_size]


def _choice_orders(question_ids: list[int], *, seed: int) -> dict[int, list[int]]:
    by_question: dict[int, list[int]] = {}
    for question_id, choice_id in (
        Choice.objects.filter(question_id__in=question_ids)
        .order_by("sort_order", "pk")
        .values_list("question_id", "pk")
    ):
        by_question.setdefault(question_id, []).append(choice_id)
    rng = random.Random(seed)  # noqa: S311 - an order to show, not a secret
    for ids in by_question.values():
        rng.shuffle(ids)
    return by_question


@dataclass
class AnswerErrors:
    errors: dict[int, str] = field(default_factory=dict)

    def __bool__(self):
        return bool(self.errors)


def parse_decimal(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if not value.is_finite() or abs(value) >= Decimal(10) ** 12:
        raise ValueError(raw)
    return value.quantize(Decimal("0.0001"))


def _check_open(attempt: Attempt, user) -> None:
    if user.pk != attempt.enrollment.trainee_id:
        raise PermissionDenied(_("This is not your attempt."))
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise ValidationError(_("This attempt was already submitted."))


def attempt_save_answers(
    *, attempt: Attempt, user, data, now: datetime | None = None
) -> AnswerErrors:
    """Save the answers present in ``data`` (a QueryDict or dict of lists), question by
    question; answers that cannot be read are reported and left as they were. After the
    time limit nothing more is saved: the attempt is submitted as it stands."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_related("quiz", "enrollment").get(pk=attempt.pk)
    _check_open(attempt, user)
    deadline = attempt.deadline()
    if deadline is not None and now > deadline + timedelta(seconds=30):
        attempt_submit(attempt=attempt, user=user, now=now, reason="time")
        raise ValidationError(_("Time is up: your attempt was submitted with the saved answers."))
    return _save_answers(attempt=attempt, user=user, data=data, now=now)


@transaction.atomic
def _save_answers(*, attempt: Attempt, user, data, now: datetime) -> AnswerErrors:
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment")
        .get(pk=attempt.pk)
    )
    _check_open(attempt, user)
    errors = AnswerErrors()
    for item in selectors.attempt_sheet(attempt):
        name = f"q{item.question.pk}"
        response = item.response
        kind = item.kind
        if kind == "choices":
            if name not in data and "all_answers" not in data:
                continue
            values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
            valid = {c.pk for c in item.choices}
            chosen = {int(v) for v in values if str(v).isdigit() and int(v) in valid}
            response.chosen.set(chosen)
        elif kind == "boolean":
            if name not in data:
                continue
            raw = _single(data, name)
            response.answer_bool = {"true": True, "false": False}.get(raw)
        elif kind == "decimal":
            if name not in data:
                continue
            try:
                response.answer_decimal = parse_decimal(_single(data, name))
            except ValueError:
                errors.errors[item.question.pk] = _("Enter a number, for example 12500.50.")
                continue
        elif kind in ("text", "short"):
            if name not in data:
                continue
            text = _single(data, name)
            if len(text) > settings.ANSWER_MAX_LENGTH:
                errors.errors[item.question.pk] = _(
                    "Keep the answer within %(limit)s characters; this one has %(n)s. "
                    "It was not saved."
                ) % {
                    "limit": formatting.number(settings.ANSWER_MAX_LENGTH),
                    "n": formatting.number(len(text)),
                }
                continue
            response.answer_text = text
        else:
            continue
        response.answered_at = now
        response.save()
    return errors


def _single(data, name) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value)


def attempt_expire_if_due(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit an attempt whose time limit ran out (answers saved so far count)."""
    now = now or timezone.now()
    deadline = attempt.deadline()
    if (
        attempt.status == Attempt.Status.IN_PROGRESS
        and deadline is not None
        and now > deadline + timedelta(seconds=30)
    ):
        return attempt_submit(
            attempt=attempt, user=attempt.enrollment.trainee, now=now, reason="time"
        )
    return attempt


@transaction.atomic
def attempt_submit(
    *, attempt: Attempt, user, now: datetime | None = None, reason: str = ""
) -> Attempt:
    """Submit: automatic questions are scored now; with manual ones the attempt waits for a
    grader (due and overdue dates set), otherwise it is graded at once."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment__trainee")
        .get(pk=attempt.pk)
    )
    _check_open(attempt, user)
    sheet = selectors.attempt_sheet(attempt)
    for item in sheet:
        if not item.is_manual:
            item.response.awarded_points = score_item(item)
            item.response.graded_at = now
            item.response.save(update_fields=["awarded_points", "graded_at"])
    attempt.submitted_at = now
    has_manual = any(item.is_manual for item in sheet)
    if has_manual:
        today = timezone.localdate(now)
        attempt.status = Attempt.Status.AWAITING_GRADING
        attempt.grading_due_on, attempt.grading_overdue_on = grading_dates(
            today,
            due_days=attempt.quiz.grading_due_days,
            overdue_days=attempt.quiz.grading_overdue_days,
        )
        attempt.save()
        _notify_graders_of_submission(attempt)
    else:
        attempt.save()
        _attempt_finalize(attempt, sheet=sheet, actor=None, now=now)
    return attempt


class _ScoringView:
    """What an automatic question's score() reads, backed by the already loaded sheet item."""

    def __init__(self, item):
        self.answer_bool = item.response.answer_bool
        self.answer_decimal = item.response.answer_decimal
        self.answer_text = item.response.answer_text
        self._chosen = [c for c in item.choices if c.pk in item.chosen_ids]

    @property
    def chosen(self):
        return _ListManager(self._chosen)


class _ListManager:
    def __init__(self, items):
        self._items = items

    def all(self):
        return self._items


def score_item(item) -> Decimal:
    """The automatic score of a sheet item, without extra queries."""
    question = item.question
    if question.answer_kind == "choices":
        return choices_score(
            question.points, item.choices, [c for c in item.choices if c.pk in item.chosen_ids]
        )
    return question.score(_ScoringView(item))


def _attempt_finalize(attempt: Attempt, *, sheet, actor, now: datetime) -> None:
    """Compute the result of a fully scored attempt, then certification, notifications and
    the stage completion engine."""

    was_graded = attempt.status == Attempt.Status.GRADED
    awarded = sum((item.response.awarded_points or Decimal(0) for item in sheet), Decimal(0))
    maximum = sum((item.question.points for item in sheet), Decimal(0))
    attempt.awarded_points = awarded
    attempt.max_points = maximum
    attempt.percent = percent_of(awarded, maximum)
    attempt.passed = attempt.percent >= attempt.quiz.pass_mark
    attempt.status = Attempt.Status.GRADED
    if not was_graded:
        attempt.graded_at = now
        attempt.graded_by = actor
    attempt.leased_to = None
    attempt.lease_expires_at = None
    attempt.full_clean(validate_constraints=False)
    attempt.save()
    if attempt.quiz.is_certification:
        _certification_sync(attempt.enrollment, attempt.quiz, actor=actor)
    if actor is not None:
        # Automatic results show at once on submit; a person's grading is announced.
        _notify_trainee_of_result(attempt, regraded=was_graded)
    enrollment_evaluate(enrollment=attempt.enrollment, actor=actor)


def _certification_sync(enrollment, quiz: Quiz, *, actor) -> None:
    """Passing clears the trainee for client work; failing the last allowed attempt flags the
    enrollment and tells HR and directors."""

    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    state = selectors.quiz_state(enrollment, quiz)
    passed = state.passed_attempt
    changed = []
    if passed is not None:
        cleared_on = timezone.localdate(passed.graded_at or timezone.now())
        if enrollment.cleared_for_client_work_on is None:
            enrollment.cleared_for_client_work_on = cleared_on
            changed.append("cleared_for_client_work_on")
        if enrollment.certification_failed:
            enrollment.certification_failed = False
            changed.append("certification_failed")
    else:
        failed = not state.can_start and not state.in_progress and not state.awaiting
        if enrollment.cleared_for_client_work_on is not None:
            enrollment.cleared_for_client_work_on = None
            changed.append("cleared_for_client_work_on")
        if failed != enrollment.certification_failed:
            enrollment.certification_failed = failed
            changed.append("certification_failed")
            if failed:
                _notify_certification_failed(enrollment, quiz)
    if changed:
        enrollment.save(update_fields=changed)
    if "cleared_for_client_work_on" in changed and enrollment.cleared_for_client_work_on:
        signals.certified.send(sender=Enrollment, enrollment=enrollment)


# --- Grading ------------------------------------------------------------------------------


def attempts_for_grading(user):
    return Attempt.objects.submitted().for_grader(user)


def attempt_lease_acquire(*, attempt: Attempt, user, now: datetime | None = None) -> bool:
    """Take (or renew) the grading lease (grading_rules.lease_take): of two graders racing
    for a free attempt exactly one gets it. Returns whether this user holds it now."""
    now = now or timezone.now()
    if not is_grader(user) or permissions.is_own_attempt(user, attempt):
        raise PermissionDenied
    taken = grading_rules.lease_take(
        Attempt.objects.filter(status=Attempt.Status.AWAITING_GRADING),
        obj=attempt,
        user=user,
        now=now,
    )
    attempt.refresh_from_db(fields=["status"])
    return taken


def attempt_lease_release(*, attempt: Attempt, user) -> bool:
    return grading_rules.lease_release(Attempt, obj=attempt, user=user)


def _lease_for_saving(attempt: Attempt, *, grader, now: datetime) -> None:
    grading_rules.lease_for_saving(
        attempt,
        grader=grader,
        now=now,
        take=lambda: attempt_lease_acquire(attempt=attempt, user=grader, now=now),
    )


@dataclass
class ResponseGrade:
    points: Decimal | None = None
    criteria: dict[int, Decimal | None] = field(default_factory=dict)
    feedback: str = ""
    # An oral survey's answer as the grader recorded it (None: unchanged).
    answer: str | None = None


def _validate_grade(item, grade: ResponseGrade) -> tuple[Decimal | None, dict[int, Decimal]]:
    """The response's points and criterion scores from a grade, checked against the maxima."""
    if item.criteria:
        scores = {}
        for criterion in item.criteria:
            value = grade.criteria.get(criterion.pk)
            if value is None:
                continue
            if value < 0 or value > criterion.max_points:
                raise ValidationError(
                    _("%(name)s: give 0 to %(max)s points.")
                    % {"name": criterion.name, "max": criterion.max_points}
                )
            scores[criterion.pk] = value
        if len(scores) == len(item.criteria):
            return sum(scores.values(), Decimal(0)), scores
        return None, scores
    if grade.points is None:
        return None, {}
    if grade.points < 0 or grade.points > item.question.points:
        raise ValidationError(
            _("Question %(n)s: give 0 to %(max)s points.")
            % {"n": item.response.order, "max": item.question.points}
        )
    return grade.points, {}


def _apply_grade(item, grade: ResponseGrade, *, user, now, reason="", is_override=False):
    points, scores = _validate_grade(item, grade)
    response = item.response
    for criterion_id, value in scores.items():
        CriterionScore.objects.update_or_create(
            response=response, criterion_id=criterion_id, defaults={"points": value}
        )
    old = response.awarded_points
    changed = []
    if points is not None and (points != old or is_override):
        if old is not None or is_override:
            GradeChange.objects.create(
                response=response,
                old_points=old,
                new_points=points,
                changed_by=user,
                changed_at=now,
                reason=reason,
                is_override=is_override,
            )
        response.awarded_points = points
        response.graded_by = user
        response.graded_at = now
        changed += ["awarded_points", "graded_by", "graded_at"]
    if grade.feedback != response.feedback:
        response.feedback = grade.feedback
        changed.append("feedback")
    if grade.answer is not None and grade.answer != response.answer_text:
        if len(grade.answer) > settings.ANSWER_MAX_LENGTH:
            raise ValidationError(
                _("Keep the answer within %(limit)s characters.")
                % {"limit": formatting.number(settings.ANSWER_MAX_LENGTH)}
            )
        response.answer_text = grade.answer
        response.answered_at = now
        changed += ["answer_text", "answered_at"]
    if changed:
        response.save(update_fields=changed)
    item.scores.update(scores)


@transaction.atomic
def attempt_grade(
    *,
    attempt: Attempt,
    grader,
    grades: dict[int, ResponseGrade],
    finish: bool = False,
    now: datetime | None = None,
) -> Attempt:
    """Save a grader's scores and feedback (part-way is fine); with ``finish`` every manual
    response must be scored and the attempt is graded. Needs the grader's valid lease."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment__trainee", "leased_to")
        .get(pk=attempt.pk)
    )
    permissions.check_grade(grader, attempt)
    _lease_for_saving(attempt, grader=grader, now=now)
    sheet = selectors.attempt_sheet(attempt)
    for item in sheet:
        if item.is_manual and item.response.pk in grades:
            grade = grades[item.response.pk]
            if not attempt.quiz.is_oral:
                grade.answer = None  # a written answer is the trainee's own
            _apply_grade(item, grade, user=grader, now=now)
    if finish:
        missing = [
            i.response.order for i in sheet if i.is_manual and i.response.awarded_points is None
        ]
        if missing:
            raise ValidationError(
                _("Score every question before finishing (missing: %(list)s).")
                % {"list": ", ".join(str(n) for n in missing)}
            )
        _attempt_finalize(attempt, sheet=sheet, actor=grader, now=now)
    else:
        grading_rules.lease_renew(attempt, now=now)
    return attempt


@transaction.atomic
def response_override(
    *,
    response: Response,
    user,
    grade: ResponseGrade,
    reason: str,
    now: datetime | None = None,
) -> Attempt:
    """A director or HR changes a graded response's points with a reason; the attempt's
    result is recomputed and the trainee told."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment__trainee")
        .get(pk=response.attempt_id)
    )
    permissions.check_override(user, attempt)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the change.")})
    sheet = selectors.attempt_sheet(attempt)
    item = next(i for i in sheet if i.response.pk == response.pk)
    if not item.is_manual:
        # An automatic question's points are overridden directly (0..points).
        grade = ResponseGrade(points=grade.points, feedback=grade.feedback)
        item = selectors.SheetItem(
            response=item.response, question=item.question, chosen_ids=item.chosen_ids
        )
    points, _scores = _validate_grade(item, grade)
    if points is None:
        raise ValidationError(_("Give the new points."))
    _apply_grade(item, grade, user=user, now=now, reason=reason, is_override=True)
    _attempt_finalize(attempt, sheet=sheet, actor=user, now=now)
    return attempt


@transaction.atomic
def extra_attempt_grant(*, enrollment, quiz: Quiz, user, reason: str) -> ExtraAttemptGrant:
    """HR allows one more attempt after the last allowed one failed (never to themselves)."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    permissions.check_grant_extra_attempt(
        user, selectors.quiz_state(enrollment, quiz), enrollment=enrollment
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extra attempt.")})
    grant = ExtraAttemptGrant(enrollment=enrollment, quiz=quiz, granted_by=user, reason=reason)
    grant.full_clean()
    grant.save()
    if quiz.is_certification and enrollment.certification_failed:
        enrollment.certification_failed = False
        enrollment.save(update_fields=["certification_failed"])
    with language_of(enrollment.trainee):
        notify(
            recipient=enrollment.trainee,
            title=_("You have one more attempt at %(quiz)s") % {"quiz": quiz.title},
            body=reason,
            url=reverse("quizzes:quiz", args=[quiz.slug]),
            dedupe_key=f"quiz-extra-attempt:{grant.pk}",
        )
    return grant


# --- Notifications and deadlines ----------------------------------------------------------


def _users_in(*role_names):
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, groups__name__in=role_names).distinct().order_by("pk")
    )


def graders_of(attempt: Attempt) -> list:
    """Who is expected to grade: the trainee's active mentor, else HR (but not the trainee,
    an HR person enrolled as one: nobody grades themselves)."""
    mentor = coaching.active_mentor_of(attempt.enrollment_id)
    if mentor is not None:
        return [mentor]
    trainee_id = attempt.enrollment.trainee_id
    return [user for user in _users_in(Role.HR) if user.pk != trainee_id]


def _trainee_name(attempt) -> str:
    return display_name(attempt.enrollment.trainee)


def _notify_graders_of_submission(attempt: Attempt) -> None:
    for grader in graders_of(attempt):
        with language_of(grader):
            notify(
                recipient=grader,
                title=_("%(name)s submitted %(quiz)s for grading")
                % {"name": _trainee_name(attempt), "quiz": attempt.quiz.title},
                body=_("Please grade it by %(date)s.")
                % {"date": date_format(attempt.grading_due_on)},
                url=reverse("quizzes:grade", args=[attempt.pk]),
                dedupe_key=f"quiz-submitted:{attempt.pk}:{grader.pk}",
                send_email=False,
            )


def _notify_trainee_of_result(attempt: Attempt, *, regraded: bool) -> None:
    # Lazy: translated in the trainee's language, inside language_of() below.
    if regraded:
        title = gettext_lazy("The result of %(quiz)s was changed: %(percent)s%%")
    elif attempt.passed:
        title = gettext_lazy("You passed %(quiz)s with %(percent)s%%")
    else:
        title = gettext_lazy("%(quiz)s graded: %(percent)s%%, not passed")
    with language_of(attempt.enrollment.trainee):
        notify(
            recipient=attempt.enrollment.trainee,
            title=title
            % {"quiz": attempt.quiz.title, "percent": formatting.number(attempt.percent)},
            body=_("Open the result to see the points and feedback for every question."),
            url=reverse("quizzes:attempt", args=[attempt.pk]),
        )


def _notify_certification_failed(enrollment, quiz: Quiz) -> None:
    name = display_name(enrollment.trainee)
    for user in _users_in(Role.HR, Role.DIRECTOR):
        with language_of(user):
            notify(
                recipient=user,
                title=_("%(name)s failed the last attempt at %(quiz)s")
                % {"name": name, "quiz": quiz.title},
                body=_("HR may grant one extra attempt, with a reason."),
                url=reverse("quizzes:quiz_results", args=[quiz.slug]),
                dedupe_key=f"quiz-cert-failed:{enrollment.pk}:{quiz.pk}:"
                f"{enrollment.extra_attempt_grants.filter(quiz=quiz).count()}:{user.pk}",
            )


def _reminder_title(deadline: GradingDeadline) -> str:
    """The reminder's title for the grader in the active language, a format string of
    %(quiz)s, %(name)s and %(days)d."""
    if deadline.state == GradingDeadline.DUE:
        return _("Grading due today: %(quiz)s by %(name)s")
    if deadline.state == GradingDeadline.LATE:
        return ngettext(
            "Grading %(days)d day past due: %(quiz)s by %(name)s",
            "Grading %(days)d days past due: %(quiz)s by %(name)s",
            deadline.days,
        )
    return ngettext(
        "Grading due in %(days)d day: %(quiz)s by %(name)s",
        "Grading due in %(days)d days: %(quiz)s by %(name)s",
        deadline.days,
    ).replace("%(days)d", str(deadline.days))


def grading_deadlines_notify(*, today: date | None = None) -> dict[str, int]:
    """The daily check: remind the grader two days before the due date and on it, escalate
    to HR and directors at the overdue date. Missed days catch up; dedupe keys make a
    second run (or a task delivered twice) notify nobody again."""
    today = today or timezone.localdate()
    sent = {"reminders": 0, "escalations": 0}
    attempts = (
        Attempt.objects.awaiting_grading()
        .filter(grading_due_on__lte=today + timedelta(days=GradingDeadline.REMIND_DAYS_BEFORE))
        .select_related("quiz", "enrollment__trainee")
        .order_by("pk")
    )
    escalate_to = None
    for attempt in attempts:
        url = reverse("quizzes:grade", args=[attempt.pk])
        name = _trainee_name(attempt)
        deadline = attempt.grading_deadline(today)
        if deadline.state == GradingDeadline.OVERDUE:
            escalate_to = (
                escalate_to if escalate_to is not None else _users_in(Role.HR, Role.DIRECTOR)
            )
            for user in escalate_to:
                with language_of(user):
                    notify(
                        recipient=user,
                        title=_("Overdue grading: %(quiz)s by %(name)s")
                        % {"quiz": attempt.quiz.title, "name": name},
                        body=_("Submitted on %(submitted)s, due %(due)s, not graded yet.")
                        % {
                            "submitted": date_format(timezone.localdate(attempt.submitted_at)),
                            "due": date_format(attempt.grading_due_on),
                        },
                        url=url,
                        dedupe_key=f"quiz-overdue:{attempt.pk}:{user.pk}",
                    )
                sent["escalations"] += 1
            continue
        kind = deadline.state
        for grader in graders_of(attempt):
            with language_of(grader):
                notify(
                    recipient=grader,
                    title=_reminder_title(deadline)
                    % {"quiz": attempt.quiz.title, "name": name, "days": deadline.days},
                    body=_("Please grade it by %(date)s.")
                    % {"date": date_format(attempt.grading_due_on)},
                    url=url,
                    dedupe_key=f"quiz-grading-{kind}:{attempt.pk}:{attempt.grading_due_on}:{grader.pk}",
                )
            sent["reminders"] += 1
    return sent


# --- Oral surveys ---------------------------------------------------------------------------


@transaction.atomic
def oral_attempt_start(*, enrollment, quiz: Quiz, grader, now: datetime | None = None) -> Attempt:
    """The grader starts an oral survey with the trainee: the attempt waits for grading at
    once, held by the grader, who records the answers and the scores on the grading page
    during the conversation."""
    now = now or timezone.now()
    permissions.check_hold_oral(grader, enrollment, quiz)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.DROPPED:
        raise ValidationError(_("The enrollment is closed."))
    state = selectors.quiz_state(enrollment, quiz)
    if state.awaiting is not None:
        return state.awaiting
    if not _stage_is_open(enrollment, quiz):
        raise ValidationError(_("The stage with this quiz is not open to the trainee yet."))
    if state.passed:
        raise ValidationError(_("The trainee has already passed this quiz."))
    if not state.can_start:
        raise ValidationError(_("The trainee has no attempts left for this quiz."))
    question_ids = list(
        Question.objects.filter(quiz=quiz)
        .non_polymorphic()
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    if not question_ids:
        raise ValidationError(_("This quiz has no questions yet."))
    today = timezone.localdate(now)
    attempt = Attempt(
        enrollment=enrollment,
        quiz=quiz,
        number=(state.latest.number if state.latest else 0) + 1,
        started_at=now,
        submitted_at=now,
        status=Attempt.Status.AWAITING_GRADING,
        grading_due_on=today + timedelta(days=quiz.grading_due_days),
        grading_overdue_on=today + timedelta(days=quiz.grading_overdue_days),
        leased_to=grader,
        lease_expires_at=now + timedelta(minutes=lease_minutes()),
    )
    attempt.full_clean(validate_constraints=False)
    attempt.save()
    Response.objects.bulk_create(
        Response(attempt=attempt, question_id=qid, order=i)
        for i, qid in enumerate(question_ids, start=1)
    )
    RolePlaySession.objects.filter(
        enrollment=enrollment, quiz=quiz, status=RolePlaySession.Status.SCHEDULED
    ).update(status=RolePlaySession.Status.HELD)
    return attempt


# --- Role-play scheduling -------------------------------------------------------------------


def _session_notice(session: RolePlaySession, recipient, *, cancelled: bool = False) -> None:
    when = timezone.localtime(session.scheduled_at)
    trainee = session.enrollment.trainee
    with language_of(recipient):
        if cancelled:
            title = _("%(quiz)s on %(date)s is cancelled") % {
                "quiz": session.quiz.title,
                "date": date_format(when, "DATETIME_FORMAT"),
            }
        elif recipient.pk == trainee.pk:
            title = _("%(quiz)s: %(date)s, %(place)s") % {
                "quiz": session.quiz.title,
                "date": date_format(when, "DATETIME_FORMAT"),
                "place": session.place,
            }
        else:
            title = _("You grade %(name)s's %(quiz)s: %(date)s, %(place)s") % {
                "name": display_name(trainee),
                "quiz": session.quiz.title,
                "date": date_format(when, "DATETIME_FORMAT"),
                "place": session.place,
            }
        if recipient.pk == trainee.pk:
            body = _("Graded by %(grader)s. The rubric is on the quiz's page.") % {
                "grader": display_name(session.grader)
            }
            url = reverse("quizzes:quiz", args=[session.quiz.slug])
        else:
            body = _("Trainee: %(name)s.") % {"name": display_name(trainee)}
            url = reverse("quizzes:quiz_results", args=[session.quiz.slug])
        notify(
            recipient=recipient,
            title=title,
            body=body,
            url=url,
            dedupe_key=f"roleplay:{session.pk}:{session.status}:{session.scheduled_at.isoformat()}"
            f":{session.place}:{session.grader_id}:{recipient.pk}",
        )


@transaction.atomic
def roleplay_schedule(
    *,
    enrollment,
    quiz: Quiz,
    scheduled_at: datetime,
    place: str,
    grader,
    user,
    now: datetime | None = None,
) -> RolePlaySession:
    """Book (or move) the trainee's role-play: date and time, place, who grades. The trainee
    and the grader are told; a grader taken off the session is told too."""
    now = now or timezone.now()
    permissions.check_schedule_roleplay(user, enrollment)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    errors = {}
    place = (place or "").strip()
    if not place:
        errors["place"] = _("Say where the role-play takes place.")
    if scheduled_at is None or scheduled_at <= now:
        errors["scheduled_at"] = _("Choose a date and time in the future.")
    if grader is None or not permissions.grades_enrollment(grader, enrollment):
        errors["grader"] = _("Choose the trainee's mentor, HR or a director to grade.")
    if errors:
        raise ValidationError(errors)
    if not selectors.stages_holding(enrollment.program, quiz):
        raise ValidationError(_("This quiz is not part of the trainee's program."))
    state = selectors.quiz_state(enrollment, quiz)
    if state.passed:
        raise ValidationError(_("The trainee has already passed this quiz."))
    if not state.can_start and state.awaiting is None and state.in_progress is None:
        raise ValidationError(_("The trainee has no attempts left for this quiz."))
    current = (
        RolePlaySession.objects.select_for_update()
        .filter(enrollment=enrollment, quiz=quiz, status=RolePlaySession.Status.SCHEDULED)
        .select_related("grader")
        .first()
    )
    if current is not None and current.scheduled_at <= now:
        current.status = RolePlaySession.Status.HELD  # its time has passed: a new booking
        current.save(update_fields=["status", "updated_at"])
        current = None
    previous_grader = current.grader if current is not None else None
    session = current or RolePlaySession(enrollment=enrollment, quiz=quiz)
    session.scheduled_at = scheduled_at
    session.place = place
    session.grader = grader
    session.scheduled_by = user
    session.full_clean(validate_constraints=False)
    session.save()
    _session_notice(session, enrollment.trainee)
    _session_notice(session, grader)
    if previous_grader is not None and previous_grader.pk != grader.pk:
        _session_notice(session, previous_grader, cancelled=True)
    return session


@transaction.atomic
def roleplay_cancel(*, session: RolePlaySession, user) -> RolePlaySession:
    session = (
        RolePlaySession.objects.select_for_update()
        .select_related("enrollment__trainee", "quiz", "grader")
        .get(pk=session.pk)
    )
    permissions.check_schedule_roleplay(user, session.enrollment)
    if session.status != RolePlaySession.Status.SCHEDULED:
        raise ValidationError(_("This role-play is not scheduled any more."))
    session.status = RolePlaySession.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    _session_notice(session, session.enrollment.trainee, cancelled=True)
    _session_notice(session, session.grader, cancelled=True)
    return session


# --- The director's extra control -------------------------------------------------------------


@transaction.atomic
def survey_review(
    *, attempt: Attempt, reviewer, decision: str, comment: str = "", now: datetime | None = None
) -> SurveyReview:
    """A director reviews a graded attempt as extra control: agrees, or sends it back to the
    grader with a comment (it then waits for grading again, with fresh due dates). Recorded
    with who and when; nobody reviews a grading of their own."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment__trainee", "graded_by")
        .get(pk=attempt.pk)
    )
    reviews = list(attempt.reviews.order_by("reviewed_at", "pk"))
    permissions.check_review(reviewer, attempt, reviews)
    comment = (comment or "").strip()
    if decision not in SurveyReview.Decision.values:
        raise ValidationError({"decision": _("Agree or send the grading back.")})
    if decision == SurveyReview.Decision.SENT_BACK and not comment:
        raise ValidationError({"comment": _("Say what the grader should look at again.")})
    review = SurveyReview(
        attempt=attempt,
        reviewer=reviewer,
        reviewed_at=now,
        decision=decision,
        comment=comment,
        graded_by=attempt.graded_by,
        percent=attempt.percent,
    )
    review.full_clean()
    review.save()
    grader = attempt.graded_by
    if decision == SurveyReview.Decision.SENT_BACK:
        today = timezone.localdate(now)
        attempt.status = Attempt.Status.AWAITING_GRADING
        attempt.grading_due_on, attempt.grading_overdue_on = grading_dates(
            today,
            due_days=attempt.quiz.grading_due_days,
            overdue_days=attempt.quiz.grading_overdue_days,
        )
        attempt.save(update_fields=["status", "grading_due_on", "grading_overdue_on"])
    recipients = [grader] if grader is not None else graders_of(attempt)
    for recipient in recipients:
        with language_of(recipient):
            if decision == SurveyReview.Decision.SENT_BACK:
                title = _("%(director)s sent back your grading of %(quiz)s by %(name)s")
            else:
                title = _("%(director)s agreed with your grading of %(quiz)s by %(name)s")
            notify(
                recipient=recipient,
                title=title
                % {
                    "director": display_name(reviewer),
                    "quiz": attempt.quiz.title,
                    "name": _trainee_name(attempt),
                },
                body=comment,
                url=reverse(
                    "quizzes:grade"
                    if decision == SurveyReview.Decision.SENT_BACK
                    else "quizzes:attempt",
                    args=[attempt.pk],
                ),
                dedupe_key=f"survey-review:{review.pk}:{recipient.pk}",
            )
    return review
