"""Recorded answers and role-plays (docs/coaching.md): the limits on what is accepted, who may
hear a recording (anyone else gets 404), range requests, comments pinned to a moment under the
grading lease, the comparison of the last attempt with the first, and the retention purge."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentors.models import Mentorship
from people.roles import Role
from quizzes import recording_services, services
from quizzes.models import Attempt, Recording, RecordingComment, RecordingQuestion, RubricCriterion
from tests.conftest import make_user
from tests.quizzes.factories import QuizFactory, enroll, make_program, oral

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=MSK)
WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4  # 1028 bytes that open as WebM


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDING_RETENTION_DAYS = 90


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def webm(data=WEBM, name="answer.webm", content_type="audio/webm"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def wav(seconds: int, rate=8000) -> bytes:
    frames = b"\x00\x00" * rate * seconds
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


@pytest.fixture
def recorded(mentor):
    """A role-play answered with a recording, rubric of two criteria, the trainee's mentor."""
    quiz = QuizFactory(title="Role-play: closing", is_certification=True)
    question = RecordingQuestion.objects.create(
        quiz=quiz, order=1, text="Close the deal", points=Decimal(10), max_seconds=60
    )
    for i, name in enumerate(["Needs discovery", "Closing"]):
        RubricCriterion.objects.create(
            question=question, name=name, max_points=Decimal(5), sort_order=i
        )
    enrollment = enroll(make_program(quiz), mentor=mentor)
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    return attempt, question, attempt.responses.get()


def _upload(client, attempt, response, upload, duration="12.4"):
    return client.post(
        reverse("quizzes:recording_upload", args=[attempt.pk, response.pk]),
        {"file": upload, "duration": duration},
        headers={"accept": "application/json"},
    )


def _submitted(recorded):
    attempt, _question, response = recorded
    recording_services.response_recording_save(
        response=response, user=attempt.enrollment.trainee, upload=webm(), duration="12"
    )
    services.attempt_submit(attempt=attempt, user=attempt.enrollment.trainee)
    return Recording.objects.get(response=response)


# --- Recording and submitting ---------------------------------------------------------------


def test_the_trainee_records_an_answer_and_submits_it(client, recorded):
    attempt, _question, response = recorded
    client.force_login(attempt.enrollment.trainee)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert b"data-recorder" in page.content
    assert b"recorded for coaching" in page.content
    result = _upload(client, attempt, response, webm())
    assert result.status_code == 200, result.content
    assert result.json()["ok"] is True
    recording = Recording.objects.get(response=response)
    assert (recording.kind, recording.content_type, recording.duration_seconds) == (
        "answer",
        "audio/webm",
        12,
    )
    assert recording.file.name.startswith("recordings/recording/")
    assert not recording.file.url.startswith(reverse("quizzes:recording_file", args=[1])[:5])
    services.attempt_submit(attempt=attempt, user=attempt.enrollment.trainee)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AWAITING_GRADING


def test_re_recording_replaces_the_file_and_deletes_the_old_one(
    client, recorded, django_capture_on_commit_callbacks
):
    attempt, _question, response = recorded
    client.force_login(attempt.enrollment.trainee)
    _upload(client, attempt, response, webm())
    first = Recording.objects.get(response=response)
    storage, old_name = first.file.storage, first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        result = _upload(client, attempt, response, webm(WEBM + b"more"), duration="20")
    assert result.status_code == 200
    second = Recording.objects.get(response=response)
    assert second.pk != first.pk
    assert second.duration_seconds == 20
    assert not storage.exists(old_name)
    assert storage.exists(second.file.name)


def test_a_question_without_re_recording_keeps_the_first(client, recorded):
    attempt, question, response = recorded
    question.allow_rerecord = False
    question.save()
    client.force_login(attempt.enrollment.trainee)
    _upload(client, attempt, response, webm())
    result = _upload(client, attempt, response, webm())
    assert result.status_code == 400
    assert "already saved" in result.json()["message"]
    assert Recording.objects.filter(response=response).count() == 1


