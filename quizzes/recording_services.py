"""Writes of recordings: the trainee's recorded answer, the live role-play the grader records,
the comments pinned to a moment, and the retention purge (docs/coaching.md).

Grading a recorded answer is grading: the rubric scores go through ``services.attempt_grade``
with its lease, deadlines and overrides unchanged; a comment or a live recording needs the
same lease as a saved grade.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import grading_rules, permissions, recordings
from .models import Attempt, Recording, RecordingComment, RecordingQuestion, Response
from .services import _lease_for_saving


def live_max_seconds() -> int:
    return int(getattr(settings, "RECORDING_LIVE_MAX_SECONDS", 3600))


def _save_or_discard(recording) -> None:
    """Validate and save the row; on failure the file just written is deleted."""
    try:
        recording.full_clean(exclude=["file"], validate_constraints=False)
        with transaction.atomic():
            recording.save()
    except Exception:
        recordings.delete_file(recording.file)
        raise


@transaction.atomic
def response_recording_save(
    *, response: Response, user, upload, duration, now: datetime | None = None
) -> Recording:
    """The trainee's recorded answer to a recording question of their open attempt; a new
    recording replaces the previous one while the question allows re-recording."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("enrollment", "quiz")
        .get(pk=response.attempt_id)
    )
    permissions.check_record_answer(user, attempt)
    question = response.question.get_real_instance()
    if not isinstance(question, RecordingQuestion):
        raise ValidationError(_("This question is not answered with a recording."))
    checked = recordings.check(
        upload,
        duration=duration,
        max_seconds=question.max_seconds,
        allow_video=question.allow_video,
    )
    previous = Recording.objects.select_for_update().filter(response=response).first()
    if previous is not None and not question.allow_rerecord:
        raise ValidationError(_("This question takes one recording; yours is already saved."))
    if previous is not None:
        # The old file goes once the new one is committed: a refusal keeps the old one whole.
        old_file = previous.file
        previous.delete()
        transaction.on_commit(lambda: recordings.delete_file(old_file))
    recording = Recording(
        attempt=attempt,
        response=response,
        kind=Recording.Kind.ANSWER,
        recorded_by=user,
        created_at=now,
    )
    _put_file(recording, upload, checked)
    Response.objects.filter(pk=response.pk).update(answered_at=now)
    return recording


@transaction.atomic
def live_recording_save(
    *, attempt: Attempt, grader, upload, duration, now: datetime | None = None
) -> Recording:
    """The live role-play (or oral survey) as the grader recorded it on the grading page,
    under the grading lease; an attempt may keep several parts."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment__trainee", "leased_to")
        .get(pk=attempt.pk)
    )
    permissions.check_record_live(grader, attempt)
    _lease_for_saving(attempt, grader=grader, now=now)
    checked = recordings.check(
        upload, duration=duration, max_seconds=live_max_seconds(), allow_video=True
    )
    recording = Recording(
        attempt=attempt, kind=Recording.Kind.LIVE, recorded_by=grader, created_at=now
    )
    _put_file(recording, upload, checked)
    return recording


def _put_file(recording: Recording, upload, checked) -> None:
    recording.content_type = checked.content_type
    recording.size = checked.size
    recording.duration_seconds = checked.duration_seconds
    upload.seek(0)
    recording.file.save(f"recording.{checked.extension}", upload, save=False)
    _save_or_discard(recording)


def parse_moment(raw) -> int | None:
    """Seconds from "75", "1:15" or "1:02:03"; None when it cannot be read."""
    parts = str(raw or "").strip().split(":")
    if not parts or len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


@transaction.atomic
def recording_comment_add(
    *, recording: Recording, author, at_seconds, text: str, now: datetime | None = None
) -> RecordingComment:
    """A comment pinned to a moment of a recording, written while grading (the lease holder's
    work, as a saved grade)."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrollment__trainee", "leased_to")
        .get(pk=recording.attempt_id)
    )
    permissions.check_comment_recording(author, attempt)
    _lease_for_saving(attempt, grader=author, now=now)
    text = recordings.comment_text(text, at_seconds=at_seconds, recording=recording)
    comment = RecordingComment(
        recording=recording, at_seconds=at_seconds, text=text, author=author, created_at=now
    )
    comment.full_clean()
    comment.save()
    grading_rules.lease_renew(attempt, now=now)
    return comment


def retention_days() -> int:
    return int(getattr(settings, "RECORDING_RETENTION_DAYS", 0) or 0)


def recordings_purge(*, now: datetime | None = None) -> int:
    """Delete the quizzes' recordings (files, rows and their comments) older than
    RECORDING_RETENTION_DAYS; the scores and feedback stay with the responses. 0 keeps them
    for ever. Idempotent: a second run finds nothing."""
    days = retention_days()
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    purged = 0
    for recording in Recording.objects.filter(created_at__lt=cutoff).order_by("pk").iterator():
        recordings.delete_file(recording.file)
        recording.delete()
        purged += 1
    return purged
