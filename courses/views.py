import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.names import display_name
from people.permissions import (
    is_trainee,
    may_manage_enrollments,
    sees_all_trainees,
    ticks_checklist_items_of_others,
)

from . import csv_import, filters, forms, permissions, selectors, services
from .models import StagePage


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _error_messages(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


@login_required
def my_onboarding(request):
    enrollment = selectors.current_enrollment(request.user)
    if enrollment is None and not is_trainee(request.user):
        raise PermissionDenied
    context = {"enrollment": enrollment}
    if enrollment is not None:
        context["overview"] = selectors.overview(enrollment)
        context["mentor"] = selectors.active_mentor_contact(enrollment)
    return render(request, "courses/my_onboarding.html", context)


@login_required
def enrollments(request):
    if not sees_all_trainees(request.user):
        raise PermissionDenied
    filterset = filters.EnrollmentFilter(
        request.GET or None, queryset=selectors.enrollment_list(request.user)
    )
    qs = filterset.qs
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/enrollments.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "rows": [selectors.EnrollmentRow.of(e) for e in page.object_list],
            "can_manage": may_manage_enrollments(request.user),
            "query": query.urlencode(),
        },
    )


@login_required
def job_description_signatures(request):
    """HR's view of the job description: per program, its versions and who of the open
    enrollments signed which, and who still has to sign (again)."""
    if not sees_all_trainees(request.user):
        raise PermissionDenied
    reports = [
        report
        for program in selectors.programs_live()
        if (report := selectors.signature_report(program)) is not None
    ]
    return render(request, "courses/job_description_signatures.html", {"reports": reports})


@login_required
def enrollment_detail(request, pk):
    enrollment = get_object_or_404(
        selectors.enrollments_visible_to(request.user).select_related("program", "trainee"), pk=pk
    )
    overview = selectors.overview(enrollment)
    may_drop = permissions.may_drop(request.user, enrollment)
    may_reactivate = permissions.may_reactivate(request.user, enrollment)
    context = {
        "enrollment": enrollment,
        "overview": overview,
        "mentor": selectors.active_mentor_contact(enrollment),
        "events": selectors.enrollment_events(enrollment)[:50],
        "may_drop": may_drop,
        "may_reactivate": may_reactivate,
        "can_see_list": sees_all_trainees(request.user),
        "reason_form": forms.ReasonForm() if may_drop or may_reactivate else None,
    }
    if permissions.may_sign_off(request.user, enrollment, overview=overview):
        context["sign_off_form"] = forms.ReadinessSignOffForm()
    return render(request, "courses/enrollment_detail.html", context)


def _manage(request, pk, action):
    if not may_manage_enrollments(request.user):
        raise PermissionDenied
    enrollment = get_object_or_404(selectors.enrollments_visible_to(request.user), pk=pk)
    form = forms.ReasonForm(request.POST)
    if form.is_valid():
        try:
            action(enrollment=enrollment, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            return enrollment
    else:
        messages.error(request, _("Give a reason."))
    return None


@login_required
@require_POST
def enrollment_drop(request, pk):
    if _manage(request, pk, services.enrollment_drop):
        messages.success(request, _("The enrollment was dropped."))
    return redirect("courses:enrollment_detail", pk=pk)


@login_required
@require_POST
def enrollment_reactivate(request, pk):
    if _manage(request, pk, services.enrollment_reactivate):
        messages.success(request, _("The enrollment was reactivated."))
    return redirect("courses:enrollment_detail", pk=pk)


@login_required
def enrollments_import(request):
    if not may_manage_enrollments(request.user):
        raise PermissionDenied
    form = forms.EnrollmentImportForm(request.POST or None, request.FILES or None)
    columns = csv_import.column_names(get_language() or "en")
    context = {"form": form, "columns": columns}
    if request.method == "POST" and form.is_valid():
        try:
            result = services.enrollments_import(
                data=form.cleaned_data["file"].read(),
                enrolled_by=request.user,
                include_staff=form.cleaned_data["include_staff"],
            )
        except csv_import.ImportFailed as failed:
            # Each column as the page names it (the Russian name on a Russian page).
            shown = dict(zip(csv_import.COLUMNS, columns, strict=True))
            context["errors"] = [
                dataclasses.replace(error, column=shown.get(error.column, error.column))
                for error in failed.errors
            ]
        else:
            context["result"] = result
            messages.success(
                request,
                _("%(n)d people enrolled.") % {"n": len(result.enrollments)},
            )
            context["form"] = forms.EnrollmentImportForm()
    return render(request, "courses/enrollments_import.html", context)


@login_required
@require_POST
def checklist_tick(request, enrollment_pk, stage_pk, item_id):
    enrollment = get_object_or_404(
        selectors.enrollments_checklist_reaches(request.user), pk=enrollment_pk
    )
    stage = get_object_or_404(StagePage.objects.live().child_of(enrollment.program), pk=stage_pk)
    done = request.POST.get("done") == "1"
    try:
        completed = services.checklist_tick(
            enrollment=enrollment, stage=stage, item_id=item_id, user=request.user, done=done
        )
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        for finished in completed:
            messages.success(request, _("Stage completed: %(title)s.") % {"title": finished.title})
    return _back(request, stage.url)


@login_required
def my_tasks(request):
    """The start page of the people checklist items name (system administrator, head of
    department, HR): the items waiting for them on every active trainee's checklist."""
    if not (ticks_checklist_items_of_others(request.user) or may_manage_enrollments(request.user)):
        raise PermissionDenied
    return render(
        request,
        "courses/my_tasks.html",
        {
            "rows": selectors.tasks_waiting_for(request.user),
            "recent": selectors.ticks_made_by(request.user),
        },
    )


@login_required
@require_POST
def job_description_sign(request, enrollment_pk):
    enrollment = get_object_or_404(selectors.enrollments_visible_to(request.user), pk=enrollment_pk)
    try:
        services.job_description_sign(enrollment=enrollment, user=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Thank you: the job description is signed."))
    job = selectors.job_description_of(enrollment.program)
    if job is None:
        raise Http404
    return _back(request, job.url)


@login_required
@require_POST
def readiness_sign_off(request, enrollment_pk):
    enrollment = get_object_or_404(selectors.enrollments_visible_to(request.user), pk=enrollment_pk)
    form = forms.ReadinessSignOffForm(request.POST)
    if form.is_valid():
        try:
            services.readiness_sign_off(
                enrollment=enrollment, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(
                request,
                _("%(name)s is signed off as ready to work independently.")
                % {"name": display_name(enrollment.trainee)},
            )
    return _back(request, reverse("courses:enrollment_detail", args=[enrollment.pk]))
