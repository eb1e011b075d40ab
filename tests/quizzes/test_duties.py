"""Nobody grades, overrides or signs off themselves: a director (or HR person) enrolled as a
trainee is graded and signed off by someone else (docs/security.md, "Separation of duties").
Grade changes are history: they are never deleted with their attempt."""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from people.roles import Role
from quizzes import permissions, selectors, services
from quizzes.models import Attempt, GradeChange
from tests.conftest import make_user
from tests.quizzes.conftest import answer
from tests.quizzes.factories import QuizFactory, enroll, make_program, written
from tests.quizzes.test_attempts import certification, grade_oral, submit

pytestmark = pytest.mark.django_db

START = "2026-03-02 10:00:00+03:00"


@pytest.fixture
def own_survey():
    """A director enrolled as a trainee (no mentor) submitted a product survey, written."""
    director = make_user(Role.DIRECTOR, username="director_trainee")
    director.groups.add(*make_user(Role.TRAINEE).groups.all())
    quiz = QuizFactory(title="Product survey", pass_mark=70)
    question = written(quiz, order=1, points="5")
    enrollment = enroll(make_program(quiz), trainee=director)
    with time_machine.travel(START, tick=False):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=director)
        answer(attempt, director, {f"q{question.pk}": "Everything"})
        services.attempt_submit(attempt=attempt, user=director)
    attempt.refresh_from_db()
    return {"director": director, "attempt": attempt, "response": attempt.responses.get()}


def _grade(attempt, user, points="5"):
    response = attempt.responses.get()
    return services.attempt_grade(
        attempt=attempt,
        grader=user,
        grades={response.pk: services.ResponseGrade(points=Decimal(points))},
        finish=True,
    )


def test_a_director_enrolled_as_a_trainee_cannot_grade_their_own_survey(own_survey, client):
    director, attempt = own_survey["director"], own_survey["attempt"]
    assert attempt.status == Attempt.Status.AWAITING_GRADING
    # The service: no lease, no grade.
    with pytest.raises(PermissionDenied):
        services.attempt_lease_acquire(attempt=attempt, user=director)
    with pytest.raises(PermissionDenied):
        _grade(attempt, director)
    assert permissions.may_grade(director, attempt) is False
    # The queue leaves it out, the grading page does not exist for them.
    assert attempt not in selectors.grading_queue(director)
    assert selectors.awaiting_grading_count(user=director) == 0
    client.force_login(director)
    assert attempt.pk not in [r["attempt"].pk for r in client.get("/grading/").context["rows"]]
    assert client.get(reverse("quizzes:grade", args=[attempt.pk])).status_code == 404
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    assert page.context["can_grade"] is False
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AWAITING_GRADING
    assert attempt.leased_to is None


def test_someone_else_grades_it_and_the_trainee_cannot_override_it(own_survey, client):
    director, attempt = own_survey["director"], own_survey["attempt"]
    hr = make_user(Role.HR)
    assert attempt in selectors.grading_queue(hr)
    services.attempt_lease_acquire(attempt=attempt, user=hr)
    _grade(attempt, hr, points="1")
    attempt.refresh_from_db()
    assert (attempt.status, attempt.passed) == (Attempt.Status.GRADED, False)
    with pytest.raises(PermissionDenied):
        services.response_override(
            response=own_survey["response"],
            user=director,
            grade=services.ResponseGrade(points=Decimal("5")),
            reason="I know it",
        )
    assert permissions.may_override(director, attempt) is False
    client.force_login(director)
    url = reverse("quizzes:override", args=[attempt.pk, own_survey["response"].pk])
    response = client.post(url, {"points": "5", "reason": "I know it"})
    assert response.status_code in (403, 404)
    attempt.refresh_from_db()
    assert attempt.passed is False
    # Another director may.
    other = make_user(Role.DIRECTOR)
    assert permissions.may_override(other, attempt) is True


def test_hr_enrolled_as_a_trainee_is_not_asked_to_grade_themselves(own_survey):
    hr_trainee = own_survey["attempt"].enrollment.trainee
    hr_trainee.groups.add(*make_user(Role.HR).groups.all())
    hr_trainee._lms_roles = None
    other_hr = make_user(Role.HR)
    graders = services.graders_of(own_survey["attempt"])
    assert hr_trainee not in graders
    assert other_hr in graders


def test_grade_changes_are_kept_with_their_attempt(own_survey):
    hr = make_user(Role.HR)
    attempt = own_survey["attempt"]
    services.attempt_lease_acquire(attempt=attempt, user=hr)
    _grade(attempt, hr, points="2")
    services.response_override(
        response=own_survey["response"],
        user=make_user(Role.DIRECTOR),
        grade=services.ResponseGrade(points=Decimal("4")),
        reason="Rechecked",
    )
    assert GradeChange.objects.filter(response=own_survey["response"]).exists()
    with pytest.raises(ProtectedError):
        attempt.delete()
    with pytest.raises(ProtectedError):
        own_survey["response"].delete()


def test_hr_enrolled_as_a_trainee_cannot_grant_themselves_an_extra_attempt(client, mentor):
    """The role-play certification failed twice: one more (and last) chance is HR's to give,
    never the trainee's own, whatever their role."""
    hr_trainee = make_user(Role.HR, username="hr_trainee")
    hr_trainee.groups.add(*make_user(Role.TRAINEE).groups.all())
    other_hr = make_user(Role.HR, username="other_hr")
    quiz, question = certification()
    enrollment = enroll(make_program(quiz), trainee=hr_trainee, mentor=mentor)
    for _ in range(2):
        grade_oral(submit(enrollment, quiz), mentor, question, ["1", "1"])
    state = selectors.quiz_state(enrollment, quiz)
    assert state.left == 0
    with pytest.raises(PermissionDenied, match="Nobody grants themselves"):
        services.extra_attempt_grant(enrollment=enrollment, quiz=quiz, user=hr_trainee, reason="x")
    assert not permissions.may_grant_extra_attempt(hr_trainee, state, enrollment=enrollment)
    assert permissions.may_grant_extra_attempt(other_hr, state, enrollment=enrollment)
    # The page says why and offers no form; a POST anyway grants nothing.
    client.force_login(hr_trainee)
    url = reverse("quizzes:extra_attempt", args=[quiz.slug, enrollment.pk])
    page = client.get(url).content.decode()
    assert "Nobody grants themselves an extra attempt" in page
    assert 'name="reason"' not in page
    response = client.post(url, {"reason": "I was ill"})
    assert response.status_code == 200
    assert "Nobody grants themselves an extra attempt" in response.content.decode()
    assert not enrollment.extra_attempt_grants.exists()
    # The results page's "Out of attempts" offers it to the other HR person only.
    results = reverse("quizzes:quiz_results", args=[quiz.slug])
    assert url not in client.get(results).content.decode()
    client.force_login(other_hr)
    assert url in client.get(results).content.decode()
    # Another HR person grants it.
    services.extra_attempt_grant(enrollment=enrollment, quiz=quiz, user=other_hr, reason="Ill")
    assert enrollment.extra_attempt_grants.get().granted_by == other_hr
