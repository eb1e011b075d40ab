"""Who may open what: invisible attempts and grading pages answer 404."""

import pytest
from django.urls import reverse

from people.roles import Role
from quizzes import services
from tests.conftest import make_user
from tests.quizzes.conftest import answer
from tests.quizzes.factories import QuizFactory, enroll, make_program, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(mentor):
    quiz = QuizFactory(slug="survey")
    q = written(quiz)
    program = make_program(quiz)
    mine = enroll(program, mentor=mentor)
    other = enroll(program, mentor=make_user(Role.MENTOR))
    attempts = {}
    for name, enrollment in (("mine", mine), ("other", other)):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        answer(attempt, enrollment.trainee, {f"q{q.pk}": f"Answer of {name}"})
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
        attempts[name] = attempt
    return {"quiz": quiz, "mine": mine, "other": other, "attempts": attempts}


def test_a_trainee_cannot_open_another_trainees_attempt(client, setup):
    client.force_login(setup["mine"].trainee)
    own = client.get(reverse("quizzes:attempt", args=[setup["attempts"]["mine"].pk]))
    assert own.status_code == 200
    assert "Answer of mine" in own.content.decode()
    other = setup["attempts"]["other"]
    assert client.get(reverse("quizzes:attempt", args=[other.pk])).status_code == 404
    assert client.post(reverse("quizzes:attempt_save", args=[other.pk])).status_code == 404
    assert client.get(reverse("quizzes:attempt_submit", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("name", ["quizzes:grading_queue", "quizzes:overdue_grading"])
def test_a_trainee_opens_no_grading_page(client, setup, name):
    client.force_login(setup["mine"].trainee)
    assert client.get(reverse(name)).status_code == 404


def test_a_trainee_cannot_grade_even_their_own_attempt(client, setup):
    client.force_login(setup["mine"].trainee)
    for attempt in setup["attempts"].values():
        assert client.get(reverse("quizzes:grade", args=[attempt.pk])).status_code == 404
        assert client.post(reverse("quizzes:grade", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("quizzes:quiz_results", args=["survey"])).status_code == 404


def test_a_mentor_cannot_grade_a_non_mentees_attempt(client, setup, mentor):
    client.force_login(mentor)
    other = setup["attempts"]["other"]
    assert client.get(reverse("quizzes:grade", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("quizzes:grade", args=[other.pk]), {"action": "save"}).status_code
        == 404
    )
    assert client.get(reverse("quizzes:attempt", args=[other.pk])).status_code == 404
    mine = setup["attempts"]["mine"]
    assert client.get(reverse("quizzes:grade", args=[mine.pk])).status_code == 200
    queue = client.get(reverse("quizzes:grading_queue")).content.decode()
    assert setup["mine"].trainee.get_full_name() in queue
    assert setup["other"].trainee.get_full_name() not in queue


def test_a_mentor_opens_neither_overdue_list_nor_overrides(client, setup, mentor):
    client.force_login(mentor)
    assert client.get(reverse("quizzes:overdue_grading")).status_code == 404
    attempt = setup["attempts"]["mine"]
    response = attempt.responses.get()
    url = reverse("quizzes:override", args=[attempt.pk, response.pk])
    assert client.get(url).status_code == 404


def test_hr_and_directors_see_and_grade_everything(client, setup):
    for role in (Role.HR, Role.DIRECTOR):
        client.force_login(make_user(role))
        for attempt in setup["attempts"].values():
            assert client.get(reverse("quizzes:grade", args=[attempt.pk])).status_code == 200
        queue = client.get(reverse("quizzes:grading_queue")).content.decode()
        assert "Answer of" not in queue  # the queue lists, the page shows answers
        assert setup["other"].trainee.get_full_name() in queue


def test_my_quizzes_shows_only_the_trainees_own(client, setup):
    client.force_login(setup["mine"].trainee)
    page = client.get(reverse("quizzes:my_quizzes")).content.decode()
    assert "Awaiting grading" in page
    assert setup["other"].trainee.get_full_name() not in page
    assert client.get(reverse("quizzes:my_quizzes")).status_code == 200


def test_awaiting_grading_count(setup, mentor):
    from quizzes.selectors import awaiting_grading_count

    assert awaiting_grading_count(user=mentor) == 1
    assert awaiting_grading_count(user=make_user(Role.HR)) == 2
    assert awaiting_grading_count(user=make_user(Role.MENTOR)) == 0
    assert awaiting_grading_count(user=setup["mine"].trainee) == 0


def test_the_grading_count_include(rf, setup, mentor):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = mentor
    html = render_to_string("quizzes/includes/grading_count.html", request=request)
    assert "1" in html
    assert "attempt awaiting your grading" in html
    request.user = setup["mine"].trainee
    assert "awaiting" not in render_to_string(
        "quizzes/includes/grading_count.html", request=request
    )
