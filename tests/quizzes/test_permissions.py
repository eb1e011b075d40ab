"""A page offers an action exactly to those whose request its service then accepts: grading,
overriding points, granting an extra attempt."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from quizzes import services
from quizzes.models import Attempt, ExtraAttemptGrant
from tests.personas import PERSONAS, persona
from tests.quizzes.conftest import answer
from tests.quizzes.factories import QuizFactory, enroll, make_program, tf, written

pytestmark = pytest.mark.django_db


def _shown(client, url, marker) -> bool:
    response = client.get(url)
    assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
    return response.status_code == 200 and marker in response.content.decode()


def _accepted(action) -> bool:
    try:
        action()
    except (PermissionDenied, ValidationError):
        return False
    return True


@pytest.fixture
def written_attempt():
    """A trainee's submitted attempt at a quiz of one written question (graded by hand)."""
    quiz = QuizFactory(slug="essay")
    question = written(quiz, points="4")
    enrollment = enroll(make_program(quiz))
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    answer(attempt, enrollment.trainee, {f"q{question.pk}": "Our products are..."})
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    attempt.refresh_from_db()
    return attempt


def _grade(attempt, user, points="3") -> Attempt:
    services.attempt_lease_acquire(attempt=attempt, user=user)
    response = attempt.responses.get()
    return services.attempt_grade(
        attempt=attempt,
        grader=user,
        grades={response.pk: services.ResponseGrade(points=Decimal(points))},
        finish=True,
    )


@pytest.mark.parametrize("graded", [False, True], ids=["awaiting", "graded"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_grade_button_shows_exactly_where_grading_works(
    client, written_attempt, hr, graded, who
):
    attempt = written_attempt
    user = persona(who, attempt.enrollment)
    if graded:
        _grade(attempt, hr)
        attempt.refresh_from_db()
    client.force_login(user)
    shown = _shown(client, reverse("quizzes:attempt", args=[attempt.pk]), "Grade this attempt")
    graded_now = _accepted(lambda: _grade(attempt, user))
    assert shown == graded_now == (who in ("mentor", "hr", "director") and not graded)


@pytest.mark.parametrize("graded", [False, True], ids=["awaiting", "graded"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_override_button_shows_exactly_where_overriding_works(
    client, written_attempt, hr, graded, who
):
    attempt = written_attempt
    user = persona(who, attempt.enrollment)
    if graded:
        _grade(attempt, hr)
        attempt.refresh_from_db()
    response = attempt.responses.get()
    client.force_login(user)
    url = reverse("quizzes:override", args=[attempt.pk, response.pk])
    shown = _shown(client, reverse("quizzes:attempt", args=[attempt.pk]), f'href="{url}"')
    form_offered = _shown(client, url, "Save the change")
    overridden = _accepted(
        lambda: services.response_override(
            response=response,
            user=user,
            grade=services.ResponseGrade(points=Decimal(4)),
            reason="The answer names every product",
        )
    )
    assert shown == form_offered == overridden == (who in ("hr", "director") and graded)


@pytest.mark.parametrize("failed_attempts", [1, 2], ids=["an attempt left", "out of attempts"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_extra_attempt_is_offered_exactly_where_granting_works(client, failed_attempts, who):
    quiz = QuizFactory(slug="cert", max_attempts=2)
    question = tf(quiz)
    enrollment = enroll(make_program(quiz))
    user = persona(who, enrollment)
    for _ in range(failed_attempts):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        answer(attempt, enrollment.trainee, {f"q{question.pk}": "false"})
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    client.force_login(user)
    url = reverse("quizzes:extra_attempt", args=["cert", enrollment.pk])
    shown = _shown(client, reverse("quizzes:quiz_results", args=["cert"]), f'href="{url}"')
    form_offered = _shown(client, url, "Grant one more attempt</button>")

    client.post(url, {"reason": "Agreed with the director"})
    granted = ExtraAttemptGrant.objects.filter(enrollment=enrollment).exists()
    assert shown == form_offered == granted == (who == "hr" and failed_attempts == 2)


def test_the_extra_attempt_page_says_why_there_is_nothing_to_grant(client, hr):
    quiz = QuizFactory(slug="cert", max_attempts=2)
    enrollment = enroll(make_program(quiz))
    client.force_login(hr)
    page = client.get(reverse("quizzes:extra_attempt", args=["cert", enrollment.pk]))
    assert page.status_code == 200
    assert "The trainee still has attempts left." in page.content.decode()
