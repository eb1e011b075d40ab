"""The director's ramp-up dashboard, its exports, and the trainee drill-down with sign-off."""

import logging
import math

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
from people import selectors as people_selectors
from people import spreadsheets
from people.names import display_name
from people.replica import reports_from_replica
from quizzes import selectors as quiz_selectors

from . import charts, exports, permissions, table
from .dashboard import (
    DEFAULT_SORT,
    LIST_LIMIT,
    PAGE_SIZE,
    Cohort,
    RenderedRows,
    RenderedSummary,
    clean_sort,
    dashboard_cache_key,
    dashboard_rows_cache_key,
    drilldown,
    rows_by_id,
)
from .filters import DashboardFilter
from .forms import SignOffForm

MAX_CHART_MONTHS = 8

logger = logging.getLogger(__name__)


def _enrollments_in_scope(user):
    """The enrollments the user may see, in their office when the office scope is on
    (people.selectors.office_scope_of): the dashboard, its exports and the drill-down."""
    visible = course_selectors.enrollments_visible_to(user)
    office = people_selectors.office_scope_of(user)
    if office is not people_selectors.UNSCOPED:
        visible = visible.filter(trainee__profile__office_id=office)
    return visible


def _dashboard_query(request):
    """The filter form and the dashboard's query over the enrollments in the user's scope,
    filtered."""
    if not permissions.may_view_dashboard(request.user):
        raise PermissionDenied
    visible = _enrollments_in_scope(request.user)
    filterset = DashboardFilter(request.GET or None, queryset=visible)
    return filterset.form, table.DashboardQuery(filterset.qs, today=timezone.localdate())


class _SortedIds:
    """The enrollments' ids in one sort, as the paginator slices them: each page is one
    query of LIMIT and OFFSET (rampup/table.py), the count is the summary's."""

    def __init__(self, query: table.DashboardQuery, sort: str, count: int, first=None):
        self.query, self.sort, self._count = query, sort, count
        # The first page of the default sort, when the summary just read it (``first_page_ids``).
        self.first = first if sort == DEFAULT_SORT else None

    def __len__(self) -> int:
        return self._count

    def count(self) -> int:
        return self._count

    def __getitem__(self, bounds: slice) -> list[int]:
        start = bounds.start or 0
        if self.first is not None and start == 0 and bounds.stop <= PAGE_SIZE:
            return self.first[: bounds.stop]
        return self.query.ordered_ids(self.sort, limit=bounds.stop - start, offset=start)


def _render_summary(
    form, query: table.DashboardQuery, summary: table.Summary, rows
) -> RenderedSummary:
    """Render the figures above the table, without the request: what is cached."""
    plan = query.plans.by_program.get(summary.first_program_id)
    months = min(max(summary.most_complete_months, plan.months if plan else 6), MAX_CHART_MONTHS)
    cohorts = [
        Cohort(label=c.label, size=c.size, achievement=c.achievement, fulfilment=c.fulfilment)
        for c in summary.cohorts
    ]
    chart = charts.ramp_curve(
        plan=plan,
        series=[(f"{c.title} ({c.size})", c.achievement) for c in cohorts],
        months=months,
        title=_("Ramp-up by hire cohort: plan against achieved"),
    )
    behind = [rows[pk] for pk in summary.behind_ids if pk in rows]
    dropped = [rows[pk] for pk in summary.dropped_ids if pk in rows]
    return RenderedSummary(
        computed_at=timezone.now(),
        filters_html=render_to_string("rampup/dashboard_filters.html", {"form": form}),
        summary_html=render_to_string(
            "rampup/dashboard_summary.html",
            {
                "summary": summary,
                "overdue_grading": quiz_selectors.overdue_grading_count(
                    today=query.today, enrollment_ids=query.enrollments.order_by().values("pk")
                ),
                "behind_rows": behind,
                "behind_more": summary.behind - len(behind),
                "dropped_rows": dropped,
                "dropped_more": summary.dropped_recently - len(dropped),
                "cohorts": cohorts,
                "cohort_months": range(1, months + 1),
                "chart": chart,
                "funnel": summary.funnel(),
            },
        ),
        total=summary.total,
        show_program=len(query.plans.by_program) > 1,
    )


def _render_rows(rows, *, show_program: bool) -> str:
    row_template = get_template("rampup/dashboard_row.html")
    return "".join(row_template.render({"row": row, "show_program": show_program}) for row in rows)


