"""Coaching on real calls (docs/coaching.md): a call's recording, picking calls for review,
comments pinned to a moment, the call scorecard, and the retention purge.

A connector (telephony, CRM) that has a call's recording at a URL downloads it and hands the
file to ``call_recording_attach`` with its integration account as ``by``; the checks (format,
size, length) are the quizzes' own (``quizzes.recordings.check``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import coaching
from people.languages import language_of
from people.names import display_name
from people.services import notify
from quizzes import recordings

from . import permissions
from .models import Activity, CallComment, CallRecording, CallReview


def call_max_seconds() -> int:
    return int(getattr(settings, "RECORDING_CALL_MAX_SECONDS", 7200))


@transaction.atomic
def call_recording_attach(
    *, activity: Activity, file, by, duration=None, now: datetime | None = None
) -> CallRecording:
    """Attach (or replace) a call's recording. ``file`` is an uploaded or opened Django
    ``File`` with ``content_type`` where known; ``duration`` the length in seconds when the
    sender knows it (a WAV file's header is read whatever is given). A replaced recording's
    comments go with it; a review already written stays."""
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("enrollment")
        .get(pk=activity.pk)
    )
    permissions.check_attach_call_recording(by, activity)
    checked = recordings.check(
        file, duration=duration, max_seconds=call_max_seconds(), allow_video=False
    )
    previous = CallRecording.objects.select_for_update().filter(activity=activity).first()
    picked_at = previous.review_requested_at if previous else None
    picked_by = previous.review_requested_by if previous else None
    if previous is not None:
        old_file = previous.file
        previous.delete()
        transaction.on_commit(lambda: recordings.delete_file(old_file))
    recording = CallRecording(
        activity=activity,
        uploaded_by=by,
        created_at=now,
        content_type=checked.content_type,
        size=checked.size,
        duration_seconds=checked.duration_seconds,
        review_requested_at=picked_at,
        review_requested_by=picked_by,
    )
    file.seek(0)
    recording.file.save(f"call.{checked.extension}", file, save=False)
    try:
        recording.full_clean(exclude=["file"], validate_constraints=False)
        with transaction.atomic():
            recording.save()
    except Exception:
        recordings.delete_file(recording.file)
        raise
    return recording


@transaction.atomic
def call_review_request(*, activity: Activity, by, now: datetime | None = None) -> CallRecording:
    """The trainee or the mentor picks a recorded call for review; the mentor is told when
    the trainee picks it."""
    now = now or timezone.now()
    recording = (
        CallRecording.objects.select_for_update(of=("self",))
        .select_related("activity__enrollment__trainee")
        .filter(activity=activity)
        .first()
    )
    activity = recording.activity if recording else activity
    permissions.check_pick_call(by, activity)
    if recording is None:
        raise ValidationError(_("Attach the call's recording before picking it for review."))
    if recording.review_requested_at is None:
        recording.review_requested_at = now
        recording.review_requested_by = by
        recording.save(update_fields=["review_requested_at", "review_requested_by"])
        mentor = coaching.active_mentor_of(activity.enrollment_id)
        if mentor is not None and mentor.pk != by.pk:
            with language_of(mentor):
                notify(
                    recipient=mentor,
                    title=_("%(name)s picked a call for review")
                    % {"name": display_name(activity.enrollment.trainee)},
                    body=_("Listen to it, comment at the moments that matter and score it."),
                    url=reverse("mentors:call", args=[activity.pk]),
                    dedupe_key=f"call-review-picked:{activity.pk}:{mentor.pk}",
                    send_email=False,
                )
    return recording


@transaction.atomic
def call_comment_add(
    *, recording: CallRecording, author, at_seconds, text: str, now: datetime | None = None
) -> CallComment:
    now = now or timezone.now()
    activity = Activity.objects.select_related("enrollment").get(pk=recording.activity_id)
    permissions.check_review_call(author, activity)
    text = recordings.comment_text(text, at_seconds=at_seconds, recording=recording)
    comment = CallComment(
        recording=recording, at_seconds=at_seconds, text=text, author=author, created_at=now
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def call_review_save(
    *, activity: Activity, reviewer, scores: dict[str, int], comment: str = "", now=None
) -> CallReview:
    """Score a call with the scorecard (every criterion 0 to 2). A second review by the same
    person corrects theirs; another reviewer's is not written over."""
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("enrollment__trainee")
        .get(pk=activity.pk)
    )
    permissions.check_review_call(reviewer, activity)
    if activity.kind != Activity.Kind.CALL:
        raise ValidationError(_("Only a call is reviewed with the call scorecard."))
    review = CallReview.objects.filter(activity=activity).first()
    if review is not None and review.reviewer_id != reviewer.pk:
        raise ValidationError(
            _("%(name)s has already reviewed this call.") % {"name": display_name(review.reviewer)}
        )
    review = review or CallReview(activity=activity, reviewer=reviewer)
    missing = [str(label) for name, label in CallReview.CRITERIA if scores.get(name) is None]
    if missing:
        raise ValidationError(
            _("Score every point of the scorecard: %(list)s.") % {"list": ", ".join(missing)}
        )
    for name, _label in CallReview.CRITERIA:
        setattr(review, name, scores[name])
    review.comment = (comment or "").strip()
    review.reviewed_at = now
    review.full_clean()
    review.save()
    trainee = activity.enrollment.trainee
    with language_of(trainee):
        notify(
            recipient=trainee,
            title=_("Your call was reviewed: %(percent)s%%") % {"percent": review.percent},
            body=_("Open it to hear the comments at their moments."),
            url=reverse("mentors:call", args=[activity.pk]),
            dedupe_key=f"call-reviewed:{review.pk}:{review.reviewed_at.isoformat()}",
        )
    return review


def call_recordings_purge(*, now: datetime | None = None) -> int:
    """Delete call recordings (files, rows and their comments) older than
    RECORDING_RETENTION_DAYS; the reviews and scorecards stay. 0 keeps them."""
    days = int(getattr(settings, "RECORDING_RETENTION_DAYS", 0) or 0)
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    purged = 0
    for recording in CallRecording.objects.filter(created_at__lt=cutoff).order_by("pk").iterator():
        recordings.delete_file(recording.file)
        recording.delete()
        purged += 1
    return purged
