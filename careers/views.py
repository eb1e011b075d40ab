"""The career pages: my level and the next one, the ladder with its bands, the team on the
ladder (with its exports), and one person's page where promotions are proposed and decided."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people import spreadsheets

from . import exports, forms, permissions, selectors, services
from .models import Requirement


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def my_career(request):
    """Where am I, what is next, what is missing, and the next level's band in my office."""
    today = timezone.localdate()
    standing = selectors.standing_of(request.user, today=today)
    return render(
        request,
        "careers/my_career.html",
        {
            "standing": standing,
            "history": selectors.history_of(request.user),
            "own": True,
        },
    )


@login_required
def ladder(request):
    """Every ladder: its levels, what each asks and the band in each office."""
    return render(request, "careers/ladder.html", {"tables": selectors.ladder_tables()})


def _require_team_viewer(request):
    if not permissions.may_view_team(request.user):
        raise PermissionDenied


def _team_rows(request):
    form = forms.TeamFilterForm(request.GET or None)
    office = form.cleaned_data.get("office") if form.is_valid() else None
    people = selectors.team_visible_to(request.user, office_id=office.pk if office else None)
    rows = selectors.standings(people, today=timezone.localdate())
    return form, rows


@login_required
def team(request):
    """The team on the ladder: who is ready for the next level, who is close, time at each
    level, pay against the bands per office; filtered by office."""
    _require_team_viewer(request)
    form, rows = _team_rows(request)
    query = request.GET.copy()
    return render(
        request,
        "careers/team.html",
        {
            "form": form,
            "rows": rows,
            "summary": selectors.team_summary(rows),
            "query": query.urlencode(),
        },
    )


@login_required
def team_export(request):
    """The team table as XLSX (``?format=xlsx``) or CSV (``?dialect=excel-ru`` for Excel in
    Russian)."""
    _require_team_viewer(request)
    try:
        dialect = spreadsheets.check_dialect(request.GET.get("dialect"))
    except spreadsheets.UnknownDialect:
        return HttpResponse(_("Unknown CSV dialect."), status=400, content_type="text/plain")
    _form, rows = _team_rows(request)
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="career-ladder-{stamp}.xlsx"'
        return response
    response = HttpResponse(
        exports.to_csv(rows, dialect=dialect), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="career-ladder-{stamp}.csv"'
    return response


def _visible_person(request, pk: int):
    return get_object_or_404(selectors.people_visible_to(request.user), pk=pk)


def _evidence_requirements(user, standing) -> list[Requirement]:
    return [
        state.requirement
        for state in standing.states
        if state.requirement is not None
        and permissions.may_record_evidence(
            user, standing.person, state.requirement, enrolled=standing.enrolled
        )
    ]


@login_required
def person(request, pk: int):
    """One person's standing and history, with the forms the viewer may use."""
    person = _visible_person(request, pk)
    if person.pk == request.user.pk:
        return redirect("careers:my_career")
    return _person_page(request, person)


def _person_page(request, person, *, propose_form=None, decide_form=None, evidence_form=None):
    standing = selectors.standing_of(person, today=timezone.localdate())
    user = request.user
    may_propose = (
        standing.pending is None
        and bool(selectors.higher_levels(standing))
        and permissions.may_propose(user, person)
    )
    if may_propose and propose_form is None:
        propose_form = forms.ProposeForm(levels=selectors.higher_levels(standing))
    may_decide = standing.pending is not None and permissions.may_decide(user, standing.pending)
    if may_decide and decide_form is None:
        decide_form = forms.DecideForm()
    requirements = _evidence_requirements(user, standing)
    if requirements and evidence_form is None:
        evidence_form = forms.EvidenceForm(requirements=requirements)
    return render(
        request,
        "careers/person.html",
        {
            "standing": standing,
            "history": selectors.history_of(person),
            "person": person,
            "propose_form": propose_form if may_propose else None,
            "decide_form": decide_form if may_decide else None,
            "evidence_form": evidence_form if requirements else None,
            "own": False,
        },
        status=400
        if any(f is not None and f.errors for f in (propose_form, decide_form, evidence_form))
        else 200,
    )


@login_required
@require_POST
def propose(request, pk: int):
    person = _visible_person(request, pk)
    standing = selectors.standing_of(person, today=timezone.localdate())
    if not permissions.may_propose(request.user, person):
        raise PermissionDenied
    form = forms.ProposeForm(request.POST, levels=selectors.higher_levels(standing))
    if form.is_valid():
        try:
            services.promotion_propose(person=person, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The promotion was proposed."))
            return redirect("careers:person", pk=person.pk)
    return _person_page(request, person, propose_form=form)


@login_required
@require_POST
def decide(request, pk: int):
    person = _visible_person(request, pk)
    standing = selectors.standing_of(person, today=timezone.localdate())
    change = standing.pending
    if change is None or not permissions.may_decide(request.user, change):
        raise PermissionDenied
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == forms.DecideForm.APPROVE:
                services.promotion_approve(change=change, user=request.user, note=note)
                messages.success(request, _("The promotion was approved."))
            else:
                services.promotion_decline(change=change, user=request.user, note=note)
                messages.success(request, _("The promotion was declined."))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("careers:person", pk=person.pk)
    return _person_page(request, person, decide_form=form)


@login_required
@require_POST
def evidence(request, pk: int):
    person = _visible_person(request, pk)
    standing = selectors.standing_of(person, today=timezone.localdate())
    requirements = _evidence_requirements(request.user, standing)
    if not requirements:
        raise PermissionDenied
    form = forms.EvidenceForm(request.POST, requirements=requirements)
    if form.is_valid():
        try:
            services.evidence_record(person=person, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The evidence was recorded."))
            return redirect(reverse("careers:person", kwargs={"pk": person.pk}))
    return _person_page(request, person, evidence_form=form)
