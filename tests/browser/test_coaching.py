"""Coaching on recordings in Chromium with a fake microphone (docs/coaching.md): the trainee
records a role-play answer and submits it; the mentor reviews it with two comments pinned to
moments and the rubric; the trainee hears both comments at their moments. Then a call imported
from telephony gets its recording, the trainee picks it, the mentor scores it with the call
scorecard. Screenshots go to var/test-artifacts/."""

from __future__ import annotations

import struct
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from mentors import call_reviews
from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity, CallReview
from people.roles import Role
from quizzes import recording_services, services
from quizzes.models import Attempt, Recording, RecordingQuestion, RubricCriterion
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, login, screenshot
from tests.conftest import make_user
from tests.mentors.factories import make_rule
from tests.people.factories import PASSWORD
from tests.quizzes.factories import QuizFactory, enroll, make_program, oral

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def mic_browser(playwright_driver):
    """Chromium whose microphone is a generated tone and whose permission prompt says yes."""
    browser = playwright_driver.chromium.launch(
        executable_path=chromium_path(), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    yield browser
    browser.close()


@pytest.fixture
def open_page(mic_browser, request):
    """Pages in fresh contexts that may use the microphone; on failure each one saves a
    screenshot, as tests/browser/conftest.py's new_page does."""
    contexts = []

    def factory():
        context = mic_browser.new_context(
            viewport={"width": 1280, "height": 900}, permissions=["microphone"]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield factory
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            for page in context.pages:
                screenshot(page, f"FAILED-{request.node.name}-{i}")
        context.close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def wav(seconds: int, rate=8000) -> bytes:
    frames = bytes((i * 7) % 256 for i in range(rate * seconds * 2))
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


def _seek_to(page, text: str, seconds: int):
    """Click the comment's moment; the player stands there."""
    page.locator("[data-comment]", has_text=text).locator("[data-seek]").click()
    page.wait_for_function(
        "s => Math.abs(document.querySelector('[data-player] [data-media]').currentTime - s) < 1",
        arg=seconds,
    )


def _role_play_recorded_and_reviewed(live_server, open_page, mentor, trainee):
    """The trainee records the role-play, the mentor pins two comments and scores the rubric,
    the trainee finds both comments at their moments. Returns the enrollment and the recording."""
    quiz = QuizFactory(title="Role-play: the deal", is_certification=True, pass_mark=60)
    question = RecordingQuestion.objects.create(
        quiz=quiz,
        order=1,
        text="Close the deal with the client",
        points=Decimal(10),
        max_seconds=30,
    )
    for i, name in enumerate(["Needs discovery", "Closing"]):
        RubricCriterion.objects.create(
            question=question, name=name, max_points=Decimal(5), sort_order=i
        )
    enrollment = enroll(make_program(quiz), trainee, mentor=mentor)
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)

    page = open_page()
    login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    recorder = page.locator("[data-recorder]")
    expect(recorder.locator("[data-recording-notice]")).to_contain_text("recorded for coaching")
    recorder.get_by_role("button", name="Start recording").click()
    expect(recorder.locator("[data-countdown]")).to_have_text("3")
    expect(recorder).to_have_attribute("data-state", "recording", timeout=6_000)
    page.wait_for_timeout(4_500)
    recorder.get_by_role("button", name="Stop").click()
    expect(recorder).to_have_attribute("data-state", "recorded")
    expect(recorder.locator("[data-preview]")).to_be_visible()
    screenshot(page, "coaching-1-trainee-recorded")
    recorder.get_by_role("button", name="Save this recording").click()
    expect(recorder).to_have_attribute("data-state", "saved")
    recording = Recording.objects.get(response__attempt=attempt)
    assert recording.content_type == "audio/webm"
    assert 3 <= recording.duration_seconds <= 6
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Yes, submit my answers").click()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AWAITING_GRADING

    grader = open_page()
    login(grader, live_server, "misha", PASSWORD)
    grader.goto(f"{live_server.url}/grading/{attempt.pk}/")
    for at, text in (("0:01", "Good opening question"), ("0:03", "Ask for the date here")):
        form = grader.locator("[data-comment-form]")
        form.locator("[data-moment]").fill(at)
        form.locator("textarea[name=text]").fill(text)
        form.get_by_role("button", name="Add the comment at this moment").click()
        expect(grader.locator("[data-comment]", has_text=text)).to_be_visible()
    grader.get_by_label("Needs discovery (0–5)").fill("4")
    grader.get_by_label("Closing (0–5)").fill("3")
    screenshot(grader, "coaching-2-mentor-reviews")
    grader.get_by_role("button", name="Finish grading").click()
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.percent == Decimal("70.0")

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    comments = page.locator("[data-comment]")
    expect(comments).to_have_count(2)
    expect(page.locator(".progress-marker")).to_have_count(2)
    _seek_to(page, "Ask for the date here", 3)
    _seek_to(page, "Good opening question", 1)
    screenshot(page, "coaching-3-trainee-sees-the-comments")
    return enrollment, recording


def _imported_call_reviewed(live_server, open_page, enrollment):
    """A call the PBX connector imported carries its recording; the trainee picks it, the
    mentor comments at a moment and fills the call scorecard, the trainee reads the review."""
    bot = make_user(username="telephony")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    call = Activity.objects.create(
        enrollment=enrollment,
        kind=Activity.Kind.CALL,
        occurred_at=timezone.now() - timedelta(hours=1),
        source=Activity.Source.TELEPHONY,
        external_id="pbx-1001",
        provenance="pbx",
    )
    call_reviews.call_recording_attach(
        activity=call, file=SimpleUploadedFile("c.wav", wav(8), "audio/wav"), by=bot
    )

    page = open_page()
    login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server.url}/activity/")
    page.locator("[data-call-review]").first.click()
    expect(page.locator("[data-recording-notice]")).to_contain_text("This call is recorded")
    page.get_by_role("button", name="Pick this call for review").click()
    expect(page.get_by_text("The call is picked for review.")).to_be_visible()
    expect(page.get_by_role("button", name="Pick this call for review")).to_have_count(0)

    coach = open_page()
    login(coach, live_server, "misha", PASSWORD)
    coach.goto(f"{live_server.url}/activity/calls/reviews/")
    coach.locator(f"a[href='/activity/calls/{call.pk}/']").click()
    form = coach.locator("[data-comment-form]")
    form.locator("[data-moment]").fill("0:05")
    form.locator("textarea[name=text]").fill("Name the next step before hanging up")
    form.get_by_role("button", name="Add the comment at this moment").click()
    for name, score in (
        ("greeting", 2),
        ("needs_found", 2),
        ("decision_maker", 1),
        ("objections", 1),
        ("next_step", 0),
    ):
        coach.locator(f"input[name={name}][value='{score}']").check()
    coach.get_by_label("Comment for the trainee").fill("Good discovery; agree the next step.")
    coach.get_by_role("button", name="Save the review").click()
    expect(coach.locator("#review")).to_contain_text("60%")
    screenshot(coach, "coaching-4-mentor-scored-the-call")
    assert CallReview.objects.get(activity=call).percent == 60

    page.reload()
    expect(page.locator("#review")).to_contain_text("60%")
    _seek_to(page, "Name the next step", 5)
    screenshot(page, "coaching-5-trainee-sees-the-call-review")
    return call


