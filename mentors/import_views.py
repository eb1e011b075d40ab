"""The activity upload and its background jobs: the upload form, a job's page with its
progress bar (polled by mentors/static/mentors/import_job.js), its status as JSON, cancelling,
and the list of recent imports. A job someone may not see answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import forms, jobs, permissions, selectors
from .importing import import_help
from .models import ImportJob

RECENT_JOBS = 5
JOBS_PER_PAGE = 25


@login_required
def import_activities(request):
    if not permissions.may_import_activities(request.user):
        raise PermissionDenied
    formats = tuple(jobs.READERS)
    form = forms.ActivityImportForm(formats=formats)
    if request.method == "POST":
        form = forms.ActivityImportForm(request.POST, request.FILES, formats=formats)
        if form.is_valid():
            try:
                job = jobs.job_create(
                    kind=ImportJob.Kind.UPLOAD,
                    fmt=form.cleaned_data.get("fmt", "csv"),
                    file=form.cleaned_data["file"],
                    started_by=request.user,
                    all_or_nothing=not form.cleaned_data["partial"],
                )
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
            else:
                return redirect("mentors:import_job", pk=job.pk)
    recent = selectors.import_jobs_visible_to(request.user)[:RECENT_JOBS]
    help_ = import_help(get_language() or "en")
    return render(request, "mentors/import.html", {"form": form, "recent": recent, **help_})


def _visible_job(request, pk: int) -> ImportJob:
    return get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)


@login_required
def import_jobs(request):
    page = Paginator(selectors.import_jobs_visible_to(request.user), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "mentors/import_jobs.html", {"page_obj": page})


@login_required
def import_job(request, pk: int):
    job = _visible_job(request, pk)
    value, maximum = job.progress()
    return render(
        request,
        "mentors/import_job.html",
        {
            "job": job,
            "value": value,
            "maximum": maximum,
            "may_cancel": permissions.may_cancel_import_job(request.user, job),
        },
    )


@login_required
def import_job_status(request, pk: int):
    """What the progress bar polls: the job's state and counts."""
    job = _visible_job(request, pk)
    value, maximum = job.progress()
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.is_finished,
            "cancel_requested": job.cancel_requested,
            "value": value,
            "max": maximum,
            "rows_total": job.rows_total,
            "rows_checked": job.rows_checked,
            "rows_done": job.rows_done,
            "created": job.created,
            "duplicates": job.duplicates,
            "invalid_rows": job.invalid_rows,
            "unknown_count": job.unknown_count,
            "not_counted": job.not_counted,
            "held": job.held,
            "message": job.message,
        }
    )


@login_required
@require_POST
def import_job_cancel(request, pk: int):
    job = _visible_job(request, pk)
    if not permissions.may_cancel_import_job(request.user, job) or not jobs.job_cancel(job=job):
        messages.info(request, _("The import has already ended."))
    else:
        messages.success(
            request, _("The import stops after the rows it is saving; rows saved are kept.")
        )
    return redirect("mentors:import_job", pk=job.pk)
