"""Coaching on real calls (docs/coaching.md): a recording attached to an imported call, picked
for review, commented at moments, scored with the call scorecard; who may hear it; the purge
keeps the scorecard; the drill-down's monthly averages and the mentor's review count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentors import call_reviews, selectors
from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity, CallComment, CallRecording, CallReview
from people.models import Notification
from people.roles import Role
from tests.conftest import make_user
from tests.mentors.factories import make_enrollment, make_mentorship

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=MSK)
OGG = b"OggS" + bytes(range(256)) * 8
SCORES = {"greeting": 2, "needs_found": 1, "decision_maker": 2, "objections": 1, "next_step": 2}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDING_RETENTION_DAYS = 30


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def ogg(data=OGG):
    return SimpleUploadedFile("call.ogg", data, content_type="audio/ogg")


@pytest.fixture
def call():
    """A call the telephony connector imported, its trainee with an active mentor."""
    mentorship = make_mentorship(enrollment=make_enrollment())
    activity = Activity.objects.create(
        enrollment=mentorship.enrollment,
        kind=Activity.Kind.CALL,
        occurred_at=NOW - timedelta(hours=2),
        source=Activity.Source.TELEPHONY,
        external_id="call-77",
        provenance="pbx",
    )
    return activity, mentorship.mentor


@pytest.fixture
def connector():
    bot = make_user(username="telephony")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    return bot


def test_a_connector_attaches_and_the_mentor_reviews_with_the_scorecard(client, call, connector):
    activity, mentor = call
    recording = call_reviews.call_recording_attach(
        activity=activity, file=ogg(), by=connector, duration="95"
    )
    assert (recording.content_type, recording.duration_seconds) == ("audio/ogg", 95)
    trainee = activity.enrollment.trainee
    client.force_login(trainee)
    page = client.get(reverse("mentors:call", args=[activity.pk])).content.decode()
    assert "recorded for coaching" in page
    assert "Pick this call for review" in page
    assert (
        client.post(reverse("mentors:call", args=[activity.pk]), {"action": "pick"}).status_code
        == 302
    )
    assert Notification.objects.filter(recipient=mentor, title__contains="picked a call").exists()
    client.force_login(mentor)
    queue = client.get(reverse("mentors:call_reviews")).content.decode()
    assert reverse("mentors:call", args=[activity.pk]) in queue
    url = reverse("mentors:call", args=[activity.pk])
    client.post(url, {"action": "comment", "at": "0:12", "text": "Warm greeting"})
    client.post(url, {"action": "comment", "at": "1:05", "text": "No next step"})
    assert list(CallComment.objects.values_list("at_seconds", flat=True)) == [12, 65]
    response = client.post(url, {"action": "review", **SCORES, "comment": "Agree a date next time"})
    assert response.status_code == 302
    review = CallReview.objects.get()
    assert (review.total, review.percent, review.reviewer) == (8, 80, mentor)
    assert (
        reverse("mentors:call", args=[activity.pk])
        not in client.get(reverse("mentors:call_reviews")).content.decode()
    )
    client.force_login(trainee)
    page = client.get(url).content.decode()
    assert 'data-seek="12"' in page
    assert 'data-seek="65"' in page
    assert "80%" in page
    assert "data-comment-form" not in page  # the trainee reads, never scores themselves


def test_the_service_for_connectors_refuses_what_is_not_a_call(call, connector):
    activity, _mentor = call
    meeting = Activity.objects.create(
        enrollment=activity.enrollment, kind=Activity.Kind.MEETING, occurred_at=NOW
    )
    with pytest.raises(ValidationError, match="Only a call"):
        call_reviews.call_recording_attach(activity=meeting, file=ogg(), by=connector, duration=5)
    with pytest.raises(ValidationError, match="not an audio"):
        call_reviews.call_recording_attach(
            activity=activity,
            file=SimpleUploadedFile("x.txt", b"plain text", "text/plain"),
            by=connector,
            duration=5,
        )
    with pytest.raises(PermissionDenied):
        call_reviews.call_recording_attach(
            activity=activity, file=ogg(), by=make_user(Role.TRAINEE), duration=5
        )
    assert not CallRecording.objects.exists()


def test_someone_else_s_call_recording_answers_404(client, call, connector, head_of_sales):
    activity, mentor = call
    call_reviews.call_recording_attach(activity=activity, file=ogg(), by=connector, duration=9)
    url = reverse("mentors:call_file", args=[activity.pk])
    for outsider in (make_user(Role.TRAINEE), make_user(Role.MENTOR), head_of_sales, connector):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("mentors:call", args=[activity.pk])).status_code == 404
    for insider in (activity.enrollment.trainee, mentor, make_user(Role.HR)):
        client.force_login(insider)
        response = client.get(url, headers={"range": "bytes=0-3"})
        assert response.status_code == 206
        assert b"".join(response.streaming_content) == b"OggS"


def test_nobody_reviews_their_own_call_and_one_reviewer_writes_it(call, connector):
    activity, mentor = call
    call_reviews.call_recording_attach(activity=activity, file=ogg(), by=connector, duration=9)
    with pytest.raises(PermissionDenied):
        call_reviews.call_review_save(
            activity=activity, reviewer=activity.enrollment.trainee, scores=SCORES
        )
    with pytest.raises(ValidationError, match="Score every point"):
        call_reviews.call_review_save(activity=activity, reviewer=mentor, scores={"greeting": 2})
    call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    with pytest.raises(ValidationError, match="has already reviewed"):
        call_reviews.call_review_save(activity=activity, reviewer=make_user(Role.HR), scores=SCORES)
    with pytest.raises(ValidationError):
        call_reviews.call_review_save(
            activity=activity, reviewer=mentor, scores={**SCORES, "greeting": 3}
        )
    assert CallReview.objects.get().greeting == 2


def test_the_purge_deletes_the_recording_and_keeps_the_scorecard(call, connector):
    activity, mentor = call
    recording = call_reviews.call_recording_attach(
        activity=activity, file=ogg(), by=connector, duration=9
    )
    storage, name = recording.file.storage, recording.file.name
    call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    with time_machine.travel(NOW + timedelta(days=31), tick=False):
        assert call_reviews.call_recordings_purge() == 1
    assert not CallRecording.objects.exists()
    assert not storage.exists(name)
    assert CallReview.objects.filter(activity=activity).exists()


def test_monthly_scorecard_averages_and_the_mentor_s_count(call, connector):
    activity, mentor = call
    call_reviews.call_recording_attach(activity=activity, file=ogg(), by=connector, duration=9)
    call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    older = Activity.objects.create(
        enrollment=activity.enrollment,
        kind=Activity.Kind.CALL,
        occurred_at=NOW - timedelta(days=40),
    )
    call_reviews.call_recording_attach(activity=older, file=ogg(), by=connector, duration=9)
    call_reviews.call_review_save(activity=older, reviewer=mentor, scores=dict.fromkeys(SCORES, 1))
    months = selectors.call_scorecards_by_month([activity.enrollment_id])[activity.enrollment_id]
    assert [(m.month, m.reviewed, m.average_percent) for m in months] == [
        (date(2026, 1, 1), 1, 50),
        (date(2026, 3, 1), 1, 80),
    ]
    assert selectors.review_counts(mentor) == {"calls": 2, "recorded_attempts": 0}


def test_the_drill_down_and_my_mentees_show_the_reviews(client, call, connector, director):
    activity, mentor = call
    call_reviews.call_recording_attach(activity=activity, file=ogg(), by=connector, duration=9)
    call_reviews.call_review_request(activity=activity, by=activity.enrollment.trainee)
    client.force_login(mentor)
    page = client.get(reverse("mentors:mentees")).content.decode()
    assert 'class="value">1</span><span class="label">Calls picked for review' in page
    call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    page = client.get(reverse("mentors:mentees")).content.decode()
    assert 'class="value">1 · 0</span>' in page
    client.force_login(director)
    page = client.get(reverse("ramp_drilldown", args=[activity.enrollment_id])).content.decode()
    assert "Reviewed calls" in page
    assert '<td class="num" data-call-score>80%</td>' in page


def test_the_call_page_works_in_russian(client, call, connector, settings):
    activity, mentor = call
    call_reviews.call_recording_attach(activity=activity, file=ogg(), by=connector, duration=9)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    for user in (activity.enrollment.trainee, mentor):
        client.force_login(user)
        page = client.get(reverse("mentors:call", args=[activity.pk])).content.decode()
        assert '<html lang="ru"' in page
        assert reverse("mentors:call_file", args=[activity.pk]) in page
    assert 'name="greeting"' in page  # the mentor's scorecard form


# The call page: the signed-in user, the call, the active-mentor check, the recording with its
# comments (two queries), the review, the notification count; whatever the number of comments.
CALL_PAGE_QUERIES = 11


@pytest.mark.parametrize("n", [1, 5])
def test_the_call_page_reads_comments_in_fixed_queries(
    client, call, connector, django_assert_num_queries, n
):
    activity, mentor = call
    recording = call_reviews.call_recording_attach(
        activity=activity, file=ogg(), by=connector, duration=90
    )
    for i in range(n):
        CallComment.objects.create(recording=recording, at_seconds=i, text=f"c{i}", author=mentor)
    client.force_login(mentor)
    client.get(reverse("mentors:call", args=[activity.pk]))
    with django_assert_num_queries(CALL_PAGE_QUERIES):
        page = client.get(reverse("mentors:call", args=[activity.pk]))
    assert page.content.decode().count("data-comment>") == n


def test_deleting_the_call_removes_its_recording_file(
    call, connector, django_capture_on_commit_callbacks
):
    activity, _mentor = call
    recording = call_reviews.call_recording_attach(
        activity=activity, file=ogg(), by=connector, duration=9
    )
    storage, name = recording.file.storage, recording.file.name
    with django_capture_on_commit_callbacks(execute=True):
        activity.delete()
    assert not CallRecording.objects.exists()
    assert not storage.exists(name)
