"""Coaching on real calls (docs/coaching.md): a call's recording, picking calls for review,
comments pinned to a moment, the call scorecard, and the retention purge.

Reviewing a call is grading, under the quizzes' rules (``quizzes.grading_rules``): a comment
or a scorecard needs the grading lease (one reviewer at a time, expiring, shown to the
others); a picked call is due and overdue as a quiz's answers are (reminders and escalation
in ``call_review_deadlines_notify``); a saved scorecard is changed only by an override of HR
or a director that says why (``call_review_override``, history in CallReviewChange).

A connector (telephony, CRM) that has a call's recording at a URL downloads it and hands the
file to ``call_recording_attach`` with its integration account as ``by``; the checks (format,
size, length) are the quizzes' own (``quizzes.recordings.check``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses import coaching
from people.languages import language_of
from people.names import display_name
from people.roles import Role
from people.services import notify
from quizzes import grading_rules, recordings
from quizzes.grading_rules import GradingLockError
from quizzes.models import GradingDeadline

from . import permissions
from .models import Activity, CallComment, CallRecording, CallReview, CallReviewChange


class CallReviewLockError(GradingLockError):
    """Saving a comment or a scorecard without holding the call's grading lease (409)."""

    def held_message(self, holder) -> str:
        return _("%(name)s is reviewing this call now; your changes were not saved.") % {
            "name": display_name(holder)
        }

    def expired_message(self) -> str:
        return _(
            "Your review lock expired; your changes were not saved. "
            "Reload the page, check what was saved meanwhile and take the call again."
        )


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
    return _recording_store(activity=activity, file=file, by=by, duration=duration, now=now)


@transaction.atomic
def call_recording_attach_from_source(
    *, activity: Activity, file, duration=None, now: datetime | None = None
) -> CallRecording:
    """A recording its connector fetched from the URL the source gave (mentors.recording_fetch):
    attached by the system itself (no person's account), with the same checks."""
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("enrollment")
        .get(pk=activity.pk)
    )
    if activity.kind != Activity.Kind.CALL:
        raise ValidationError(_("Only a call carries a recording."))
    return _recording_store(activity=activity, file=file, by=None, duration=duration, now=now)


def _recording_store(*, activity: Activity, file, by, duration, now: datetime) -> CallRecording:
    checked = recordings.check(
        file, duration=duration, max_seconds=call_max_seconds(), allow_video=False
    )
    previous = CallRecording.objects.select_for_update().filter(activity=activity).first()
    kept = ("review_requested_at", "review_requested_by", "review_due_on", "review_overdue_on")
    kept += ("leased_to", "lease_expires_at")
    carried = {name: getattr(previous, name) for name in kept} if previous else {}
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
        **carried,
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
        recording.review_due_on, recording.review_overdue_on = grading_rules.grading_dates(
            timezone.localdate(now)
        )
        recording.save(
            update_fields=[
                "review_requested_at",
                "review_requested_by",
                "review_due_on",
                "review_overdue_on",
            ]
        )
        mentor = coaching.active_mentor_of(activity.enrollment_id)
        if mentor is not None and mentor.pk != by.pk:
            with language_of(mentor):
                notify(
                    recipient=mentor,
                    title=_("%(name)s picked a call for review")
                    % {"name": display_name(activity.enrollment.trainee)},
                    body=_(
                        "Listen to it, comment at the moments that matter and score it by %(date)s."
                    )
                    % {"date": date_format(recording.review_due_on)},
                    url=reverse("mentors:call", args=[activity.pk]),
                    dedupe_key=f"call-review-picked:{activity.pk}:{mentor.pk}",
                    send_email=False,
                )
    return recording


def _locked_recording(*, activity_id: int) -> CallRecording:
    recording = (
        CallRecording.objects.select_for_update(of=("self",))
        .select_related("activity__enrollment__trainee", "leased_to")
        .filter(activity_id=activity_id)
        .first()
    )
    if recording is None:
        raise ValidationError(_("This call has no recording."))
    return recording


def _reviewable():
    """The calls whose lease may be taken: recorded and not reviewed yet (a reviewed one is
    changed by an override, which needs no lease)."""
    return CallRecording.objects.filter(activity__review__isnull=True)