def _cached(key):
    """What the cache holds under ``key`` if it is younger than the setting, else None; a cache
    that is down is no cache."""
    if key is None:
        return None
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("ramp-up dashboard: cache not read", exc_info=True)
        return None
    # Never older than the setting, whatever the cache's own clock does with its timeout.
    if value is not None and (
        (timezone.now() - value.computed_at).total_seconds()
        >= settings.RAMP_DASHBOARD_CACHE_SECONDS
    ):
        return None
    return value


def _keep(key, value) -> None:
    if key is None:
        return
    try:
        cache.set(key, value, settings.RAMP_DASHBOARD_CACHE_SECONDS)
    except Exception:
        logger.warning("ramp-up dashboard: page not kept", exc_info=True)


def _summary_key(request):
    try:
        return dashboard_cache_key(
            user=request.user, params=request.GET, today=timezone.localdate()
        )
    except Exception:
        # A cache server that is down costs the director the computation, not the page.
        logger.warning("ramp-up dashboard: cache not read", exc_info=True)
        return None


def _page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except (TypeError, ValueError):
        return 1


def _dashboard_parts(request, sort: str):
    """(the rendered summary, the paginator's page, the rendered rows of that page), each from
    the cache when it holds them, else computed: the summary in one statement, the page in
    one more and its rows in a fixed number of queries."""
    refresh = bool(request.GET.get("refresh"))
    key = _summary_key(request)
    summary_page = None if refresh else _cached(key)
    query = None
    rows: dict = {}
    if summary_page is None:
        form, query = _dashboard_query(request)
        summary = query.summary(list_limit=LIST_LIMIT, page_size=PAGE_SIZE)
        total = summary.total
    else:
        total = summary_page.total
    # Past the last page is the last page, as Paginator.get_page has it.
    number = min(_page_number(request), max(math.ceil(total / PAGE_SIZE), 1))
    rows_key = None if key is None else dashboard_rows_cache_key(key, sort=sort, page=number)
    rendered = None if refresh or summary_page is None else _cached(rows_key)
    if rendered is None:
        if query is None:
            _form, query = _dashboard_query(request)
        first = summary.first_page_ids if summary_page is None else None
        page_obj = Paginator(_SortedIds(query, sort, total, first), PAGE_SIZE).get_page(number)
        ids = list(page_obj.object_list)
        wanted = ids if summary_page is not None else ids + summary.behind_ids + summary.dropped_ids
        rows = rows_by_id(wanted, today=query.today)
        if summary_page is None:
            summary_page = _render_summary(form, query, summary, rows)
            _keep(key, summary_page)
        rendered = RenderedRows(
            computed_at=summary_page.computed_at,
            rows_html=_render_rows(
                # An enrollment deleted between the two queries is left out, not a 500.
                [rows[pk] for pk in ids if pk in rows],
                show_program=summary_page.show_program,
            ),
        )
        _keep(rows_key, rendered)
    else:
        page_obj = Paginator(range(total), PAGE_SIZE).get_page(number)
    return summary_page, page_obj, rendered


@login_required
def ramp_dashboard(request):
    if not permissions.may_view_dashboard(request.user):
        raise PermissionDenied
    sort = clean_sort(request.GET.get("sort"))
    with reports_from_replica():
        page, page_obj, rendered = _dashboard_parts(request, sort)
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
            # Rendered by _render_summary and _render_rows from escaped template output.
            "filters_html": mark_safe(page.filters_html),  # noqa: S308
            "summary_html": mark_safe(page.summary_html),  # noqa: S308
            "rows_html": mark_safe(rendered.rows_html),  # noqa: S308
            "page_obj": page_obj,
            "sort": sort,
            "sortable": sortable,
            "sort_query": sort_query.urlencode(),
            "page_query": query.urlencode(),
            "refresh_query": refresh_query.urlencode(),
        },
    )


EXPORT_CHUNK = 500


def _export_rows(query: table.DashboardQuery, sort: str):
    """Every row of the table in the page's sort, built a chunk at a time: the export holds
    every trainee, but never every row in memory at once."""
    ids = query.ordered_ids(sort)
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        rows = rows_by_id(chunk, today=query.today)
        yield from (rows[pk] for pk in chunk if pk in rows)


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
    with reports_from_replica():
        _form, query = _dashboard_query(request)
        rows = _export_rows(query, clean_sort(request.GET.get("sort")))
        if fmt == "xlsx":
            content = exports.to_xlsx(rows)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = exports.to_csv(rows, dialect=dialect)
            content_type = "text/csv; charset=utf-8"
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ramp-up-{stamp}.{fmt}"'
    return response


def _visible_enrollment(request, pk):
    return get_object_or_404(
        _enrollments_in_scope(request.user).select_related(
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
