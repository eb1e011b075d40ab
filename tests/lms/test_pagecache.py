"""The personal page cache (lms/pagecache.py): a trainee's home and stage pages and a grader's
queue are served again from the cache, and every change a person can make to what they show
is seen on the very next request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import StagePage
from lms import pagecache
from lms.roles import Role
from lms.services import Notice, notifications_mark_read, notify, notify_many
from mentors.models import Activity, Mentorship
from quizzes import services as quiz_services
from tests.conftest import make_user
from tests.courses.factories import enroll, make_program, stages_of
from tests.quizzes import factories as quiz_factories
from tests.quizzes.conftest import answer

pytestmark = pytest.mark.django_db

# A page served from the cache reads only the session (from the database here; with a Redis
# cache, sessions come from it and a hit makes no query). The user is not loaded.
HIT_QUERIES = 1
START = "2026-03-02 10:00:00+03:00"


@pytest.fixture
def program(db):
    return make_program(stages=2)


@pytest.fixture
def trainee_enrollment(program):
    return enroll(program)


@pytest.fixture
def trainee_client(trainee_enrollment):
    client = Client()
    client.force_login(trainee_enrollment.trainee)
    return client


def stage_url(enrollment, n=0):
    return stages_of(enrollment.program)[n].url


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def served_from_cache(client, url) -> str:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured) == HIT_QUERIES, [q["sql"] for q in captured]
    return response.content.decode()


def rendered(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def trainee_item(stage) -> str:
    """The id of the stage's first checklist item the trainee ticks."""
    return next(
        item.id
        for block in stage.body
        if block.block_type == "checklist"
        for item in block.value["items"].bound_blocks
        if item.value["responsible"] == "trainee"
    )


@pytest.mark.parametrize("page", ["home", "stage"])
def test_a_page_seen_again_is_served_from_the_cache(page, trainee_client, trainee_enrollment):
    url = reverse("courses:my_onboarding") if page == "home" else stage_url(trainee_enrollment)
    first = rendered(trainee_client, url)
    assert served_from_cache(trainee_client, url) == first


def test_a_hard_reload_renders_the_page_again_and_keeps_it(trainee_client):
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    with CaptureQueriesContext(connection) as captured:
        trainee_client.get(url, headers={"cache-control": "no-cache"})
    assert len(captured) > HIT_QUERIES
    served_from_cache(trainee_client, url)