def test_a_role_play_and_a_call_reviewed_and_nobody_else_hears_them(live_server, open_page):
    """Issue #22's Done-when in one walk: the recorded role-play reviewed with two pinned
    comments and the rubric, an imported call's recording reviewed with the call scorecard,
    and another trainee answered 404 for both recordings."""
    make_rule()
    mentor = make_user(Role.MENTOR, username="misha", first_name="Misha", last_name="Orlov")
    trainee = make_user(Role.TRAINEE, username="anna", first_name="Anna", last_name="Petrova")
    enrollment, recording = _role_play_recorded_and_reviewed(
        live_server, open_page, mentor, trainee
    )
    call = _imported_call_reviewed(live_server, open_page, enrollment)

    make_user(Role.TRAINEE, username="boris")
    other = open_page()
    login(other, live_server, "boris", PASSWORD)
    for url in (f"/recordings/{recording.pk}/file/", f"/activity/calls/{call.pk}/recording/"):
        assert other.request.get(f"{live_server.url}{url}").status == 404, url
    # ...while the trainee who made them hears both.
    owner = open_page()
    login(owner, live_server, "anna", PASSWORD)
    for url in (f"/recordings/{recording.pk}/file/", f"/activity/calls/{call.pk}/recording/"):
        assert owner.request.get(f"{live_server.url}{url}").status == 200, url


