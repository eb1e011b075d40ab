"""The certification gate in a browser: an uncertified trainee is refused a client meeting; two
failed role-plays, HR grants an extra attempt, the third passes and the meeting is logged."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentors.models import Activity
from people.roles import Role
from quizzes import selectors, services
from tests.browser.conftest import login, screenshot
from tests.conftest import make_user
from tests.people.factories import PASSWORD
from tests.quizzes.factories import QuizFactory, enroll, make_program, oral

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _roleplay(enrollment, quiz, mentor, *, share):
    """The trainee takes the role-play, the mentor scores every criterion at ``share``."""
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    item = next(i for i in selectors.attempt_sheet(attempt) if i.is_manual)
    grade = services.ResponseGrade(
        criteria={c.pk: (c.max_points * Decimal(share)).quantize(Decimal(1)) for c in item.criteria}
    )
    services.attempt_grade(
        attempt=attempt, grader=mentor, grades={item.response.pk: grade}, finish=True
    )
    attempt.refresh_from_db()
    return attempt


def _log_meeting(page, live_server):
    page.goto(f"{live_server.url}/activity/")
    when = (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("What").select_option("meeting")
    page.get_by_label("When").fill(when)
    page.get_by_role("button", name="Save").click()


def test_uncertified_meeting_refused_two_failed_roleplays_and_a_third_by_extra_attempt(
    live_server, new_page
):
    mentor = make_user(Role.MENTOR, username="misha")
    make_user(Role.HR, username="olga")
    trainee = make_user(Role.TRAINEE, username="anna", first_name="Anna", last_name="Petrova")
    quiz = QuizFactory(title="Role-play certification", is_certification=True, pass_mark=70)
    oral(quiz)
    enrollment = enroll(make_program(quiz), trainee, mentor=mentor)

    page = new_page()
    login(page, live_server, "anna", PASSWORD)
    _log_meeting(page, live_server)
    expect(page.locator("#certification-notice")).to_be_visible()
    expect(page.locator(".field.has-error")).to_contain_text(
        "only after the role-play certification"
    )
    assert not Activity.objects.exists()
    screenshot(page, "certification-meeting-refused")

    assert _roleplay(enrollment, quiz, mentor, share="0.3").passed is False
    page.goto(f"{live_server.url}/quizzes/{quiz.slug}/")
    expect(page.locator("#last-attempt")).to_contain_text("Last attempt")
    expect(page.locator("#rubric")).to_contain_text("Needs discovery")
    assert _roleplay(enrollment, quiz, mentor, share="0.4").passed is False
    enrollment.refresh_from_db()
    assert enrollment.certification_failed

    hr = new_page()
    login(hr, live_server, "olga", PASSWORD)
    hr.goto(f"{live_server.url}/quizzes/{quiz.slug}/results/")
    hr.get_by_role("link", name="Grant an extra attempt").click()
    hr.get_by_label("Reason").fill("Practised closing with the head of sales.")
    hr.get_by_role("button", name="Grant one more attempt").click()
    expect(hr.locator(".message-success")).to_contain_text("Extra attempt granted")

    page.goto(f"{live_server.url}/quizzes/{quiz.slug}/")
    expect(page.locator("#last-attempt")).to_be_visible()
    third = _roleplay(enrollment, quiz, mentor, share="0.8")
    assert (third.number, third.passed) == (3, True)
    enrollment.refresh_from_db()
    assert enrollment.cleared_for_client_work_on == timezone.localdate()

    _log_meeting(page, live_server)
    expect(page.locator(".message-success")).to_contain_text("Meeting logged")
    expect(page.locator("#certification-notice")).to_have_count(0)
    assert Activity.objects.get().kind == "meeting"
