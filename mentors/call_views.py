"""A call's coaching page: its recording with comments pinned to moments, picking it for
review, the call scorecard; the reviewers' list of picked calls; the recording's file (with
range requests) for who may hear it, 404 for anyone else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from people.permissions import grades_all_attempts, is_mentor
from quizzes import grading_rules, recordings
from quizzes.grading_rules import GradingLockError
from quizzes.recording_services import parse_moment

from . import call_reviews, forms, permissions, selectors
from .models import Activity


def _call(request, pk) -> Activity:
    activity = get_object_or_404(
        selectors.activities_visible_to(request.user).select_related("enrollment__trainee"),
        pk=pk,
        kind=Activity.Kind.CALL,
    )
    if not permissions.may_hear_call(request.user, activity):
        raise Http404
    return activity


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _attach(request, activity):
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError(_("Choose the call's recording file."))
    call_reviews.call_recording_attach(
        activity=activity, file=upload, by=request.user, duration=request.POST.get("duration")
    )
    return _("The call's recording is attached.")


def _pick(request, activity):
    call_reviews.call_review_request(activity=activity, by=request.user)
    return _("The call is picked for review.")


def _comment(request, activity):
    recording, _review = selectors.call_page(activity)
    if recording is None:
        raise ValidationError(_("This call has no recording."))
    call_reviews.call_comment_add(
        recording=recording,
        author=request.user,
        at_seconds=parse_moment(request.POST.get("at")),
        text=request.POST.get("text", ""),
    )
    return _("Comment added.")


def _take(request, activity):
    recording, _review = selectors.call_page(activity)
    if recording is None:
        raise ValidationError(_("This call has no recording."))
    if not call_reviews.call_lease_acquire(recording=recording, user=request.user):
        raise call_reviews.CallReviewLockError(recording.lease_holder(timezone.now()))
    return _("You hold this call for review; other reviewers cannot save meanwhile.")


def _release(request, activity):
    recording, _review = selectors.call_page(activity)
    if recording is not None:
        call_reviews.call_lease_release(recording=recording, user=request.user)
    return _("You released the call; another reviewer can take it.")


def _override(request, activity):
    _recording, review = selectors.call_page(activity)
    if review is None:
        raise ValidationError(_("This call has no review to change yet."))
    form = forms.CallReviewOverrideForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.error_text())
    call_reviews.call_review_override(
        review=review,
        user=request.user,
        scores=form.scores(),
        comment=form.cleaned_data["comment"],
        reason=form.cleaned_data["reason"],
    )
    return _("The review is changed; the trainee has been told.")


def _review(request, activity):
    form = forms.CallScorecardForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.error_text())
    call_reviews.call_review_save(
        activity=activity,
        reviewer=request.user,
        scores=form.scores(),
        comment=form.cleaned_data["comment"],
    )
    return _("The call's review is saved; the trainee has been told.")


ACTIONS = {
    "attach": _attach,
    "pick": _pick,
    "comment": _comment,
    "review": _review,
    "take": _take,
    "release": _release,
    "override": _override,
}


@login_required
def call_detail(request, pk):
    activity = _call(request, pk)
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            raise Http404
        try:
            message = action(request, activity)
        except PermissionDenied as exc:
            raise Http404 from exc
        except GradingLockError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": exc.message}, status=409)
            messages.error(request, exc.message)
        except ValidationError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "message": " ".join(exc.messages)}, status=400)
            messages.error(request, " ".join(exc.messages))
        else:
            if _wants_json(request):
                return JsonResponse({"ok": True, "message": message, "reload": True})
            messages.success(request, message)
        return redirect("mentors:call", pk=pk)
    recording, review = selectors.call_page(activity)
    may_review = permissions.may_review_call(request.user, activity) and recording is not None
    initial = {name: getattr(review, name) for name, _l in review.CRITERIA} if review else {}
    if review:
        initial["comment"] = review.comment
    now = timezone.now()
    holder = recording.lease_holder(now) if recording is not None else None
    holds_lease = holder is not None and holder.pk == request.user.pk
    may_save = may_review and review is None and (holder is None or holds_lease)
    may_override = review is not None and permissions.may_override_call_review(
        request.user, activity
    )
    return render(
        request,
        "mentors/call.html",
        {
            "activity": activity,
            "recording": recording,
            "review": review,
            "may_review": may_save,
            "reviewing": may_review and review is None,
            "holder": holder if not holds_lease else None,
            "holds_lease": holds_lease,
            "lease_minutes": grading_rules.lease_minutes(),
            "deadline": recording.review_deadline(timezone.localdate())
            if recording is not None and review is None
            else None,
            "may_pick": permissions.may_pick_call(request.user, activity)
            and recording is not None
            and recording.review_requested_at is None,
            "scorecard": forms.CallScorecardForm() if may_save else None,
            "override_form": forms.CallReviewOverrideForm(initial=initial)
            if may_override
            else None,
            "changes": list(review.changes.select_related("changed_by")) if review else [],
            "max_seconds": call_reviews.call_max_seconds(),
            "is_trainee": activity.enrollment.trainee_id == request.user.pk,
        },
    )


@login_required
@require_GET
def call_file(request, pk):
    recording = get_object_or_404(
        selectors.call_recordings_visible_to(request.user).only("file", "content_type"),
        activity_id=pk,
    )
    if not recording.file.name or not recording.file.storage.exists(recording.file.name):
        raise Http404
    return recordings.serve(request, recording)


@login_required
def call_review_queue(request):
    if not (grades_all_attempts(request.user) or is_mentor(request.user)):
        raise Http404
    today, now = timezone.localdate(), timezone.now()
    rows = [
        {"recording": r, "deadline": r.review_deadline(today), "holder": r.lease_holder(now)}
        for r in selectors.calls_to_review(request.user)[:200]
    ]
    return render(request, "mentors/call_reviews.html", {"rows": rows})
