"""Who may do what with quizzes: grade, override, grant an extra attempt, see the results.

As in ``courses.permissions``: ``check_<action>`` raises what the service raises
(``PermissionDenied``: never this person; ``ValidationError``: not now, and why), and
``may_<action>`` answers the same question with True or False for the pages. The role
predicates they build on (``grades_all_attempts``, ``is_grader``) are in
``people.permissions``, where the navigation asks them too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from courses import coaching
from people.permissions import (
    grades_all_attempts,
    is_grader,
    is_mentor,
    may_manage_enrollments,
    sees_all_trainees,
)
from people.roles import Role, has_role

from .models import Attempt


def may_see_quiz_results(user) -> bool:
    """Graders and those who oversee every trainee see a quiz's results."""
    return is_grader(user) or sees_all_trainees(user)


def may_see_overdue_grading(user) -> bool:
    return grades_all_attempts(user)


def may_preview_quiz(user) -> bool:
    """The quiz's authors: who may change quizzes in the admin."""
    return user.is_authenticated and (user.is_superuser or user.has_perm("quizzes.change_quiz"))


# --- Grading ------------------------------------------------------------------------------


def is_own_attempt(user, attempt) -> bool:
    """The attempt is the user's own (a director or HR person enrolled as a trainee):
    nobody grades, overrides or certifies themselves (docs/security.md, "Separation of
    duties"). Reads the attempt's enrollment (select_related on the pages)."""
    return user.is_authenticated and attempt.enrollment.trainee_id == user.pk


def _grades(user, attempt) -> bool:
    """HR and directors grade any attempt, a mentor their active mentees' (one query);
    nobody their own."""
    if is_own_attempt(user, attempt):
        return False
    if grades_all_attempts(user):
        return True
    return is_mentor(user) and coaching.is_active_mentor_of(user, attempt.enrollment_id)


def check_grade(user, attempt) -> None:
    """Grade an attempt awaiting grading (saving also needs the grading lease, which the
    service checks: two graders racing is not a question of permission)."""
    if is_own_attempt(user, attempt):
        raise PermissionDenied(_("Nobody grades their own attempt."))
    if not _grades(user, attempt):
        raise PermissionDenied
    if attempt.status != Attempt.Status.AWAITING_GRADING:
        raise ValidationError(_("This attempt is already graded; use an override to change it."))


def may_grade(user, attempt) -> bool:
    return attempt.status == Attempt.Status.AWAITING_GRADING and _grades(user, attempt)


def check_override(user, attempt) -> None:
    """HR and directors change a graded attempt's points (with a reason), not their own."""
    if is_own_attempt(user, attempt):
        raise PermissionDenied(_("Nobody overrides the grade of their own attempt."))
    if not grades_all_attempts(user):
        raise PermissionDenied
    if attempt.status != Attempt.Status.GRADED:
        raise ValidationError(_("Only a graded attempt can be overridden; grade it instead."))


def may_override(user, attempt) -> bool:
    return (
        attempt.status == Attempt.Status.GRADED
        and grades_all_attempts(user)
        and not is_own_attempt(user, attempt)
    )


# --- Extra attempts -----------------------------------------------------------------------


def extra_attempt_blocker(state, *, user=None, enrollment=None) -> str | None:
    """Why no extra attempt can be granted now, from the trainee's ``QuizState``, or None.
    Given the granter and the enrollment, also when the two are one person."""
    if user is not None and enrollment is not None and is_own_enrollment(user, enrollment):
        return _("Nobody grants themselves an extra attempt: another HR person grants it.")
    if state.passed:
        return _("The trainee has already passed this quiz.")
    if state.left is None or state.left > 0 or state.in_progress or state.awaiting:
        return _("The trainee still has attempts left.")
    return None


def is_own_enrollment(user, enrollment) -> bool:
    """The enrollment is the user's own (an HR person or director enrolled as a trainee)."""
    return user.is_authenticated and enrollment.trainee_id == user.pk


def check_grant_extra_attempt(user, state, *, enrollment) -> None:
    """HR grants one more attempt once the trainee used every allowed one without passing,
    never to themselves: an attempt granted to oneself is an attempt nobody else agreed to,
    and at a certification it decides the trainee's clearance for client work.
    ``state`` is the trainee's ``quizzes.selectors.QuizState`` for the quiz."""
    if not may_manage_enrollments(user):
        raise PermissionDenied
    if is_own_enrollment(user, enrollment):
        raise PermissionDenied(extra_attempt_blocker(state, user=user, enrollment=enrollment))
    blocker = extra_attempt_blocker(state)
    if blocker:
        raise ValidationError(blocker)


