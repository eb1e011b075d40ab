"""Pages and endpoints of recordings: the trainee's recorded answer, the grader's live
recording, the pinned comments, and the file itself, served only to those who may hear it
(anyone else gets 404, docs/security.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from people.permissions import is_grader

from . import recording_services, recordings, selectors, services
from .models import Attempt, Response


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, ok: bool, message: str, *, url: str, status: int = 200, **extra):
    """JSON for the recorder's fetch, a message and a redirect without JavaScript."""
    if _wants_json(request):
        return JsonResponse({"ok": ok, "message": message, **extra}, status=status)
    (messages.success if ok else messages.error)(request, message)
    return redirect(url)


@login_required
@require_POST
def recording_upload(request, pk, response_pk):
    """The trainee saves a recorded answer (the recorder posts it, or an uploaded file)."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "enrollment").filter(
            enrollment__trainee=request.user
        ),
        pk=pk,
    )
    response = get_object_or_404(Response.objects.select_related("question"), pk=response_pk)
    if response.attempt_id != attempt.pk:
        raise Http404
    url = reverse("quizzes:attempt", args=[pk]) + f"#question-{response.question_id}"
    upload = request.FILES.get("file")
    if upload is None:
        return _answer(
            request, False, _("Record your answer or choose a file."), url=url, status=400
        )
    try:
        recording = recording_services.response_recording_save(
            response=response,
            user=request.user,
            upload=upload,
            duration=request.POST.get("duration"),
        )
    except (ValidationError, PermissionDenied) as exc:
        message = _errors_text(exc) if isinstance(exc, ValidationError) else str(exc)
        return _answer(request, False, message, url=url, status=400)
    return _answer(
        request,
        True,
        _("Your recording is saved (%(length)s).")
        % {"length": recordings.clock(recording.duration_seconds)},
        url=url,
        src=reverse("quizzes:recording_file", args=[recording.pk]),
    )


def _gradable(request, pk) -> Attempt:
    if not is_grader(request.user):
        raise Http404
    return get_object_or_404(
        services.attempts_for_grading(request.user).select_related(
            "quiz", "enrollment__trainee", "leased_to"
        ),
        pk=pk,
    )


@login_required
@require_POST
def live_recording_upload(request, pk):
    """The grader saves the recording of the live role-play made on the grading page."""
    attempt = _gradable(request, pk)
    url = reverse("quizzes:grade", args=[pk]) + "#live-recording"
    upload = request.FILES.get("file")
    if upload is None:
        return _answer(
            request, False, _("Record the role-play or choose a file."), url=url, status=400
        )
    try:
        recording = recording_services.live_recording_save(
            attempt=attempt,
            grader=request.user,
            upload=upload,
            duration=request.POST.get("duration"),
        )
    except services.GradingLockError as exc:
        return _answer(request, False, exc.message, url=url, status=409)
    except ValidationError as exc:
        return _answer(request, False, _errors_text(exc), url=url, status=400)
    return _answer(
        request,
        True,
        _("The recording of the role-play is saved (%(length)s).")
        % {"length": recordings.clock(recording.duration_seconds)},
        url=url,
        reload=True,
    )


@login_required
@require_POST
def recording_comment(request, pk):
    """A grader pins a comment to a moment of a recording of an attempt they grade."""
    if not is_grader(request.user):
        raise Http404
    recording = get_object_or_404(selectors.recordings_visible_to(request.user), pk=pk)
    url = reverse("quizzes:grade", args=[recording.attempt_id]) + f"#recording-{recording.pk}"
    try:
        recording_services.recording_comment_add(
            recording=recording,
            author=request.user,
            at_seconds=recording_services.parse_moment(request.POST.get("at")),
            text=request.POST.get("text", ""),
        )
    except services.GradingLockError as exc:
        return _answer(request, False, exc.message, url=url, status=409)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _answer(request, False, _errors_text(exc), url=url, status=400)
    return _answer(request, True, _("Comment added."), url=url)


@login_required
@require_GET
def recording_file(request, pk):
    """The recording's bytes (with range requests), for who may hear it; 404 for anyone else."""
    recording = get_object_or_404(
        selectors.recordings_visible_to(request.user).only("file", "content_type"), pk=pk
    )
    if not recording.file.name or not recording.file.storage.exists(recording.file.name):
        raise Http404
    return recordings.serve(request, recording)
