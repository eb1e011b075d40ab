"""The audit history page: who decided what about a trainee, when and why."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from courses.selectors import enrollments_visible_to

from . import permissions
from .audit import Kind, audit_entries, audit_events

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), required=False, choices=[("", _("All"))])
    trainee = forms.CharField(
        label=_("Trainee"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name")}),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *Kind.choices]

    def selector_filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


@login_required
def audit_history(request):
    if not permissions.may_see_audit_history(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    events = audit_events(request.user, **form.selector_filters())
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
            "form": form,
            "page_obj": page,
            "entries": entries,
            "linkable": linkable,
            "query": query.urlencode(),
        },
    )
