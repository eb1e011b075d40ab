"""The director's ramp-up dashboard, its exports, and the trainee drill-down with sign-off."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import permissions as course_permissions
from courses import selectors as course_selectors
from courses import services as course_services
from courses.models import Enrollment
from people import spreadsheets
from people.names import display_name
from quizzes import selectors as quiz_selectors

from . import charts, exports, permissions
from .dashboard import (
    PAGE_SIZE,
    RenderedDashboard,
    clean_sort,
    dashboard,
    dashboard_cache_key,
    drilldown,
    sort_ranks,
)
from .filters import DashboardFilter
from .forms import SignOffForm

MAX_CHART_MONTHS = 8

logger = logging.getLogger(__name__)


def _dashboard_for(request, *, hire_order=False):
    """The filter form, the sort asked for, and the dashboard's data with its rows in that
    order (in hire order with ``hire_order``, as the cached page keeps them)."""
    if not permissions.may_view_dashboard(request.user):
        raise PermissionDenied
    filterset = DashboardFilter(
        request.GET or None, queryset=course_selectors.enrollments_visible_to(request.user)
    )
    sort = clean_sort(request.GET.get("sort"))
    data = dashboard(
        request.user,
        enrollments=filterset.qs,
        today=timezone.localdate(),
        sort="" if hire_order else sort.lstrip("-"),
        descending=sort.startswith("-"),
    )
    return filterset.form, sort, data


def _render_dashboard_page(request) -> RenderedDashboard:
    """Compute the dashboard and render its fragments, without the request: what is cached."""
    form, _sort, data = _dashboard_for(request, hire_order=True)
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
        series=[(f"{c.title} ({c.size})", c.achievement) for c in cohorts],
        months=months,
        title=_("Ramp-up by hire cohort: plan against achieved"),
    )
    show_program = len({row.enrollment.program_id for row in data.rows}) > 1
    row_template = get_template("rampup/dashboard_row.html")
    return RenderedDashboard(
        computed_at=timezone.now(),
        filters_html=render_to_string("rampup/dashboard_filters.html", {"form": form}),
        summary_html=render_to_string(
            "rampup/dashboard_summary.html",
            {
                "data": data,
                "cohorts": cohorts,
                "cohort_months": range(1, months + 1),
                "chart": chart,
                "funnel": data.funnel(),
            },
        ),
        rows_html=[
            row_template.render({"row": row, "show_program": show_program}) for row in data.rows
        ],
        ranks=sort_ranks(data.rows),
        show_program=show_program,
    )


@login_required
def ramp_dashboard(request):
    if not permissions.may_view_dashboard(request.user):
        raise PermissionDenied
    try:
        key = dashboard_cache_key(user=request.user, params=request.GET, today=timezone.localdate())
        page = None if request.GET.get("refresh") else cache.get(key)
        # Never older than the setting, whatever the cache's own clock does with its timeout.
        if (
            page is not None
            and (timezone.now() - page.computed_at).total_seconds()
            >= settings.RAMP_DASHBOARD_CACHE_SECONDS
        ):
            page = None
    except Exception:
        # A cache server that is down costs the director the computation, not the page.
        logger.warning("ramp-up dashboard: cache not read", exc_info=True)
        key = page = None
    if page is None:
        page = _render_dashboard_page(request)
        if key is not None:
            try:
                cache.set(key, page, settings.RAMP_DASHBOARD_CACHE_SECONDS)
            except Exception:
                logger.warning("ramp-up dashboard: page not kept", exc_info=True)
    sort = clean_sort(request.GET.get("sort"))
    page_obj = Paginator(page.order(sort), PAGE_SIZE).get_page(request.GET.get("page"))
    # Links keep the filters and the sort, not the refresh (a reload would recompute) nor
    # the page (a new sort or filter starts at page 1).
    query = request.GET.copy()
    query.pop("refresh", None)
    refresh_query = query.copy()
    refresh_query["refresh"] = "1"
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
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
    if not page.show_program:
        sortable = [column for column in sortable if column[0] != "program"]
    return render(
        request,
        "rampup/dashboard.html",
        {
            "computed_at": page.computed_at,
            # Rendered by _render_dashboard_page from escaped template output.
            "filters_html": mark_safe(page.filters_html),  # noqa: S308
            "summary_html": mark_safe(page.summary_html),  # noqa: S308
            "rows_html": mark_safe("".join(page.rows_html[n] for n in page_obj.object_list)),  # noqa: S308
            "page_obj": page_obj,
            "sort": sort,
            "sortable": sortable,
            "sort_query": sort_query.urlencode(),
            "page_query": query.urlencode(),
            "refresh_query": refresh_query.urlencode(),
        },
    )


@login_required
def ramp_dashboard_export(request, fmt):
    """The table as XLSX, or as CSV: comma-separated, or ``?dialect=excel-ru`` for Excel in
    Russian (semicolons, a BOM, decimal commas)."""
    if not permissions.may_view_dashboard(request.user):
        raise PermissionDenied
    try:
        dialect = spreadsheets.check_dialect(request.GET.get("dialect"))
    except spreadsheets.UnknownDialect:
        messages.error(request, _("Unknown CSV dialect."))
        query = request.GET.copy()
        query.pop("dialect", None)
        return redirect(reverse("dashboard") + (f"?{query.urlencode()}" if query else ""))
    _form, _sort, data = _dashboard_for(request)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(data.rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            exports.to_csv(data.rows, dialect=dialect), content_type="text/csv; charset=utf-8"
        )
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
    # Only an active enrollment can be signed off: the overview (several queries) is read
    # for those only.
    can_sign_off = enrollment.status == Enrollment.Status.ACTIVE and (
        course_permissions.may_sign_off(
            request.user, enrollment, overview=course_selectors.overview(enrollment)
        )
    )
    return render(
        request,
        "rampup/drilldown.html",
        {
            "enrollment": enrollment,
            "data": data,
            "chart": chart,
            "sign_off": getattr(enrollment, "readiness_sign_off", None),
            "can_sign_off": can_sign_off,
            "sign_off_form": SignOffForm(),
            "is_own": enrollment.trainee_id == request.user.pk,
            "extra_attempt_grants": list(quiz_selectors.extra_attempt_grants_for(enrollment)),
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
                % {"name": display_name(enrollment.trainee)},
            )
    return redirect("ramp_drilldown", pk=enrollment.pk)


@login_required
def my_ramp(request):
    enrollment = course_selectors.current_enrollment(request.user)
    if enrollment is None:
        messages.info(request, _("You are not enrolled in an onboarding program yet."))
        return redirect("home")
    return redirect("ramp_drilldown", pk=enrollment.pk)
