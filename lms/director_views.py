"""The director's ramp-up dashboard, its exports, and the trainee drill-down with sign-off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import StageProgress

from . import audit, charts, exports, roles
from .dashboard import SORT_COLUMNS, dashboard, drilldown
from .forms import DashboardFilterForm, SignOffForm

MAX_CHART_MONTHS = 8


def _dashboard_for(request):
    if not roles.can_view_dashboard(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None)
    sort = request.GET.get("sort", "hire_date")
    if sort.lstrip("-") not in SORT_COLUMNS:
        sort = "hire_date"
    data = dashboard(
        request.user,
        filters=form.filters(),
        today=timezone.localdate(),
        sort=sort.lstrip("-"),
        descending=sort.startswith("-"),
    )
    return form, sort, data


@login_required
def ramp_dashboard(request):
    form, sort, data = _dashboard_for(request)
    cohorts = data.cohorts()
    months = min(
        max(
            [len(r.ramp.complete_months) for r in data.rows]
            + [data.plan.months if data.plan else 6]
        ),
        MAX_CHART_MONTHS,
    )
    chart = charts.ramp_curve(
        plan=data.plan,
        series=[(f"{c.label} ({c.size})", c.achievement) for c in cohorts],
        months=months,
        title=_("Ramp-up by hire cohort: plan against achieved"),
    )
    query = request.GET.copy()
    query.pop("sort", None)
    show_program = len({row.enrollment.program_id for row in data.rows}) > 1
    sortable = [
        ("trainee", _("Trainee")),
        ("program", _("Program")),
        ("hire_date", _("Hired")),
        ("months", _("Months")),
        ("stage", _("Current stage")),
        ("quiz", _("Quiz avg")),
        ("certification", _("Certification")),
        ("fulfilment", _("Last month")),
        ("ramped", _("Ramped")),
        ("mentor", _("Mentor")),
        ("status", _("Status")),
    ]
    if not show_program:
        sortable = [column for column in sortable if column[0] != "program"]
    return render(
        request,
        "lms/dashboard.html",
        {
            "form": form,
            "data": data,
            "rows": data.rows,
            "cohorts": cohorts,
            "cohort_months": range(1, months + 1),
            "chart": chart,
            "sort": sort,
            "query": query.urlencode(),
            "funnel": data.funnel(),
            "sortable": sortable,
            "show_program": show_program,
        },
    )


@login_required
def ramp_dashboard_export(request, fmt):
    _form, _sort, data = _dashboard_for(request)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(data.rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.to_csv(data.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ramp-up-{stamp}.{fmt}"'
    return response


def _visible_enrollment(request, pk):
    return get_object_or_404(
        course_selectors.enrollments_visible_to(request.user).select_related(
            "trainee", "trainee__profile", "program"
        ),
        pk=pk,
    )


@login_required
def ramp_drilldown(request, pk):
    enrollment = _visible_enrollment(request, pk)
    data = drilldown(enrollment, today=timezone.localdate())
    months = max(len(data.ramp.months), data.ramp.plan.months)
    chart = charts.ramp_curve(
        plan=data.ramp.plan,
        series=[(_("Achieved"), {m.index: m.achievement for m in data.ramp.complete_months})],
        months=months,
        title=_("Plan against achieved, by month since hire"),
    )
    last_stage_open = bool(data.stages) and data.stages[-1].status != StageProgress.Status.LOCKED
    can_sign_off = (
        enrollment.status == enrollment.Status.ACTIVE
        and last_stage_open
        and not hasattr(enrollment, "readiness_sign_off")
        and course_services.may_sign_off(request.user, enrollment)
    )
    return render(
        request,
        "lms/drilldown.html",
        {
            "enrollment": enrollment,
            "data": data,
            "chart": chart,
            "sign_off": getattr(enrollment, "readiness_sign_off", None),
            "can_sign_off": can_sign_off,
            "sign_off_form": SignOffForm(),
            "is_own": enrollment.trainee_id == request.user.pk,
            "extra_attempt_grants": list(audit.extra_attempt_grants_for(enrollment)),
        },
    )


@login_required
@require_POST
def ramp_sign_off(request, pk):
    enrollment = _visible_enrollment(request, pk)
    form = SignOffForm(request.POST)
    if form.is_valid():
        figures = drilldown(enrollment, today=timezone.localdate()).figures()
        try:
            course_services.readiness_sign_off(
                enrollment=enrollment,
                user=request.user,
                note=form.cleaned_data["note"],
                figures=figures,
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s is signed off as ready to work independently.")
                % {"name": enrollment.trainee.get_full_name() or enrollment.trainee.username},
            )
    return redirect("ramp_drilldown", pk=enrollment.pk)


@login_required
def my_ramp(request):
    enrollment = course_selectors.current_enrollment(request.user)
    if enrollment is None:
        messages.info(request, _("You are not enrolled in an onboarding program yet."))
        return redirect("home")
    return redirect("ramp_drilldown", pk=enrollment.pk)
