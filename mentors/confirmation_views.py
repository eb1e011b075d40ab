"""The confirmation page: HR and the head of sales confirm typed activity (docs/bonuses.md,
"Confirmation"). Reads in selectors, the write in confirmations, who may in permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import confirmations, permissions, selectors

PER_PAGE = 100


@login_required
def confirm_activities(request):
    if not permissions.is_activity_confirmer(request.user):
        raise PermissionDenied
    if request.method == "POST":
        ids = sorted({int(pk) for pk in request.POST.getlist("activity") if pk.isdigit()})
        if not ids:
            messages.error(request, _("Select at least one entry."))
            return redirect("mentors:confirm")
        done, skipped = confirmations.activities_confirm(ids=ids, user=request.user)
        if done:
            messages.success(
                request,
                ngettext("%(n)s entry confirmed.", "%(n)s entries confirmed.", done) % {"n": done},
            )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(n)s entry was not confirmed: it is confirmed already, or you typed "
                    "it, or it is yours or your mentee's.",
                    "%(n)s entries were not confirmed: they are confirmed already, or you "
                    "typed them, or they are yours or your mentees'.",
                    skipped,
                )
                % {"n": skipped},
            )
        return redirect("mentors:confirm")
    waiting = selectors.activities_to_confirm(request.user)
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentors/confirm.html",
        {"page_obj": page, "activities": page.object_list, "query": ""},
    )
