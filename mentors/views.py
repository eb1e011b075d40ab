from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from courses.models import Enrollment
from courses.selectors import current_enrollment, enrollments_visible_to
from people.names import display_name
from people.permissions import is_mentor, is_trainee, may_approve_bonuses, may_assign_mentors
from quizzes.selectors import awaiting_grading_count

from . import certification, filters, forms, payroll, permissions, selectors, services
from .models import Activity, BonusStatement


def _error_messages(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Activity ----------------------------------------------------------------------------


@login_required
def activity(request):
    """The trainee's own log: log an activity, see the entries and the weekly totals."""
    enrollment = current_enrollment(request.user)
    if enrollment is None:
        if not is_trainee(request.user):
            raise PermissionDenied
        return render(request, "mentors/activity.html", {"enrollment": None, "own": True})
    return _activity_page(request, enrollment, own=True)


@login_required
def mentee_activity(request, enrollment_id: int):
    """A mentee's log as their mentor (or staff) sees it; others get 404."""
    enrollment = get_object_or_404(
        enrollments_visible_to(request.user).select_related("trainee", "program"),
        pk=enrollment_id,
    )
    if enrollment.trainee_id == request.user.pk:
        return redirect("mentors:activity")
    return _activity_page(request, enrollment, own=False)


def _activity_page(request, enrollment: Enrollment, *, own: bool):
    here = (
        reverse("mentors:activity")
        if own
        else reverse("mentors:mentee_activity", args=[enrollment.pk])
    )
    may_record = permissions.may_record_activity(request.user, enrollment)
    form = forms.ActivityForm()
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = forms.ActivityForm(request.POST)
        if form.is_valid():
            try:
                activity = services.activity_record(
                    enrollment=enrollment,
                    recorded_by=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(kind)s logged: %(when)s")
                    % {
                        "kind": activity.get_kind_display(),
                        "when": date_format(
                            timezone.localtime(activity.occurred_at), "DATETIME_FORMAT"
                        ),
                    },
                )
                return redirect(here)
    log = filters.ActivityFilter(
        request.GET or None,
        queryset=selectors.activity_log(request.user, enrollment=enrollment),
    )
    page = Paginator(log.qs, 50).get_page(request.GET.get("page"))
    weeks = selectors.weekly_totals(selectors.activity_log(request.user, enrollment=enrollment))
    return render(
        request,
        "mentors/activity.html",
        {
            "enrollment": enrollment,
            "own": own,
            "form": form if may_record else None,
            "filter_form": log.form,
            "page_obj": page,
            "weeks": weeks,
            "kinds": Activity.Kind.choices,
            "query": _query_without_page(request),
            "here": here,
            "certification_notice": certification.notice(enrollment),
        },
    )


@login_required
@require_POST
def activity_delete(request, pk: int):
    activity = get_object_or_404(selectors.activities_visible_to(request.user), pk=pk)
    enrollment = activity.enrollment
    try:
        services.activity_delete(activity=activity, user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The entry was deleted."))
    if enrollment.trainee_id == request.user.pk:
        return redirect("mentors:activity")
    return redirect("mentors:mentee_activity", enrollment.pk)


# --- Mentor ------------------------------------------------------------------------------


@login_required
def mentees(request):
    if not is_mentor(request.user):
        raise PermissionDenied

    statements = selectors.mentor_statements(request.user)
    return render(
        request,
        "mentors/mentees.html",
        {
            "rows": selectors.mentee_rows(request.user),
            "grading_count": awaiting_grading_count(user=request.user),
            "statements": statements[:50],
            "calls_to_review": selectors.calls_to_review(request.user).count(),
            "reviews": selectors.review_counts(request.user),
        },
    )


# --- Bonuses -----------------------------------------------------------------------------


def _require_approver(request):
    if not may_approve_bonuses(request.user):
        raise PermissionDenied


@login_required
def bonuses(request):
    _require_approver(request)
    statement_filter = filters.StatementFilter(
        request.GET or None, queryset=selectors.statement_list(request.user)
    )
    qs = statement_filter.qs
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    statements = page.object_list
    return render(
        request,
        "mentors/bonuses.html",
        {
            "form": statement_filter.form,
            "page_obj": page,
            "statements": statements,
            # The bulk buttons, where a statement on the page would take them.
            "may_approve": any(
                permissions.may_approve_statement(request.user, s) for s in statements
            ),
            "may_export": permissions.may_export_statements(request.user),
            "totals": selectors.statement_totals(qs),
            # What the export would write: approved, in no batch yet, not the user's mentees'.
            "approved_count": qs.filter(
                status=BonusStatement.Status.APPROVED, payroll_batch__isnull=True
            )
            .exclude(mentorship__mentor=request.user)
            .count(),
            "note_form": forms.ApprovalNoteForm(),
            "query": _query_without_page(request),
        },
    )


@login_required
@require_POST
def bonuses_action(request):
    _require_approver(request)
    ids = [int(pk) for pk in request.POST.getlist("statement") if pk.isdigit()]
    action = request.POST.get("action")
    back = reverse("mentors:bonuses") + (
        "?" + request.POST["query"] if request.POST.get("query") else ""
    )
    if not ids:
        messages.error(request, _("Select at least one statement."))
        return redirect(back)
    if action == "approve":
        note_form = forms.ApprovalNoteForm(request.POST)
        if not note_form.is_valid():
            for error in note_form.errors.get("note", []):
                messages.error(request, _("Approval note: %(error)s") % {"error": error})
            return redirect(back)
        done, skipped, refused = services.statements_approve(
            ids=ids, user=request.user, note=note_form.cleaned_data["note"]
        )
        if done:
            messages.success(
                request,
                ngettext("%(n)s statement approved.", "%(n)s statements approved.", done)
                % {"n": done},
            )
        if skipped:
            messages.warning(
                request,
                ngettext(
                    "%(n)s statement was not approved: only final statements can be.",
                    "%(n)s statements were not approved: only final statements can be.",
                    skipped,
                )
                % {"n": skipped},
            )
    else:
        messages.error(request, _("Unknown action."))
        return redirect(back)
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(n)s statement was left for someone else: nobody decides on a statement "
                "where they are the mentor, and the approver does not also mark it paid.",
                "%(n)s statements were left for someone else: nobody decides on a statement "
                "where they are the mentor, and the approver does not also mark it paid.",
                refused,
            )
            % {"n": refused},
        )
    return redirect(back)