def test_off_at_zero_seconds(trainee_client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    assert queries(trainee_client, url) > HIT_QUERIES


def test_each_session_has_its_own_page(trainee_enrollment):
    url = reverse("courses:my_onboarding")
    first, second = Client(), Client()
    first.force_login(trainee_enrollment.trainee)
    second.force_login(trainee_enrollment.trainee)
    rendered(first, url)
    assert queries(second, url) > HIT_QUERIES


def test_a_ticked_item_shows_on_the_next_visit(trainee_client, trainee_enrollment):
    stage = stages_of(trainee_enrollment.program)[0]
    url = stage.url
    assert "✔" not in rendered(trainee_client, url)
    item_id = trainee_item(stage)
    response = trainee_client.post(
        reverse("courses:checklist_tick", args=[trainee_enrollment.pk, stage.pk, item_id]),
        {"done": "1", "next": url},
    )
    assert response.status_code == 302
    assert "✔" in rendered(trainee_client, url)


def test_a_message_waiting_is_shown_on_a_fresh_page(trainee_client, trainee_enrollment):
    """After a form, the page that follows shows its message even though it was kept."""
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    trainee_client.post(
        reverse("courses:job_description_sign", args=[trainee_enrollment.pk]), {"next": url}
    )
    assert "the job description is signed" in rendered(trainee_client, url)
    # And the message is shown once.
    assert "the job description is signed" not in rendered(trainee_client, url)


def test_notifications_change_the_unread_count(trainee_client, trainee_enrollment):
    url = reverse("courses:my_onboarding")
    trainee = trainee_enrollment.trainee
    assert 'class="badge"' not in rendered(trainee_client, url)
    notify(recipient=trainee, title="One")
    assert "1 unread" in rendered(trainee_client, url)
    notify_many([Notice(recipient=trainee, title="Two"), Notice(recipient=trainee, title="3")])
    assert "3 unread" in rendered(trainee_client, url)
    served_from_cache(trainee_client, url)
    notifications_mark_read(user=trainee)
    assert 'class="badge"' not in rendered(trainee_client, url)


def test_an_edited_stage_shows_at_once(trainee_client, trainee_enrollment):
    stage = stages_of(trainee_enrollment.program)[0]
    url = stage.url
    assert "Know the products" not in rendered(trainee_client, url)
    stage.summary = "Know the products"
    stage.save_revision().publish()
    assert "Know the products" in rendered(trainee_client, url)


def test_a_new_mentor_and_their_new_name_show(trainee_client, trainee_enrollment):
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    mentor = make_user(Role.MENTOR, first_name="Olga", last_name="Mentor")
    Mentorship.objects.create(
        enrollment=trainee_enrollment, mentor=mentor, started_on=trainee_enrollment.hire_date
    )
    assert "Olga Mentor" in rendered(trainee_client, url)
    mentor.last_name = "Married"
    mentor.save()
    assert "Olga Married" in rendered(trainee_client, url)


def test_the_activity_stream_keeps_the_pages(trainee_client, trainee_enrollment):
    """The CRM writes activities all day; no kept page shows them."""
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    Activity.objects.create(
        enrollment=trainee_enrollment,
        kind=Activity.Kind.CALL,
        occurred_at=timezone.now(),
        source=Activity.Source.API,
        external_id="crm-1",
    )
    served_from_cache(trainee_client, url)


def test_a_removed_role_is_not_served_from_the_cache(trainee_client, trainee_enrollment):
    trainee = trainee_enrollment.trainee
    rendered(trainee_client, reverse("courses:my_onboarding"))
    course_services.enrollment_drop(
        enrollment=trainee_enrollment, user=make_user(Role.HR), reason="Left"
    )
    Group.objects.get(name=Role.TRAINEE).user_set.remove(trainee)
    assert trainee_client.get(reverse("courses:my_onboarding")).status_code == 403


def test_a_new_password_signs_other_sessions_out(trainee_client, trainee_enrollment):
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    trainee = trainee_enrollment.trainee
    trainee.set_password("a new one, elsewhere")
    trainee.save()
    response = trainee_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_deactivated_user_is_not_served(trainee_client, trainee_enrollment):
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    trainee = trainee_enrollment.trainee
    trainee.is_active = False
    trainee.save()
    assert trainee_client.get(url).status_code == 302


def test_after_logout_the_page_is_not_served(trainee_client, trainee_enrollment):
    url = reverse("courses:my_onboarding")
    rendered(trainee_client, url)
    session = trainee_client.cookies["sessionid"].value
    trainee_client.post(reverse("logout"))
    stranger = Client()
    stranger.cookies["sessionid"] = session
    response = stranger.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_new_day_renders_afresh(trainee_client):
    url = reverse("courses:my_onboarding")
    with time_machine.travel(START, tick=False):
        rendered(trainee_client, url)
    with time_machine.travel("2026-03-03 10:00:00+03:00", tick=False):
        assert queries(trainee_client, url) > HIT_QUERIES


def test_a_write_during_the_rendering_is_not_hidden(trainee_client, trainee_enrollment):
    """A change committed while the page was being rendered: the page read the data before
    the change but is kept under the token it had before, so the next visit renders again."""
    url = reverse("courses:my_onboarding")
    real = course_services.selectors.overview

    def overview_then_a_write(enrollment, **kwargs):
        result = real(enrollment, **kwargs)
        pagecache.bump(pagecache.enrollment(enrollment.pk))
        return result

    with mock.patch("courses.selectors.overview", overview_then_a_write):
        rendered(trainee_client, url)
    assert queries(trainee_client, url) > HIT_QUERIES


def test_a_stage_published_while_it_was_routed_is_rendered_again(
    trainee_client, trainee_enrollment
):
    """Wagtail loads the page before the view runs: the tokens are read before the routing."""
    url = stage_url(trainee_enrollment)
    real = StagePage.serve

    def serve_after_an_edit(self, request, *args, **kwargs):
        pagecache.bump(pagecache.SITE)  # an editor published between the routing and the view
        return real(self, request, *args, **kwargs)

    with mock.patch.object(StagePage, "serve", serve_after_an_edit):
        rendered(trainee_client, url)
    assert queries(trainee_client, url) > HIT_QUERIES


def test_the_csrf_token_of_a_kept_page_is_accepted(trainee_enrollment):
    """A kept page's forms carry a token from the secret it was rendered with; a client that
    has no CSRF cookie gets that secret with the page served from the cache."""
    stage = stages_of(trainee_enrollment.program)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(trainee_enrollment.trainee)
    client.get(stage.url)  # rendered and kept, without a CSRF cookie in the request
    del client.cookies["csrftoken"]
    response = client.get(stage.url)  # served from the cache: the same secret again
    assert "csrftoken" in response.cookies
    token = response.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    item_id = trainee_item(stage)
    posted = client.post(
        reverse("courses:checklist_tick", args=[trainee_enrollment.pk, stage.pk, item_id]),
        {"done": "1", "csrfmiddlewaretoken": token},
    )
    assert posted.status_code == 302


def test_a_mentors_view_of_a_trainee_stage_is_not_kept(trainee_enrollment):
    mentor = make_user(Role.MENTOR)
    Mentorship.objects.create(
        enrollment=trainee_enrollment, mentor=mentor, started_on=trainee_enrollment.hire_date
    )
    client = Client()
    client.force_login(mentor)
    url = f"{stage_url(trainee_enrollment)}?enrollment={trainee_enrollment.pk}"
    rendered(client, url)
    assert queries(client, url) > HIT_QUERIES


def test_a_broken_cache_still_serves_the_page(trainee_client):
    broken = mock.Mock()
    for name in ("get", "get_many", "set", "set_many", "add"):
        getattr(broken, name).side_effect = ConnectionError("cache down")
    with mock.patch("lms.pagecache.cache", broken):
        assert trainee_client.get(reverse("courses:my_onboarding")).status_code == 200
        notify(recipient=make_user(Role.TRAINEE), title="A write still succeeds")


# --- The grading queue --------------------------------------------------------------------


@pytest.fixture
def submitted(mentor):
    quiz = quiz_factories.QuizFactory(title="Product survey")
    question = quiz_factories.written(quiz, order=1, points="4")
    program = quiz_factories.make_program(quiz)
    enrollment = quiz_factories.enroll(program, mentor=mentor)
    with time_machine.travel(START, tick=False):
        attempt = quiz_services.attempt_start(
            enrollment=enrollment, quiz=quiz, user=enrollment.trainee
        )
        answer(attempt, enrollment.trainee, {f"q{question.pk}": "Text"})
    return {"attempt": attempt, "quiz": quiz, "enrollment": enrollment}


@pytest.fixture
def mentor_client(mentor):
    client = Client()
    client.force_login(mentor)
    return client


def test_the_queue_shows_a_submission_and_drops_it_once_graded(submitted, mentor, mentor_client):
    url = reverse("quizzes:grading_queue")
    attempt = submitted["attempt"]
    with time_machine.travel(START, tick=False):
        assert "Product survey" not in rendered(mentor_client, url)
        quiz_services.attempt_submit(attempt=attempt, user=attempt.enrollment.trainee)
        assert "Product survey" in rendered(mentor_client, url)
        served_from_cache(mentor_client, url)
        response = attempt.responses.get()
        quiz_services.attempt_lease_acquire(attempt=attempt, user=mentor)
        quiz_services.attempt_grade(
            attempt=attempt,
            grader=mentor,
            grades={response.pk: quiz_services.ResponseGrade(points=Decimal(4))},
            finish=True,
        )
        assert "Product survey" not in rendered(mentor_client, url)


def test_another_graders_lease_shows_and_runs_out(submitted, mentor_client, hr):
    url = reverse("quizzes:grading_queue")
    attempt = submitted["attempt"]
    hr.first_name, hr.last_name = "Helen", "Resources"
    hr.save()
    with time_machine.travel(START, tick=False):
        quiz_services.attempt_submit(attempt=attempt, user=attempt.enrollment.trainee)
        rendered(mentor_client, url)
        quiz_services.attempt_lease_acquire(attempt=attempt, user=hr)
        assert "Helen Resources is grading" in rendered(mentor_client, url)
    with time_machine.travel(START, tick=False):
        later = timezone.now() + timedelta(minutes=quiz_services.lease_minutes() + 1)
    with time_machine.travel(later, tick=False):
        assert "Helen Resources is grading" not in rendered(mentor_client, url)