def may_grant_extra_attempt(user, state, *, enrollment) -> bool:
    return (
        may_manage_enrollments(user)
        and extra_attempt_blocker(state, user=user, enrollment=enrollment) is None
    )


# --- The question bank ----------------------------------------------------------------------


def may_import_questions(user) -> bool:
    """The quiz authors: who may add questions in the admin."""
    return user.is_authenticated and (
        user.is_superuser
        or (
            user.has_perm("quizzes.add_multiplechoicequestion")
            and user.has_perm("quizzes.add_questioncategory")
        )
    )


def may_export_questions(user) -> bool:
    return may_preview_quiz(user)


# --- Role-plays and oral surveys ----------------------------------------------------------


def grades_enrollment(user, enrollment) -> bool:
    """HR and directors grade every trainee, a mentor their active mentees (one query)."""
    if not user.is_authenticated or user.pk == enrollment.trainee_id:
        return False
    if grades_all_attempts(user):
        return True
    return is_mentor(user) and coaching.is_active_mentor_of(user, enrollment.pk)


def check_schedule_roleplay(user, enrollment) -> None:
    """HR, directors and the trainee's active mentor book the role-play (date, place, grader)."""
    if not grades_enrollment(user, enrollment):
        raise PermissionDenied(_("Only HR, a director or the trainee's mentor books a role-play."))


def may_schedule_roleplay(user, enrollment) -> bool:
    return grades_enrollment(user, enrollment)


def check_hold_oral(user, enrollment, quiz) -> None:
    """Whoever may grade the trainee holds an oral survey with them and records it."""
    if not grades_enrollment(user, enrollment):
        raise PermissionDenied(_("Only the trainee's mentor, HR or a director holds this survey."))
    if not quiz.is_oral:
        raise ValidationError(_("This quiz is written: the trainee takes it on the site."))


def may_hold_oral(user, enrollment, quiz) -> bool:
    return quiz.is_oral and grades_enrollment(user, enrollment)


# --- The director's extra control ---------------------------------------------------------


def review_blocker(user, attempt, reviews) -> str | None:
    """Why ``user`` (a director) may not review ``attempt`` now, or None; ``reviews`` are the
    attempt's reviews, oldest first."""
    if attempt.status != Attempt.Status.GRADED:
        return _("Only a graded attempt is reviewed.")
    if attempt.graded_by_id == user.pk:
        return _("You graded this attempt: another director reviews it.")
    if attempt.enrollment.trainee_id == user.pk:
        return _("Nobody reviews their own attempt.")
    latest = reviews[-1] if reviews else None
    if latest is not None and attempt.graded_at and latest.reviewed_at >= attempt.graded_at:
        return _("This grading has already been reviewed.")
    return None


def is_director(user) -> bool:
    return user.is_authenticated and has_role(user, Role.DIRECTOR)


def check_review(user, attempt, reviews) -> None:
    if not is_director(user):
        raise PermissionDenied(_("Only a director reviews a graded survey."))
    blocker = review_blocker(user, attempt, reviews)
    if blocker:
        raise ValidationError(blocker)


def may_review(user, attempt, reviews) -> bool:
    return is_director(user) and review_blocker(user, attempt, reviews) is None


# --- Recordings (docs/coaching.md, docs/security.md) ----------------------------------------


def may_hear_attempt(user, attempt) -> bool:
    """Who hears an attempt's recordings and reads their comments: the trainee whose attempt
    it is, their active mentor, HR and directors (those who grade it). Nobody else: not the
    head of sales, not another trainee, not a former mentor."""
    if not user.is_authenticated:
        return False
    if is_own_attempt(user, attempt) or grades_all_attempts(user):
        return True
    return is_mentor(user) and coaching.is_active_mentor_of(user, attempt.enrollment_id)


def check_record_answer(user, attempt) -> None:
    """Only the trainee records their own answer, while the attempt is open."""
    if not is_own_attempt(user, attempt):
        raise PermissionDenied(_("Only the trainee records their own answer."))
    if attempt.status != Attempt.Status.IN_PROGRESS:
        raise ValidationError(_("This attempt was already submitted."))


def check_record_live(user, attempt) -> None:
    """The grader records the live role-play on the grading page (the lease is the
    service's check, as for saving grades)."""
    check_grade(user, attempt)
    if not attempt.quiz.is_oral:
        raise ValidationError(_("Only a role-play or oral survey is recorded by its grader."))


def check_comment_recording(user, attempt) -> None:
    """Pinned comments are part of grading: whoever may grade the attempt now."""
    check_grade(user, attempt)