def call_lease_acquire(*, recording: CallRecording, user, now: datetime | None = None) -> bool:
    """Take (or renew) the call's grading lease; whether this user holds it now."""
    now = now or timezone.now()
    activity = Activity.objects.select_related("enrollment").get(pk=recording.activity_id)
    permissions.check_review_call(user, activity)
    return grading_rules.lease_take(_reviewable(), obj=recording, user=user, now=now)


def call_lease_release(*, recording: CallRecording, user) -> bool:
    return grading_rules.lease_release(CallRecording, obj=recording, user=user)


def _lease_for_saving(recording: CallRecording, *, reviewer, now: datetime) -> None:
    grading_rules.lease_for_saving(
        recording,
        grader=reviewer,
        now=now,
        take=lambda: call_lease_acquire(recording=recording, user=reviewer, now=now),
        error=CallReviewLockError,
    )


@transaction.atomic
def call_comment_add(
    *, recording: CallRecording, author, at_seconds, text: str, now: datetime | None = None
) -> CallComment:
    now = now or timezone.now()
    recording = _locked_recording(activity_id=recording.activity_id)
    permissions.check_review_call(author, recording.activity)
    _lease_for_saving(recording, reviewer=author, now=now)
    text = recordings.comment_text(text, at_seconds=at_seconds, recording=recording)
    comment = CallComment(
        recording=recording, at_seconds=at_seconds, text=text, author=author, created_at=now
    )
    comment.full_clean()
    comment.save()
    grading_rules.lease_renew(recording, now=now)
    return comment


def _checked_scores(scores: dict[str, int]) -> dict[str, int]:
    missing = [str(label) for name, label in CallReview.CRITERIA if scores.get(name) is None]
    if missing:
        raise ValidationError(
            _("Score every point of the scorecard: %(list)s.") % {"list": ", ".join(missing)}
        )
    return {name: scores[name] for name, _label in CallReview.CRITERIA}


def _tell_trainee(activity: Activity, review: CallReview, *, change=None) -> None:
    trainee = activity.enrollment.trainee
    with language_of(trainee):
        title = (
            _("The review of your call was changed: %(percent)s%%")
            if change is not None
            else _("Your call was reviewed: %(percent)s%%")
        )
        notify(
            recipient=trainee,
            title=title % {"percent": review.percent},
            body=_("Open it to hear the comments at their moments."),
            url=reverse("mentors:call", args=[activity.pk]),
            dedupe_key=f"call-review-changed:{change.pk}"
            if change is not None
            else f"call-reviewed:{review.pk}",
        )


@transaction.atomic
def call_review_save(
    *, activity: Activity, reviewer, scores: dict[str, int], comment: str = "", now=None
) -> CallReview:
    """Score a call with the scorecard (every criterion 0 to 2), under the call's grading
    lease; saving submits the review and releases the lease. A saved review is changed only
    by an override (``call_review_override``), by nobody else and not by its reviewer."""
    now = now or timezone.now()
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("enrollment__trainee")
        .get(pk=activity.pk)
    )
    permissions.check_review_call(reviewer, activity)
    if activity.kind != Activity.Kind.CALL:
        raise ValidationError(_("Only a call is reviewed with the call scorecard."))
    review = CallReview.objects.select_related("reviewer").filter(activity=activity).first()
    if review is not None and review.reviewer_id != reviewer.pk:
        raise ValidationError(
            _("%(name)s has already reviewed this call.") % {"name": display_name(review.reviewer)}
        )
    if review is not None:
        raise ValidationError(_("This call is already reviewed; use an override to change it."))
    recording = _locked_recording(activity_id=activity.pk)
    _lease_for_saving(recording, reviewer=reviewer, now=now)
    review = CallReview(activity=activity, reviewer=reviewer, **_checked_scores(scores))
    review.comment = (comment or "").strip()
    review.reviewed_at = now
    review.full_clean()
    review.save()
    recording.leased_to = None
    recording.lease_expires_at = None
    recording.save(update_fields=["leased_to", "lease_expires_at"])
    _tell_trainee(activity, review)
    return review