def test_the_live_role_play_is_recorded_and_the_last_attempt_graded_beside_the_first(
    live_server, open_page
):
    mentor = make_user(Role.MENTOR, username="misha")
    trainee = make_user(Role.TRAINEE, username="anna")
    quiz = QuizFactory(title="Certification role-play", is_certification=True, mode="oral")
    oral(quiz)
    enrollment = enroll(make_program(quiz), trainee, mentor=mentor)
    first = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=mentor)
    recording_services.live_recording_save(
        attempt=first,
        grader=mentor,
        upload=SimpleUploadedFile("first.wav", wav(6), "audio/wav"),
        duration="",
    )
    item = next(i for i in services.selectors.attempt_sheet(first) if i.is_manual)
    services.attempt_grade(
        attempt=first,
        grader=mentor,
        grades={
            item.response.pk: services.ResponseGrade(criteria={c.pk: 1 for c in item.criteria})
        },
        finish=True,
    )
    second = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=mentor)

    grader = open_page()
    login(grader, live_server, "misha", PASSWORD)
    grader.goto(f"{live_server.url}/grading/{second.pk}/")
    live = grader.locator("#live-recording")
    expect(live.locator("[data-recording-notice]")).to_contain_text("Tell the trainee")
    recorder = live.locator("[data-recorder]")
    expect(recorder.get_by_role("button", name="Stop")).to_be_hidden()
    expect(recorder.get_by_role("button", name="Save this recording")).to_be_hidden()
    recorder.get_by_role("button", name="Start recording").click()
    expect(recorder).to_have_attribute("data-state", "recording", timeout=6_000)
    grader.wait_for_timeout(3_000)
    recorder.get_by_role("button", name="Stop").click()
    recorder.get_by_role("button", name="Save this recording").click()
    grader.wait_for_load_state()
    expect(grader.locator("#compare [data-compare='current'] [data-player]")).to_have_count(1)
    expect(grader.locator("#compare [data-compare='earlier'] [data-player]")).to_have_count(1)
    assert second.recordings.get().kind == Recording.Kind.LIVE
    screenshot(grader, "coaching-6-second-attempt-beside-the-first")


def test_a_call_locked_for_a_second_reviewer_and_its_markers_at_their_moments(
    live_server, open_page
):
    """The call review's grading lease in the browser: the mentor's first comment takes it, a
    second reviewer (HR) sees the call locked and no forms; the mentor's markers stand at
    their moments over the decoded audio's length (with its waveform drawn)."""
    make_rule()
    mentor = make_user(Role.MENTOR, username="misha", first_name="Misha", last_name="Orlov")
    make_user(Role.HR, username="hanna", first_name="Hanna", last_name="Ivanova")
    trainee = make_user(Role.TRAINEE, username="anna", first_name="Anna", last_name="Petrova")
    enrollment = enroll(make_program(), trainee, mentor=mentor)
    bot = make_user(username="telephony")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    call = Activity.objects.create(
        enrollment=enrollment,
        kind=Activity.Kind.CALL,
        occurred_at=timezone.now() - timedelta(hours=1),
        source=Activity.Source.TELEPHONY,
        external_id="pbx-2002",
        provenance="pbx",
    )
    call_reviews.call_recording_attach(
        activity=call, file=SimpleUploadedFile("c.wav", wav(8), "audio/wav"), by=bot
    )
    call_reviews.call_review_request(activity=call, by=trainee)

    coach = open_page()
    login(coach, live_server, "misha", PASSWORD)
    coach.goto(f"{live_server.url}/activity/calls/{call.pk}/")
    for at, text in (("0:05", "Ask who decides"), ("0:07", "Agree the next step")):
        form = coach.locator("[data-comment-form]")
        form.locator("[data-moment]").fill(at)
        form.locator("textarea[name=text]").fill(text)
        form.get_by_role("button", name="Add the comment at this moment").click()
        expect(coach.locator("[data-comment]", has_text=text)).to_be_visible()
    expect(coach.locator("[data-lease=mine]")).to_be_visible()

    coach.wait_for_function("document.querySelector('[data-player]').dataset.waveform === 'drawn'")
    assert coach.locator("[data-player]").get_attribute("data-length") == "8.000"
    # The markers move to their moments once the audio's length is known: waited for, then read.
    offsets_js = """() => {
          const line = document.querySelector('[data-progress]').getBoundingClientRect();
          return [...document.querySelectorAll('[data-marker]')].map(m => {
            const box = m.getBoundingClientRect();
            return (box.left + box.width / 2 - line.left) / line.width;
          });
        }"""
    coach.wait_for_function(
        f"() => ({offsets_js})().map(o => Math.round(o * 80) / 10).join() === '5,7'"
    )
    offsets = coach.evaluate(offsets_js)
    assert [round(o * 8, 1) for o in offsets] == [5.0, 7.0]
    coach.locator("[data-marker]").nth(1).click()
    coach.wait_for_function(
        "Math.abs(document.querySelector('[data-player] [data-media]').currentTime - 7) < 0.5"
    )
    screenshot(coach, "coaching-6-call-markers-and-waveform")

    second = open_page()
    login(second, live_server, "hanna", PASSWORD)
    second.goto(f"{live_server.url}/activity/calls/{call.pk}/")
    expect(second.locator("[data-lease=held]")).to_contain_text(
        "Misha Orlov is reviewing this call"
    )
    expect(second.locator("[data-comment-form]")).to_have_count(0)
    expect(second.get_by_role("button", name="Save the review")).to_have_count(0)
    screenshot(second, "coaching-7-call-locked-for-a-second-reviewer")