@pytest.mark.parametrize(
    ("upload", "duration", "message"),
    [
        (webm(b""), "3", "empty"),
        (SimpleUploadedFile("a.txt", b"hello, I am text", content_type="text/plain"), "3", "WebM"),
        (webm(content_type="video/webm"), "3", "Only audio"),
        (webm(), "61.9", "the limit is 1:00"),
        (webm(), "", "could not be read"),
        (webm(), "abc", "could not be read"),
        (SimpleUploadedFile("a.wav", wav(70), content_type="audio/wav"), "5", "lasts 1:10"),
    ],
)
def test_limits_refuse_with_a_clear_message_and_save_nothing(
    client, recorded, upload, duration, message
):
    attempt, _question, response = recorded
    client.force_login(attempt.enrollment.trainee)
    result = _upload(client, attempt, response, upload, duration=duration)
    assert result.status_code == 400
    assert message in result.json()["message"]
    assert not Recording.objects.exists()


def test_the_size_limit(client, recorded, settings):
    settings.RECORDING_MAX_MB = 1
    attempt, _question, response = recorded
    client.force_login(attempt.enrollment.trainee)
    result = _upload(client, attempt, response, webm(WEBM * 1100))
    assert result.status_code == 400
    assert "the limit is 1 MB" in result.json()["message"]
    assert not Recording.objects.exists()


def test_a_wav_file_s_own_length_counts(client, recorded):
    attempt, _question, response = recorded
    client.force_login(attempt.enrollment.trainee)
    result = _upload(
        client, attempt, response, SimpleUploadedFile("a.wav", wav(4), "audio/wav"), "59"
    )
    assert result.status_code == 200
    assert Recording.objects.get().duration_seconds == 4


def test_nobody_records_into_someone_else_s_attempt(client, recorded):
    attempt, _question, response = recorded
    client.force_login(make_user(Role.TRAINEE))
    assert _upload(client, attempt, response, webm()).status_code == 404
    assert not Recording.objects.exists()


def test_after_submitting_nothing_more_is_recorded(client, recorded):
    attempt, _question, response = recorded
    _submitted(recorded)
    client.force_login(attempt.enrollment.trainee)
    result = _upload(client, attempt, response, webm())
    assert result.status_code == 400
    assert "already submitted" in result.json()["message"]


# --- Who may hear it ------------------------------------------------------------------------


def test_someone_else_s_recording_answers_404(client, recorded, mentor, head_of_sales):
    recording = _submitted(recorded)
    url = reverse("quizzes:recording_file", args=[recording.pk])
    former_mentor = make_user(Role.MENTOR)
    for outsider in (make_user(Role.TRAINEE), head_of_sales, former_mentor):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    for insider in (recorded[0].enrollment.trainee, mentor, make_user(Role.HR)):
        client.force_login(insider)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == WEBM


def test_the_media_url_is_never_served(client, recorded, mentor):
    recording = _submitted(recorded)
    client.force_login(mentor)
    assert client.get("/media/" + recording.file.name).status_code == 404


# --- Range requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "status", "content_range", "body"),
    [
        ("", 200, None, WEBM),
        ("bytes=0-9", 206, "bytes 0-9/1028", WEBM[:10]),
        ("bytes=1000-", 206, "bytes 1000-1027/1028", WEBM[1000:]),
        ("bytes=-8", 206, "bytes 1020-1027/1028", WEBM[-8:]),
        ("bytes=1020-5000", 206, "bytes 1020-1027/1028", WEBM[1020:]),
        ("items=0-9", 200, None, WEBM),
    ],
)
def test_range_requests(client, recorded, mentor, header, status, content_range, body):
    recording = _submitted(recorded)
    client.force_login(mentor)
    headers = {"range": header} if header else {}
    response = client.get(reverse("quizzes:recording_file", args=[recording.pk]), headers=headers)
    assert response.status_code == status
    assert response["Accept-Ranges"] == "bytes"
    assert response.get("Content-Range") == content_range
    assert response["Content-Length"] == str(len(body))
    assert response["Content-Type"] == "audio/webm"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == body


@pytest.mark.parametrize("header", ["bytes=2000-", "bytes=9-3", "bytes=-0"])
def test_an_unsatisfiable_range_answers_416(client, recorded, mentor, header):
    recording = _submitted(recorded)
    client.force_login(mentor)
    response = client.get(
        reverse("quizzes:recording_file", args=[recording.pk]), headers={"range": header}
    )
    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1028"


# --- Review: comments at a moment, the rubric, what the trainee sees ---------------------------


def _comment(client, recording, at, text):
    return client.post(
        reverse("quizzes:recording_comment", args=[recording.pk]), {"at": at, "text": text}
    )