@transaction.atomic
def call_review_override(
    *,
    review: CallReview,
    user,
    scores: dict[str, int],
    reason: str,
    comment: str | None = None,
    now: datetime | None = None,
) -> CallReview:
    """HR or a director changes a saved call review with a reason, as a quiz grade's override
    (``quizzes.services.response_override``): never on their own call; the change is kept
    (CallReviewChange) and the trainee told."""
    now = now or timezone.now()
    review = (
        CallReview.objects.select_for_update(of=("self",))
        .select_related("activity__enrollment__trainee")
        .get(pk=review.pk)
    )
    activity = review.activity
    permissions.check_override_call_review(user, activity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the change.")})
    new_scores = _checked_scores(scores)
    old_scores, old_comment = review.scores(), review.comment
    for name, value in new_scores.items():
        setattr(review, name, value)
    if comment is not None:
        review.comment = comment.strip()
    review.full_clean()
    if new_scores == old_scores and review.comment == old_comment:
        raise ValidationError(_("Nothing was changed: give the new points."))
    change = CallReviewChange.objects.create(
        review=review,
        changed_by=user,
        changed_at=now,
        reason=reason,
        old_scores=old_scores,
        new_scores=new_scores,
        old_comment=old_comment,
    )
    review.reviewed_at = now
    review.save()
    _tell_trainee(activity, review, change=change)
    return review


def _users_in(*role_names) -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=role_names)
        .distinct()
        .order_by("pk")
    )


def call_reviewers_of(activity: Activity) -> list:
    """Who is expected to review: the trainee's active mentor, else HR (never the trainee)."""
    mentor = coaching.active_mentor_of(activity.enrollment_id)
    if mentor is not None:
        return [mentor]
    return [u for u in _users_in(Role.HR) if u.pk != activity.enrollment.trainee_id]


def _call_reminder_title(deadline: GradingDeadline) -> str:
    if deadline.state == GradingDeadline.DUE:
        return _("Call review due today: %(name)s")
    return (
        ngettext(
            "Call review %(days)d day past due: %(name)s",
            "Call review %(days)d days past due: %(name)s",
            deadline.days,
        )
        if deadline.state == GradingDeadline.LATE
        else ngettext(
            "Call review due in %(days)d day: %(name)s",
            "Call review due in %(days)d days: %(name)s",
            deadline.days,
        )
    )


def call_review_deadlines_notify(*, today: date | None = None) -> dict[str, int]:
    """The daily check of the picked calls, as the quizzes' (``grading_deadlines_notify``):
    remind the reviewer two days before the due date and on it and while late, escalate to
    HR and directors at the overdue date. Dedupe keys make a second run notify nobody."""
    today = today or timezone.localdate()
    sent = {"reminders": 0, "escalations": 0}
    recordings_due = (
        CallRecording.objects.filter(
            activity__review__isnull=True,
            review_due_on__lte=today + timedelta(days=GradingDeadline.REMIND_DAYS_BEFORE),
        )
        .select_related("activity__enrollment__trainee")
        .order_by("pk")
    )
    escalate_to = None
    for recording in recordings_due:
        activity = recording.activity
        url = reverse("mentors:call", args=[activity.pk])
        name = display_name(activity.enrollment.trainee)
        deadline = recording.review_deadline(today)
        if deadline.state == GradingDeadline.OVERDUE:
            if escalate_to is None:
                escalate_to = _users_in(Role.HR, Role.DIRECTOR)
            for user in escalate_to:
                if user.pk == activity.enrollment.trainee_id:
                    continue
                with language_of(user):
                    notify(
                        recipient=user,
                        title=_("Overdue call review: %(name)s") % {"name": name},
                        body=_("Picked on %(picked)s, due %(due)s, not reviewed yet.")
                        % {
                            "picked": date_format(
                                timezone.localdate(recording.review_requested_at)
                            ),
                            "due": date_format(recording.review_due_on),
                        },
                        url=url,
                        dedupe_key=f"call-review-overdue:{activity.pk}:{user.pk}",
                    )
                sent["escalations"] += 1
            continue
        for reviewer in call_reviewers_of(activity):
            with language_of(reviewer):
                notify(
                    recipient=reviewer,
                    title=_call_reminder_title(deadline) % {"name": name, "days": deadline.days},
                    body=_("Please review it by %(date)s.")
                    % {"date": date_format(recording.review_due_on)},
                    url=url,
                    dedupe_key=f"call-review-{deadline.state}:{activity.pk}:"
                    f"{recording.review_due_on}:{reviewer.pk}",
                )
            sent["reminders"] += 1
    return sent


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
