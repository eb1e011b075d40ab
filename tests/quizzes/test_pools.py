"""Question pools (a quiz draws N questions from a bank category), shuffled answer options,
instant feedback for automatic questions, and single-answer questions as radio buttons."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes import selectors, services
from quizzes.models import Choice, MultipleChoiceQuestion, Quiz, TrueFalseQuestion
from quizzes.question_bank import category_by_path
from tests.quizzes.conftest import answer
from tests.quizzes.factories import QuizFactory, enroll, make_program, mc, written

pytestmark = pytest.mark.django_db


def pool(n=6, path="Product/Pricing"):
    category = category_by_path(path)
    questions = []
    for i in range(n):
        q = TrueFalseQuestion.objects.create(
            category=category,
            text=f"Pool statement {i}",
            correct_answer=i % 2 == 0,
            feedback_true=f"Feedback true {i}",
            feedback_false=f"Feedback false {i}",
        )
        questions.append(q)
    return category, questions


def test_pool_size_needs_a_category_and_the_other_way_round():
    category, _qs = pool(1)
    with pytest.raises(ValidationError):
        QuizFactory.build(pool_size=3).full_clean()
    with pytest.raises(ValidationError):
        QuizFactory.build(pool_category=category).full_clean()


def test_each_attempt_draws_the_pool_size_and_a_retake_gets_unseen_questions():
    category, questions = pool(6, "Product")
    sub = category_by_path("Product/Old models")
    deep = TrueFalseQuestion.objects.create(category=sub, text="Sub-category statement")
    quiz = QuizFactory(pool_category=category, pool_size=3, pass_mark=100, max_attempts=5)
    fixed = written(quiz, order=1)
    enrollment = enroll(make_program(quiz))
    trainee = enrollment.trainee

    first = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    sheet = selectors.attempt_sheet(first)
    ids = [item.question.pk for item in sheet]
    assert ids[0] == fixed.pk
    assert len(ids) == 4
    drawn_first = set(ids[1:])
    assert drawn_first <= {q.pk for q in questions} | {deep.pk}

    # Resuming shows exactly the same questions.
    again = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    assert again.pk == first.pk
    assert [i.question.pk for i in selectors.attempt_sheet(again)] == ids

    services.attempt_submit(attempt=first, user=trainee)
    first.refresh_from_db()
    # the written answer waits for a grader; grade it to allow a retake
    first.status = first.Status.GRADED
    first.percent, first.passed = Decimal(0), False
    first.save()

    second = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    drawn_second = {i.question.pk for i in selectors.attempt_sheet(second)} - {fixed.pk}
    assert len(drawn_second) == 3
    assert not drawn_second & drawn_first  # 7 in the pool: the retake gets unseen ones
    # the first attempt's review still shows what it was given
    assert {i.question.pk for i in selectors.attempt_sheet(first)} - {fixed.pk} == drawn_first


def test_shuffled_options_are_stored_and_graded_as_shown():
    quiz = QuizFactory(shuffle_answers=True)
    q, choices = mc(quiz, n=6, correct=(2,))
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    response = attempt.responses.get()
    assert sorted(response.choice_order) == sorted(c.pk for c in choices)
    [item] = selectors.attempt_sheet(attempt)
    assert [c.pk for c in item.choices] == response.choice_order
    answer(attempt, enrollment.trainee, {f"q{q.pk}": str(choices[2].pk)})
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    attempt.refresh_from_db()
    assert attempt.passed


def test_single_answer_question_renders_radio_buttons(client):
    quiz = QuizFactory()
    single, _c = mc(quiz, order=1, correct=(0,))
    several, _d = mc(quiz, order=2, correct=(0, 1))
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    client.force_login(enrollment.trainee)
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert f'type="radio" name="q{single.pk}"' in html
    assert f'type="checkbox" name="q{several.pk}"' in html


def test_instant_feedback_shows_the_automatic_score_before_the_mentor_grades(client):
    quiz = QuizFactory(instant_feedback=True)
    q, choices = mc(quiz, order=1, points="2", correct=(1,))
    Choice.objects.filter(pk=choices[1].pk).update(feedback="Right: the A3 model.")
    written(quiz, order=2)
    enrollment = enroll(make_program(quiz))
    trainee = enrollment.trainee
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    answer(attempt, trainee, {f"q{q.pk}": str(choices[1].pk)})
    services.attempt_submit(attempt=attempt, user=trainee)
    client.force_login(trainee)
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Automatically graded questions" in html
    assert "2 / 2" in html
    assert "Right: the A3 model." in html
    assert "Your mentor grades this answer." in html

    Quiz.objects.filter(pk=quiz.pk).update(instant_feedback=False)
    html = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Automatically graded questions" not in html
    assert "Right: the A3 model." not in html


def test_pool_questions_score_like_the_quiz_own():
    category, questions = pool(2)
    quiz = QuizFactory(pool_category=category, pool_size=2)
    enrollment = enroll(make_program(quiz))
    trainee = enrollment.trainee
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    answer(
        attempt,
        trainee,
        {f"q{q.pk}": "true" if q.correct_answer else "false" for q in questions},
    )
    services.attempt_submit(attempt=attempt, user=trainee)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.percent) == ("graded", Decimal("100.0"))
    assert MultipleChoiceQuestion.objects.count() == 0
