"""The trainee's and HR's pages through the client: start, autosave, submit with confirmation,
override with a reason, extra attempt."""

from decimal import Decimal

import pytest
from django.urls import reverse

from people.roles import Role
from quizzes import services
from quizzes.models import Attempt, ExtraAttemptGrant, GradeChange
from tests.conftest import make_user
from tests.quizzes.factories import QuizFactory, enroll, make_program, numeric, oral, tf

pytestmark = pytest.mark.django_db


def test_trainee_starts_saves_and_submits_through_the_pages(client):
    quiz = QuizFactory(slug="pricing", pass_mark=50)
    q1 = tf(quiz, order=1)
    q2 = numeric(quiz, order=2, value="564540", tolerance="1")
    enrollment = enroll(make_program(quiz))
    client.force_login(enrollment.trainee)
    detail = client.get(reverse("quizzes:quiz", args=["pricing"]))
    assert "Start the quiz" in detail.content.decode()
    started = client.post(reverse("quizzes:attempt_start", args=["pricing"]))
    attempt = Attempt.objects.get()
    assert started["Location"] == reverse("quizzes:attempt", args=[attempt.pk])
    saved = client.post(
        reverse("quizzes:attempt_save", args=[attempt.pk]),
        {"all_answers": "1", f"q{q1.pk}": "true", f"q{q2.pk}": "abc"},
        HTTP_ACCEPT="application/json",
    )
    assert saved.json()["errors"] == {f"q{q2.pk}": "Enter a number, for example 12500.50."}
    client.post(
        reverse("quizzes:attempt_save", args=[attempt.pk]),
        {"all_answers": "1", f"q{q1.pk}": "true", f"q{q2.pk}": "564 540,00", "next": "submit"},
    )
    confirm = client.get(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    assert "Every question has an answer." in confirm.content.decode()
    client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.percent == Decimal("100.0")
    result = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "100.0%" in result
    assert "Passed" in result


def test_override_page_needs_a_reason_and_keeps_history(client, mentor, director):
    quiz = QuizFactory(is_certification=True)
    question = oral(quiz, criteria=(("Closing", "10"),))
    enrollment = enroll(make_program(quiz), mentor=mentor)
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    response = attempt.responses.get()
    criterion = question.criteria.get()
    services.attempt_grade(
        attempt=attempt,
        grader=mentor,
        grades={response.pk: services.ResponseGrade(criteria={criterion.pk: Decimal(9)})},
        finish=True,
    )
    client.force_login(director)
    url = reverse("quizzes:override", args=[attempt.pk, response.pk])
    field = f"override-c{criterion.pk}"
    refused = client.post(url, {field: "5", "override-reason": ""})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    client.post(url, {field: "5", "override-reason": "Closing was prompted by the mentor"})
    attempt.refresh_from_db()
    enrollment.refresh_from_db()
    assert attempt.percent == Decimal("50.0")
    assert attempt.passed is False
    assert enrollment.cleared_for_client_work_on is None
    assert GradeChange.objects.get().reason == "Closing was prompted by the mentor"
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Closing was prompted by the mentor" in page
    assert "9 → 5" in page


def test_hr_grants_an_extra_attempt_from_the_results_page(client, hr):
    quiz = QuizFactory(slug="cert", is_certification=True)
    q = tf(quiz)
    enrollment = enroll(make_program(quiz))
    for _ in range(2):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        services.attempt_save_answers(
            attempt=attempt, user=enrollment.trainee, data={f"q{q.pk}": "false"}
        )
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    enrollment.refresh_from_db()
    assert enrollment.certification_failed
    client.force_login(hr)
    results = client.get(reverse("quizzes:quiz_results", args=["cert"])).content.decode()
    grant_url = reverse("quizzes:extra_attempt", args=["cert", enrollment.pk])
    assert grant_url in results
    client.post(grant_url, {"reason": "Second chance agreed with the director"})
    assert ExtraAttemptGrant.objects.get().granted_by == hr
    client.force_login(enrollment.trainee)
    assert (
        "Start a new attempt" in client.get(reverse("quizzes:quiz", args=["cert"])).content.decode()
    )
    client.force_login(make_user(Role.MENTOR))
    assert client.get(grant_url).status_code == 404
