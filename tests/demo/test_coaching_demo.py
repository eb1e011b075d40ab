"""The demo's coached calls (docs/coaching.md): recordings, a reviewed call with pinned comments
and a scorecard per coached trainee, another waiting for review; idempotent; in Russian too."""

import pytest
from django.core.management import call_command

from mentors.models import CallComment, CallRecording, CallReview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_has_reviewed_and_waiting_calls_once():
    call_command("seed_demo", "--quiet")
    first = (CallRecording.objects.count(), CallReview.objects.count(), CallComment.objects.count())
    assert first == (6, 3, 9)
    waiting = CallRecording.objects.filter(
        review_requested_at__isnull=False, activity__review__isnull=True
    )
    assert waiting.count() == 3
    for review in CallReview.objects.select_related("activity__enrollment"):
        assert review.reviewer_id != review.activity.enrollment.trainee_id
    recording = CallRecording.objects.first()
    assert recording.file.storage.exists(recording.file.name)
    assert recording.content_type == "audio/wav"
    assert recording.duration_seconds == 12
    call_command("seed_demo", "--quiet")
    assert (
        CallRecording.objects.count(),
        CallReview.objects.count(),
        CallComment.objects.count(),
    ) == first


def test_the_russian_demo_comments_in_russian():
    call_command("seed_demo", "--language", "ru", "--quiet")
    assert CallComment.objects.filter(text__startswith="Хорошее приветствие").count() == 3