def test_the_mentor_reviews_with_pinned_comments_and_the_rubric(client, recorded, mentor):
    attempt, question, response = recorded
    recording = _submitted(recorded)
    client.force_login(mentor)
    page = client.get(reverse("quizzes:grade", args=[attempt.pk]))
    assert b"data-player" in page.content
    assert b"data-comment-form" in page.content
    assert _comment(client, recording, "0:03", "Good greeting").status_code == 302
    assert _comment(client, recording, "9", "Ask for the date").status_code == 302
    assert list(recording.comments.values_list("at_seconds", "text")) == [
        (3, "Good greeting"),
        (9, "Ask for the date"),
    ]
    attempt.refresh_from_db()
    assert attempt.leased_to == mentor  # the first comment took the lease, as a save does
    criteria = list(question.criteria.order_by("sort_order"))
    data = {f"r{response.pk}-c{c.pk}": "4" for c in criteria}
    data.update({f"r{response.pk}-feedback": "Well closed", "action": "finish"})
    graded = client.post(reverse("quizzes:grade", args=[attempt.pk]), data)
    assert graded.status_code == 302, graded.content.decode()[:2000]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.percent == Decimal("80.0")
    client.force_login(attempt.enrollment.trainee)
    result = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert 'data-seek="3"' in result
    assert 'data-seek="9"' in result
    assert "Good greeting" in result
    assert "Ask for the date" in result
    assert "data-comment-form" not in result


def test_the_trainee_sees_no_comment_before_the_grading_is_finished(client, recorded, mentor):
    attempt, _question, _response = recorded
    recording = _submitted(recorded)
    client.force_login(mentor)
    _comment(client, recording, "0:03", "Half-way thought")
    client.force_login(attempt.enrollment.trainee)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Half-way thought" not in page


def test_comments_follow_the_grading_lock(client, recorded, mentor, hr):
    attempt, _question, _response = recorded
    recording = _submitted(recorded)
    services.attempt_lease_acquire(attempt=attempt, user=hr)
    client.force_login(mentor)
    response = _comment(client, recording, "0:03", "Mine")
    assert response.status_code == 302
    assert not RecordingComment.objects.exists()
    json = client.post(
        reverse("quizzes:recording_comment", args=[recording.pk]),
        {"at": "0:03", "text": "Mine"},
        headers={"accept": "application/json"},
    )
    assert json.status_code == 409
    assert "is grading this attempt now" in json.json()["message"]


@pytest.mark.parametrize(("at", "text"), [("0:13", "After the end"), ("x", "Bad"), ("0:02", "")])
def test_a_comment_outside_the_recording_or_empty_is_refused(client, recorded, mentor, at, text):
    recording = _submitted(recorded)
    client.force_login(mentor)
    response = client.post(
        reverse("quizzes:recording_comment", args=[recording.pk]),
        {"at": at, "text": text},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert not RecordingComment.objects.exists()


def test_the_trainee_and_outsiders_cannot_comment(client, recorded):
    attempt, _question, _response = recorded
    recording = _submitted(recorded)
    for user in (attempt.enrollment.trainee, make_user(Role.MENTOR)):
        client.force_login(user)
        assert _comment(client, recording, "0:01", "Me").status_code == 404
    assert not RecordingComment.objects.exists()


# --- The live role-play and the second attempt beside the first ------------------------------


def _live_attempt(quiz, enrollment, grader, *, percent_share="0.2"):
    attempt = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=grader)
    recording_services.live_recording_save(
        attempt=attempt,
        grader=grader,
        upload=webm(name="live.webm"),
        duration=str(30 + attempt.number),
    )
    return attempt


def test_the_second_attempt_is_graded_beside_the_first(client, mentor):
    quiz = QuizFactory(title="Certification role-play", is_certification=True, mode="oral")
    oral(quiz)
    enrollment = enroll(make_program(quiz), mentor=mentor)
    first = _live_attempt(quiz, enrollment, mentor)
    item = next(i for i in services.selectors.attempt_sheet(first) if i.is_manual)
    services.attempt_grade(
        attempt=first,
        grader=mentor,
        grades={
            item.response.pk: services.ResponseGrade(criteria={c.pk: 1 for c in item.criteria})
        },
        finish=True,
    )
    second = _live_attempt(quiz, enrollment, mentor)
    client.force_login(mentor)
    page = client.get(reverse("quizzes:grade", args=[second.pk])).content.decode()
    assert 'id="compare"' in page
    first_live = first.recordings.get()
    second_live = second.recordings.get()
    earlier = page.split('data-compare="earlier"')[1].split('data-compare="current"')[0]
    current = page.split('data-compare="current"')[1]
    assert reverse("quizzes:recording_file", args=[first_live.pk]) in earlier
    assert reverse("quizzes:recording_file", args=[second_live.pk]) in current
    assert "recorded for coaching" in page  # the notice on the grader's recorder