@login_required
@require_POST
def bonuses_export(request):
    """The approved statements matching the page's filters, as CSV or XLSX for payroll."""
    _require_approver(request)
    # Every filter of the page but the status: only approved statements are exported.
    params = request.GET.copy()
    params.pop("status", None)
    statements = filters.StatementFilter(
        params or None, queryset=selectors.statement_list(request.user)
    )
    if statements.is_bound and not statements.is_valid():
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(reverse("mentors:bonuses") + "?" + request.GET.urlencode())
    qs = statements.qs
    fmt = request.POST.get("format", "csv")
    try:
        export = services.statements_export(
            statements=qs, user=request.user, fmt=fmt, dialect=request.POST.get("dialect", "")
        )
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("mentors:bonuses")
    if export.left_out:
        messages.warning(
            request,
            ngettext(
                "%(n)s approved statement on which you are the mentor was left out of the "
                "file: another approver exports it.",
                "%(n)s approved statements on which you are the mentor were left out of the "
                "file: another approver exports them.",
                export.left_out,
            )
            % {"n": export.left_out},
        )
    return _attachment(export)


def _attachment(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


# --- Payroll batches ---------------------------------------------------------------------


@login_required
def payroll_batches(request):
    """Every payroll export: its number, who made it and when, its statements and total,
    its file to download again, and the action that marks the whole batch paid."""
    if not permissions.may_see_payroll_batches(request.user):
        raise PermissionDenied
    page = Paginator(selectors.payroll_batches_visible_to(request.user), 50).get_page(
        request.GET.get("page")
    )
    for batch in page.object_list:
        batch.may_mark_paid = permissions.may_mark_batch_paid(request.user, batch)
    return render(
        request,
        "mentors/payroll_batches.html",
        {"page_obj": page, "batches": page.object_list, "query": _query_without_page(request)},
    )


@login_required
def payroll_batch_download(request, number: int):
    """The batch's file, byte for byte the one handed to payroll."""
    if not permissions.may_see_payroll_batches(request.user):
        raise PermissionDenied
    batch = get_object_or_404(selectors.payroll_batches_visible_to(request.user), number=number)
    if not batch.filename:
        messages.error(request, _("The file of this batch was not kept (exported before batches)."))
        return redirect("mentors:payroll_batches")
    return _attachment(payroll.payroll_batch_file(batch))


@login_required
@require_POST
def payroll_batch_mark_paid(request, number: int):
    if not permissions.may_see_payroll_batches(request.user):
        raise PermissionDenied
    batch = get_object_or_404(selectors.payroll_batches_visible_to(request.user), number=number)
    try:
        batch = payroll.payroll_batch_mark_paid(batch=batch, user=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Payroll batch %(number)s marked paid: %(n)s statement.",
                "Payroll batch %(number)s marked paid: %(n)s statements.",
                batch.statement_count,
            )
            % {"number": batch.number, "n": batch.statement_count},
        )
    return redirect("mentors:payroll_batches")


# --- Mentorships (HR, head of sales) -----------------------------------------------------


def _require_assigner(request):
    if not may_assign_mentors(request.user):
        raise PermissionDenied


@login_required
def mentorships(request):
    _require_assigner(request)
    form = forms.MentorshipAssignForm()
    if request.method == "POST":
        form = forms.MentorshipAssignForm(request.POST)
        if form.is_valid():
            try:
                mentorship = services.mentorship_assign(
                    assigned_by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(mentor)s now mentors %(trainee)s.")
                    % {
                        "mentor": display_name(mentorship.mentor),
                        "trainee": display_name(mentorship.enrollment.trainee),
                    },
                )
                return redirect("mentors:mentorships")
    show = request.GET.get("show", "active")
    qs = selectors.mentorships_visible_to(request.user).select_related(
        "mentor", "enrollment__trainee", "enrollment__program", "bonus_rule", "assigned_by"
    )
    if show == "active":
        qs = qs.filter(ended_on__isnull=True)
    page = Paginator(qs.order_by("ended_on", "-started_on", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mentors/mentorships.html",
        {"form": form, "page_obj": page, "show": show, "query": _query_without_page(request)},
    )


@login_required
def mentorship_end(request, pk: int):
    _require_assigner(request)
    mentorship = get_object_or_404(
        selectors.mentorships_visible_to(request.user).select_related(
            "mentor", "enrollment__trainee"
        ),
        pk=pk,
    )
    try:
        permissions.check_end_mentorship(request.user, mentorship)
    except ValidationError as exc:  # already ended: nothing to offer
        _error_messages(request, exc)
        return redirect("mentors:mentorships")
    form = forms.MentorshipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentorship_end(mentorship=mentorship, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The mentorship was ended."))
            return redirect("mentors:mentorships")
    return render(request, "mentors/mentorship_end.html", {"form": form, "mentorship": mentorship})
