"""Every scoring rule, with its boundaries, through the submit and grade services."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from quizzes import services
from quizzes.models import Attempt, percent_of
from tests.quizzes.factories import QuizFactory, enroll, make_program, mc, numeric, tf, written

pytestmark = pytest.mark.django_db


def take(quiz, answers: dict, enrollment=None):
    enrollment = enrollment or enroll(make_program(quiz))
    trainee = enrollment.trainee
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    data = QueryDict(mutable=True)
    data["all_answers"] = "1"
    for key, value in answers.items():
        if isinstance(value, list):
            data.setlist(key, [str(v) for v in value])
        else:
            data[key] = value
    errors = services.attempt_save_answers(attempt=attempt, user=trainee, data=data)
    assert not errors
    return services.attempt_submit(attempt=attempt, user=trainee)


def awarded(attempt, question):
    return attempt.responses.get(question=question).awarded_points


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        ([0, 2], Decimal("2")),  # exactly the correct set
        ([0], Decimal("0")),  # a subset of the correct ones
        ([0, 1, 2], Decimal("0")),  # a superset
        ([], Decimal("0")),  # nothing chosen
        ([1], Decimal("0")),
    ],
)
def test_multiple_choice_full_points_only_for_the_exact_set(chosen, expected):
    quiz = QuizFactory()
    q, choices = mc(quiz, points="2", correct=(0, 2))
    attempt = take(quiz, {f"q{q.pk}": [choices[i].pk for i in chosen]})
    assert awarded(attempt, q) == expected


@pytest.mark.parametrize(
    ("answer", "correct", "expected"),
    [("true", True, "1"), ("false", True, "0"), ("false", False, "1"), ("", True, "0")],
)
def test_true_false(answer, correct, expected):
    quiz = QuizFactory()
    q = tf(quiz, correct=correct)
    attempt = take(quiz, {f"q{q.pk}": answer})
    assert awarded(attempt, q) == Decimal(expected)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("100", "3"),
        ("100.5", "3"),  # exactly at +tolerance
        ("99,5", "3"),  # exactly at -tolerance, with a decimal comma
        ("100.5001", "0"),  # just beyond
        ("99.4999", "0"),
        ("", "0"),
    ],
)
def test_numeric_tolerance_edge(answer, expected):
    quiz = QuizFactory()
    q = numeric(quiz, points="3", value="100", tolerance="0.5")
    attempt = take(quiz, {f"q{q.pk}": answer})
    assert awarded(attempt, q) == Decimal(expected)


def test_numeric_zero_tolerance_needs_the_exact_value():
    quiz = QuizFactory()
    q = numeric(quiz, value="12500", tolerance="0")
    assert awarded(take(quiz, {f"q{q.pk}": "12500.00"}), q) == 1
    quiz2 = QuizFactory()
    q2 = numeric(quiz2, value="12500", tolerance="0")
    assert awarded(take(quiz2, {f"q{q2.pk}": "12500.01"}), q2) == 0


def test_unreadable_number_is_reported_not_saved():
    quiz = QuizFactory()
    q = numeric(quiz)
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    errors = services.attempt_save_answers(
        attempt=attempt, user=enrollment.trainee, data={f"q{q.pk}": "about a hundred"}
    )
    assert q.pk in errors.errors
    assert attempt.responses.get().answer_decimal is None


@pytest.mark.parametrize(
    ("awarded_points", "maximum", "percent"),
    [
        ("2", "3", "66.7"),  # 66.666.. rounds up
        ("1", "3", "33.3"),  # 33.333.. rounds down
        ("1", "8", "12.5"),  # exact
        ("1", "16", "6.3"),  # 6.25 -> half-up to 6.3 (banker's rounding would give 6.2)
        ("3", "16", "18.8"),  # 18.75 -> 18.8
        ("0", "5", "0.0"),
        ("5", "5", "100.0"),
    ],
)
def test_percent_is_rounded_half_up_to_one_decimal(awarded_points, maximum, percent):
    assert percent_of(Decimal(awarded_points), Decimal(maximum)) == Decimal(percent)


def _quiz_of_points(points: list[str], pass_mark: int):
    """A quiz of true/false questions worth the given points (all correct answers 'true')."""
    quiz = QuizFactory(pass_mark=pass_mark)
    questions = [tf(quiz, order=i, points=p) for i, p in enumerate(points)]
    return quiz, questions


@pytest.mark.parametrize(
    ("pass_mark", "passed"),
    [(70, True), (71, False)],  # exactly 70.0% vs just below
)
def test_pass_mark_edge(pass_mark, passed):
    quiz, questions = _quiz_of_points(["7", "3"], pass_mark)
    attempt = take(quiz, {f"q{questions[0].pk}": "true", f"q{questions[1].pk}": "false"})
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.percent == Decimal("70.0")
    assert attempt.passed is passed


def test_rounding_decides_the_pass_mark():
    # 2 of 3 = 66.666..% -> 66.7%, which passes a 67% mark only through half-up rounding? No:
    # 66.7 < 67, so it fails; and 200/3 with mark 66 passes.
    quiz, qs = _quiz_of_points(["1", "1", "1"], 67)
    attempt = take(quiz, {f"q{qs[0].pk}": "true", f"q{qs[1].pk}": "true", f"q{qs[2].pk}": "false"})
    assert (attempt.percent, attempt.passed) == (Decimal("66.7"), False)
    quiz2, qs2 = _quiz_of_points(["1", "1", "1"], 66)
    attempt2 = take(
        quiz2, {f"q{qs2[0].pk}": "true", f"q{qs2[1].pk}": "true", f"q{qs2[2].pk}": "false"}
    )
    assert (attempt2.percent, attempt2.passed) == (Decimal("66.7"), True)


def test_percent_rounded_half_up_on_the_attempt():
    # 1 of 16 points = 6.25% -> 6.3%
    quiz, qs = _quiz_of_points(["1", "15"], 5)
    attempt = take(quiz, {f"q{qs[0].pk}": "true", f"q{qs[1].pk}": "false"})
    assert attempt.percent == Decimal("6.3")
    assert attempt.passed is True


def test_attempt_with_a_manual_question_waits_for_grading_with_due_dates():
    quiz = QuizFactory(grading_due_days=21, grading_overdue_days=28)
    auto = tf(quiz, order=1)
    written(quiz, order=2)
    attempt = take(quiz, {f"q{auto.pk}": "true"})
    assert attempt.status == Attempt.Status.AWAITING_GRADING
    assert attempt.passed is None
    submitted = attempt.submitted_at.date()
    assert (attempt.grading_due_on - submitted).days in (21, 20, 22)
    assert (attempt.grading_overdue_on - attempt.grading_due_on).days == 7
    # the automatic part is already scored
    assert awarded(attempt, auto) == 1