def test_only_the_lease_holder_records_the_live_role_play(client, mentor, hr):
    quiz = QuizFactory(title="Oral", mode="oral")
    oral(quiz)
    enrollment = enroll(make_program(quiz), mentor=mentor)
    attempt = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=mentor)
    client.force_login(hr)
    response = client.post(
        reverse("quizzes:live_recording_upload", args=[attempt.pk]),
        {"file": webm(), "duration": "5"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert not Recording.objects.exists()


# --- Retention and the page's policy ---------------------------------------------------------


def test_recordings_past_retention_are_deleted_with_their_files(recorded, settings):
    recording = _submitted(recorded)
    storage, name = recording.file.storage, recording.file.name
    with time_machine.travel(NOW + timedelta(days=89), tick=False):
        assert recording_services.recordings_purge() == 0
    with time_machine.travel(NOW + timedelta(days=91), tick=False):
        assert recording_services.recordings_purge() == 1
        assert recording_services.recordings_purge() == 0
    assert not Recording.objects.exists()
    assert not storage.exists(name)
    settings.RECORDING_RETENTION_DAYS = 0
    assert recording_services.recordings_purge() == 0


def test_the_purge_is_in_the_default_schedule():
    from lms.schedule import DEFAULT_SCHEDULE

    tasks = {entry["task"] for entry in DEFAULT_SCHEDULE}
    assert {"quizzes.tasks.recordings_purge", "mentors.tasks.call_recordings_purge"} <= tasks


def test_the_policy_lets_a_local_preview_play(client, recorded):
    attempt, _question, _response = recorded
    client.force_login(attempt.enrollment.trainee)
    response = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    policy = response["Content-Security-Policy"]
    media = next(part for part in policy.split(";") if part.strip().startswith("media-src"))
    assert media.split() == ["media-src", "'self'", "blob:"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "blob:" not in script
    assert "unsafe-inline" not in script


def test_a_former_mentor_hears_nothing(client, recorded, mentor):
    recording = _submitted(recorded)
    Mentorship.objects.filter(mentor=mentor).update(
        ended_on=NOW.date() - timedelta(days=1), end_reason="moved"
    )
    client.force_login(mentor)
    url = reverse("quizzes:recording_file", args=[recording.pk])
    assert client.get(url).status_code == 404


def test_the_pages_work_in_russian(client, recorded, mentor, settings):
    attempt, _question, _response = recorded
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    client.force_login(attempt.enrollment.trainee)
    take = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert take.status_code == 200
    assert '<html lang="ru"' in take.content.decode()
    assert "data-recorder" in take.content.decode()
    recording = _submitted(recorded)
    client.force_login(mentor)
    grade = client.get(reverse("quizzes:grade", args=[attempt.pk])).content.decode()
    assert "Критерии оценки" in grade
    assert reverse("quizzes:recording_file", args=[recording.pk]) in grade


@pytest.mark.parametrize("n", [1, 5])
def test_the_grading_page_reads_comments_in_fixed_queries(
    client, recorded, mentor, django_assert_num_queries, n
):
    attempt, _question, _response = recorded
    recording = _submitted(recorded)
    for i in range(n):
        RecordingComment.objects.create(
            recording=recording, at_seconds=i, text=f"c{i}", author=mentor
        )
    client.force_login(mentor)
    client.get(reverse("quizzes:grade", args=[attempt.pk]))  # warm the session and caches
    with django_assert_num_queries(GRADE_PAGE_QUERIES):
        page = client.get(reverse("quizzes:grade", args=[attempt.pk]))
    assert page.content.decode().count("data-comment>") == n


# The grading page of one recorded answer: the signed-in user, the attempt, the sheet (responses,
# questions by type, choices, criteria, scores, changes), the recording with its comments in two
# queries, the reviews, the notification count; whatever the number of comments.
GRADE_PAGE_QUERIES = 14
