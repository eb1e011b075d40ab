"""Starting, resuming and limiting attempts; certification outcomes; extra attempts."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from courses.models import StageProgress
from people.models import Notification
from people.roles import Role
from quizzes import services
from quizzes.models import Attempt, ExtraAttemptGrant
from tests.conftest import make_user
from tests.quizzes.conftest import answer
from tests.quizzes.factories import (
    QuizFactory,
    enroll,
    first_stage,
    make_program,
    oral,
    tf,
    written,
)

pytestmark = pytest.mark.django_db


def take_tf(enrollment, quiz, q, value: str):
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    answer(attempt, enrollment.trainee, {f"q{q.pk}": value})
    return services.attempt_submit(attempt=attempt, user=enrollment.trainee)


def test_answers_are_saved_and_the_attempt_resumes():
    quiz = QuizFactory()
    q1 = tf(quiz, order=1)
    q2 = written(quiz, order=2)
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    answer(attempt, enrollment.trainee, {f"q{q1.pk}": "false", f"q{q2.pk}": "First draft"})
    # starting again resumes the same attempt with the saved answers
    again = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    assert again.pk == attempt.pk
    assert again.responses.get(question=q2).answer_text == "First draft"
    assert again.responses.get(question=q1).answer_bool is False
    # saving only one field leaves the other as it was
    services.attempt_save_answers(
        attempt=attempt, user=enrollment.trainee, data={f"q{q1.pk}": "true"}
    )
    assert again.responses.get(question=q2).answer_text == "First draft"
    assert again.responses.get(question=q1).answer_bool is True


def test_only_the_trainee_answers_and_not_after_submit():
    quiz = QuizFactory()
    q = tf(quiz)
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    with pytest.raises(PermissionDenied):
        answer(attempt, make_user(Role.TRAINEE), {f"q{q.pk}": "true"})
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    with pytest.raises(ValidationError):
        answer(attempt, enrollment.trainee, {f"q{q.pk}": "true"})


def test_a_locked_stage_cannot_be_started():
    quiz = QuizFactory()
    tf(quiz)
    program = make_program(quiz)
    enrollment = enroll(program)
    StageProgress.objects.filter(enrollment=enrollment, stage=first_stage(program)).update(
        status=StageProgress.Status.LOCKED
    )
    with pytest.raises(ValidationError, match="not open"):
        services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)


def test_a_quiz_outside_the_program_cannot_be_started():
    quiz = QuizFactory()
    tf(quiz)
    other = QuizFactory()
    tf(other)
    enrollment = enroll(make_program(quiz))
    with pytest.raises(ValidationError):
        services.attempt_start(enrollment=enrollment, quiz=other, user=enrollment.trainee)


def test_attempt_limit_counts_submitted_attempts():
    quiz = QuizFactory(max_attempts=2)
    q = tf(quiz)
    enrollment = enroll(make_program(quiz))
    first = take_tf(enrollment, quiz, q, "false")
    second = take_tf(enrollment, quiz, q, "false")
    assert (first.number, second.number) == (1, 2)
    assert not first.passed
    assert not second.passed
    with pytest.raises(ValidationError, match="no attempts left"):
        services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)


def test_unlimited_attempts_until_passed_then_no_more():
    quiz = QuizFactory(max_attempts=None)
    q = tf(quiz)
    enrollment = enroll(make_program(quiz))
    for _ in range(3):
        take_tf(enrollment, quiz, q, "false")
    passed = take_tf(enrollment, quiz, q, "true")
    assert passed.number == 4
    assert passed.passed
    with pytest.raises(ValidationError, match="already passed"):
        services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)


def test_no_new_attempt_while_one_awaits_grading():
    quiz = QuizFactory()
    written(quiz)
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    with pytest.raises(ValidationError, match="waiting to be graded"):
        services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)


def test_passing_completes_the_stage():
    quiz = QuizFactory()
    q = tf(quiz)
    program = make_program(quiz)
    enrollment = enroll(program)
    stage = first_stage(program)
    take_tf(enrollment, quiz, q, "false")
    assert StageProgress.objects.get(enrollment=enrollment, stage=stage).status != "completed"
    take_tf(enrollment, quiz, q, "true")
    assert StageProgress.objects.get(enrollment=enrollment, stage=stage).status == "completed"


def test_time_limit_submits_with_the_saved_answers():
    quiz = QuizFactory(time_limit_minutes=10)
    q = tf(quiz)
    enrollment = enroll(make_program(quiz))
    with time_machine.travel("2026-03-02 09:00:00+03:00", tick=False) as clock:
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        answer(attempt, enrollment.trainee, {f"q{q.pk}": "true"})
        clock.shift(11 * 60)
        with pytest.raises(ValidationError, match="Time is up"):
            answer(attempt, enrollment.trainee, {f"q{q.pk}": "false"})
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.passed is True


# --- Certification -----------------------------------------------------------------------


def certification():
    quiz = QuizFactory(is_certification=True, pass_mark=70, title="Role-play certification")
    assert quiz.max_attempts == 2
    question = oral(quiz, criteria=(("Needs discovery", "5"), ("Closing", "5")))
    return quiz, question


def grade_oral(attempt, grader, question, scores):
    services.attempt_lease_acquire(attempt=attempt, user=grader)
    response = attempt.responses.get(question=question)
    criteria = list(question.criteria.order_by("sort_order"))
    return services.attempt_grade(
        attempt=attempt,
        grader=grader,
        grades={
            response.pk: services.ResponseGrade(
                criteria={c.pk: Decimal(s) for c, s in zip(criteria, scores, strict=True)}
            )
        },
        finish=True,
    )


def submit(enrollment, quiz):
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    return services.attempt_submit(attempt=attempt, user=enrollment.trainee)


def test_passing_the_certification_clears_for_client_work(mentor):
    quiz, question = certification()
    enrollment = enroll(make_program(quiz), mentor=mentor)
    with time_machine.travel("2026-03-02 12:00:00+03:00"):
        attempt = grade_oral(submit(enrollment, quiz), mentor, question, ["4", "3"])
    enrollment.refresh_from_db()
    assert attempt.passed
    assert attempt.percent == Decimal("70.0")
    assert str(enrollment.cleared_for_client_work_on) == "2026-03-02"
    assert enrollment.certification_failed is False


def test_failing_the_last_certification_attempt_flags_and_tells_hr_and_directors(mentor):
    hr = make_user(Role.HR)
    director = make_user(Role.DIRECTOR)
    quiz, question = certification()
    enrollment = enroll(make_program(quiz), mentor=mentor)
    grade_oral(submit(enrollment, quiz), mentor, question, ["3", "3"])
    enrollment.refresh_from_db()
    assert enrollment.certification_failed is False  # one more and last chance
    grade_oral(submit(enrollment, quiz), mentor, question, ["2", "3"])
    enrollment.refresh_from_db()
    assert enrollment.certification_failed is True
    assert enrollment.cleared_for_client_work_on is None
    for user in (hr, director):
        assert Notification.objects.filter(recipient=user, title__contains="failed").exists()
    assert not Notification.objects.filter(recipient=mentor, title__contains="failed the last")


def test_hr_grants_one_extra_attempt_with_a_reason(mentor, hr):
    quiz, question = certification()
    enrollment = enroll(make_program(quiz), mentor=mentor)
    grade_oral(submit(enrollment, quiz), mentor, question, ["1", "1"])
    with pytest.raises(ValidationError, match="attempts left"):
        services.extra_attempt_grant(enrollment=enrollment, quiz=quiz, user=hr, reason="x")
    grade_oral(submit(enrollment, quiz), mentor, question, ["1", "1"])
    with pytest.raises(ValidationError):
        services.extra_attempt_grant(enrollment=enrollment, quiz=quiz, user=hr, reason="  ")
    with pytest.raises(PermissionDenied):
        services.extra_attempt_grant(enrollment=enrollment, quiz=quiz, user=mentor, reason="x")
    services.extra_attempt_grant(
        enrollment=enrollment, quiz=quiz, user=hr, reason="Was ill on the day"
    )
    enrollment.refresh_from_db()
    assert enrollment.certification_failed is False
    assert ExtraAttemptGrant.objects.get().reason == "Was ill on the day"
    third = grade_oral(submit(enrollment, quiz), mentor, question, ["5", "5"])
    assert third.number == 3
    assert third.passed
    enrollment.refresh_from_db()
    assert enrollment.cleared_for_client_work_on is not None
    with pytest.raises(ValidationError):
        services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
