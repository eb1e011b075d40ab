"""The audit history page: who decided what about a trainee, when and why."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from courses.selectors import enrollments_visible_to

from . import permissions
from .audit import audit_entries, audit_events
from .filters import AuditFilter

PAGE_SIZE = 50


@login_required
def audit_history(request):
    if not permissions.may_see_audit_history(request.user):
        raise PermissionDenied
    filterset = AuditFilter(request.GET or None)
    events = audit_events(request.user, narrow=filterset.narrow)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = audit_entries(page.object_list)
    # Link a trainee to the drill-down only where this viewer may open it.
    linkable = set(
        enrollments_visible_to(request.user)
        .filter(pk__in={e.enrollment.pk for e in entries if e.enrollment})
        .order_by()
        .values_list("pk", flat=True)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rampup/audit.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "entries": entries,
            "linkable": linkable,
            "query": query.urlencode(),
        },
    )
