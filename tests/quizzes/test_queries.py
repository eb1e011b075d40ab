"""The quiz page, the grading queue and the grading page use a number of queries that does
not grow with questions or attempts (polymorphic: one query per question type)."""

import pytest
from django.urls import reverse

from people.roles import Role
from quizzes import services
from tests.conftest import make_user
from tests.queries import SIGNED_IN
from tests.quizzes.conftest import answer
from tests.quizzes.factories import (
    QuizFactory,
    enroll,
    first_stage,
    make_program,
    mc,
    numeric,
    oral,
    tf,
    written,
)

pytestmark = pytest.mark.django_db


def quiz_with(n_each: int):
    """A quiz with ``n_each`` questions of every type."""
    quiz = QuizFactory()
    order = 0
    for _ in range(n_each):
        for make in (mc, tf, numeric, written):
            order += 1
            make(quiz, order=order)
        order += 1
        written(quiz, order=order, criteria=(("A", "2"), ("B", "3")))
        order += 1
        oral(quiz, order=order)
    return quiz


def started(n_each, mentor):
    quiz = quiz_with(n_each)
    enrollment = enroll(make_program(quiz), mentor=mentor)
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    return enrollment, attempt


def filled_and_submitted(n_each, mentor):
    enrollment, attempt = started(n_each, mentor)
    data = {}
    for response in attempt.responses.select_related("question"):
        data[f"q{response.question_id}"] = "1"
    answer(attempt, enrollment.trainee, data)
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    return enrollment, attempt


@pytest.mark.parametrize("n_each", [1, 6])
def test_quiz_page_queries(client, mentor, django_assert_max_num_queries, n_each):
    enrollment, attempt = started(n_each, mentor)
    client.force_login(enrollment.trainee)
    url = reverse("quizzes:attempt", args=[attempt.pk])
    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="card question"') == 6 * n_each


@pytest.mark.parametrize("n_each", [1, 6])
def test_result_page_queries(client, mentor, django_assert_max_num_queries, n_each):
    enrollment, attempt = filled_and_submitted(n_each, mentor)
    client.force_login(enrollment.trainee)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 200


@pytest.mark.parametrize("n_each", [1, 6])
def test_grading_page_queries(client, mentor, django_assert_max_num_queries, n_each):
    _enrollment, attempt = filled_and_submitted(n_each, mentor)
    client.force_login(mentor)
    with django_assert_max_num_queries(21):
        response = client.get(reverse("quizzes:grade", args=[attempt.pk]))
    assert response.status_code == 200


# The attempts awaiting the mentor's grading, with quiz, trainee and lease holder.
GRADING_QUEUE_QUERIES = SIGNED_IN + 1


@pytest.mark.parametrize("n_attempts", [1, 8])
def test_grading_queue_queries(client, django_assert_num_queries, n_attempts):
    mentor = make_user(Role.MENTOR)
    quiz = QuizFactory()
    written(quiz)
    program = make_program(quiz)
    for _ in range(n_attempts):
        enrollment = enroll(program, mentor=mentor)
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    client.force_login(mentor)
    with django_assert_num_queries(GRADING_QUEUE_QUERIES):
        response = client.get(reverse("quizzes:grading_queue"))
    assert response.content.decode().count("/grading/") >= n_attempts


# The trainee's pages with quizzes and a mentor (the courses' own pins are in
# tests/courses/test_queries.py): the overview's 4 queries (the enrollment with its mentor's
# contact joined), the quizzes with the extra-attempt grants counted and the attempts
# (quizzes.selectors.placed_quiz_states); on the stage page also Wagtail's routing (4). The
# body's quiz blocks get the quizzes the states loaded (quizzes.selectors.prime_quiz_blocks).
HOME_QUERIES = SIGNED_IN + 4 + 2
STAGE_QUERIES = SIGNED_IN + 4 + 4 + 2


def quizzed_program(n_quizzes, n_stages, mentor):
    """``n_quizzes`` quizzes in the first of ``n_stages`` stages; the trainee has submitted
    the first and started the second."""
    quizzes = []
    for _ in range(n_quizzes):
        quiz = QuizFactory(max_attempts=2)
        written(quiz)
        quizzes.append(quiz)
    enrollment = enroll(make_program(*quizzes, stages=n_stages), mentor=mentor)
    trainee = enrollment.trainee
    attempt = services.attempt_start(enrollment=enrollment, quiz=quizzes[0], user=trainee)
    services.attempt_submit(attempt=attempt, user=trainee)
    if n_quizzes > 1:
        services.attempt_start(enrollment=enrollment, quiz=quizzes[1], user=trainee)
    return enrollment, quizzes


SIZES = pytest.mark.parametrize(("n_quizzes", "n_stages"), [(1, 1), (4, 5)])


@SIZES
def test_my_onboarding_with_quizzes_queries(
    client, mentor, django_assert_num_queries, n_quizzes, n_stages
):
    enrollment, _quizzes = quizzed_program(n_quizzes, n_stages, mentor)
    client.force_login(enrollment.trainee)
    url = reverse("courses:my_onboarding")
    client.get(url)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="stage-') == 2 * n_stages
    assert b"Your mentor" in response.content
    assert mentor.email.encode() in response.content


@SIZES
def test_stage_page_with_quizzes_queries(
    client, mentor, django_assert_num_queries, n_quizzes, n_stages
):
    enrollment, quizzes = quizzed_program(n_quizzes, n_stages, mentor)
    stage = first_stage(enrollment.program)
    client.force_login(enrollment.trainee)
    client.get(stage.url)
    with django_assert_num_queries(STAGE_QUERIES):
        response = client.get(stage.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="card quiz-block"') == n_quizzes
    assert all(quiz.title in page for quiz in quizzes)


@pytest.mark.parametrize("n_attempts", [1, 8])
def test_overdue_and_my_quizzes_queries(client, django_assert_max_num_queries, n_attempts):
    hr = make_user(Role.HR)
    quiz = QuizFactory(grading_due_days=0, grading_overdue_days=0)
    written(quiz)
    program = make_program(quiz)
    for _ in range(n_attempts):
        enrollment = enroll(program, mentor=make_user(Role.MENTOR))
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    client.force_login(hr)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("quizzes:overdue_grading")).content.decode()
    assert page.count("/grading/") >= n_attempts
    client.force_login(enrollment.trainee)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("quizzes:my_quizzes")).status_code == 200
