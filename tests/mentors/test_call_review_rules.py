"""A call review follows the quizzes' grading rules (docs/coaching.md, "Grading rules for
calls"): the grading lease, the due and overdue dates with reminders and escalation, and
overrides with a reason and a history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentors import call_reviews
from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity, CallRecording, CallReview, CallReviewChange
from people.models import Notification
from people.roles import Role
from quizzes.grading_rules import GradingLockError
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
    settings.QUIZ_GRADING_LEASE_MINUTES = 30


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def recorded_call():
    """A recorded call of a trainee with an active mentor, picked for review by the trainee."""
    mentorship = make_mentorship(enrollment=make_enrollment())
    activity = Activity.objects.create(
        enrollment=mentorship.enrollment,
        kind=Activity.Kind.CALL,
        occurred_at=NOW - timedelta(hours=2),
    )
    bot = make_user(username="telephony")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    call_reviews.call_recording_attach(
        activity=activity,
        file=SimpleUploadedFile("call.ogg", OGG, content_type="audio/ogg"),
        by=bot,
        duration=9,
    )
    call_reviews.call_review_request(activity=activity, by=mentorship.enrollment.trainee)
    return activity, mentorship.mentor


def test_one_reviewer_at_a_time_and_the_lease_expires(recorded_call):
    activity, mentor = recorded_call
    hr = make_user(Role.HR)
    recording = CallRecording.objects.get(activity=activity)
    call_reviews.call_comment_add(recording=recording, author=mentor, at_seconds=3, text="Good")
    recording.refresh_from_db()
    assert recording.lease_holder(NOW) == mentor
    with pytest.raises(GradingLockError, match="is reviewing this call now"):
        call_reviews.call_comment_add(recording=recording, author=hr, at_seconds=4, text="No")
    with pytest.raises(GradingLockError):
        call_reviews.call_review_save(activity=activity, reviewer=hr, scores=SCORES)
    assert not call_reviews.call_lease_acquire(recording=recording, user=hr)
    later = NOW + timedelta(minutes=31)
    # The mentor's own lease ran out: refused all the same (reload and take it again).
    with pytest.raises(GradingLockError, match="expired"):
        call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES, now=later)
    review = call_reviews.call_review_save(activity=activity, reviewer=hr, scores=SCORES, now=later)
    assert review.reviewer == hr
    recording.refresh_from_db()
    assert recording.leased_to is None  # a saved review releases the lease


def test_the_page_shows_the_lock_to_another_reviewer_and_answers_409(client, recorded_call):
    activity, mentor = recorded_call
    hr = make_user(Role.HR)
    client.force_login(mentor)
    url = reverse("mentors:call", args=[activity.pk])
    client.post(url, {"action": "take"})
    assert CallRecording.objects.get(activity=activity).leased_to == mentor
    assert 'data-lease="mine"' in client.get(url).content.decode()
    client.force_login(hr)
    page = client.get(url).content.decode()
    assert 'data-lease="held"' in page
    assert "is reviewing this call" in page
    assert 'value="review"' not in page  # no scorecard form for the one who may not save
    response = client.post(
        url,
        {"action": "comment", "at": "0:03", "text": "Mine"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 409
    assert "is reviewing this call now" in response.json()["message"]


def test_a_picked_call_is_due_as_a_quiz_and_escalated_when_overdue(recorded_call):
    activity, mentor = recorded_call
    director = make_user(Role.DIRECTOR)
    recording = CallRecording.objects.get(activity=activity)
    assert (recording.review_due_on, recording.review_overdue_on) == (
        date(2026, 3, 23),
        date(2026, 3, 30),
    )
    assert call_reviews.call_review_deadlines_notify(today=date(2026, 3, 20)) == {
        "reminders": 0,
        "escalations": 0,
    }
    assert call_reviews.call_review_deadlines_notify(today=date(2026, 3, 21))["reminders"] == 1
    assert Notification.objects.filter(recipient=mentor, title__contains="due in 2 days").exists()
    assert call_reviews.call_review_deadlines_notify(today=date(2026, 3, 21))["reminders"] == 1
    assert Notification.objects.filter(recipient=mentor, title__contains="due in").count() == 1
    sent = call_reviews.call_review_deadlines_notify(today=date(2026, 3, 30))
    assert sent["escalations"] >= 1
    assert Notification.objects.filter(
        recipient=director, title__startswith="Overdue call review"
    ).exists()
    call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    assert call_reviews.call_review_deadlines_notify(today=date(2026, 3, 31)) == {
        "reminders": 0,
        "escalations": 0,
    }


def test_the_queue_shows_the_due_date_and_who_is_reviewing(client, recorded_call):
    activity, mentor = recorded_call
    hr = make_user(Role.HR)
    recording = CallRecording.objects.get(activity=activity)
    call_reviews.call_lease_acquire(recording=recording, user=mentor)
    with time_machine.travel(NOW + timedelta(days=29), tick=False):
        client.force_login(hr)
        page = client.get(reverse("mentors:call_reviews")).content.decode()
    assert 'data-deadline="overdue"' in page
    assert "is reviewing" not in page  # the lease has long expired
    client.force_login(hr)
    page = client.get(reverse("mentors:call_reviews")).content.decode()
    assert "is reviewing" in page


def test_a_saved_review_changes_only_by_an_override_with_a_reason(client, recorded_call):
    activity, mentor = recorded_call
    hr = make_user(Role.HR)
    review = call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    with pytest.raises(ValidationError, match="use an override"):
        call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    with pytest.raises(PermissionDenied):  # a mentor does not override, their own or others'
        call_reviews.call_review_override(
            review=review, user=mentor, scores=SCORES, reason="Second thoughts"
        )
    with pytest.raises(ValidationError, match="reason"):
        call_reviews.call_review_override(review=review, user=hr, scores=SCORES, reason=" ")
    changed = call_reviews.call_review_override(
        review=review, user=hr, scores={**SCORES, "objections": 2}, reason="Heard it again"
    )
    assert changed.percent == 90
    change = CallReviewChange.objects.get()
    assert (change.changed_by, change.reason) == (hr, "Heard it again")
    assert change.old_scores["objections"] == 1
    assert change.new_scores["objections"] == 2
    assert Notification.objects.filter(
        recipient=activity.enrollment.trainee, title__contains="was changed: 90%"
    ).exists()
    with pytest.raises(Exception):  # noqa: B017, PT011 - the history is protected
        review.delete()
    client.force_login(activity.enrollment.trainee)
    page = client.get(reverse("mentors:call", args=[activity.pk])).content.decode()
    assert "Heard it again" in page
    assert "data-override-form" not in page


def test_nobody_overrides_the_review_of_their_own_call(recorded_call):
    activity, mentor = recorded_call
    review = call_reviews.call_review_save(activity=activity, reviewer=mentor, scores=SCORES)
    hr_trainee = activity.enrollment.trainee
    hr_trainee.groups.add(Group.objects.get(name=Role.HR))
    with pytest.raises(PermissionDenied):
        call_reviews.call_review_override(
            review=review, user=hr_trainee, scores=SCORES, reason="Mine"
        )
    assert CallReview.objects.get().percent == 80
