"""Pages of quizzes: the trainee's quizzes and attempts, grading, overrides and results.

Objects are fetched through scoped querysets with get_object_or_404: what a user may not
see or grade answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import coaching
from courses.models import Enrollment
from courses.selectors import current_enrollment, enrollments_visible_to
from people.names import display_name
from people.permissions import is_grader, is_trainee, may_manage_enrollments
from people.roles import Role

from . import permissions, recording_services, selectors, services
from .forms import AnswerForm, ExtraAttemptForm, GradeForm, OverrideForm, ReviewForm, RolePlayForm
from .models import Attempt, Quiz, Response


def _errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- Trainee ------------------------------------------------------------------------------


def _trainee_enrollment(request) -> Enrollment:
    enrollment = current_enrollment(request.user) if is_trainee(request.user) else None
    if enrollment is None:
        raise Http404
    return enrollment


@login_required
def my_quizzes(request):
    if not is_trainee(request.user):
        raise Http404
    enrollment = current_enrollment(request.user)
    items = selectors.my_quizzes(enrollment) if enrollment else []
    return render(
        request,
        "quizzes/my_quizzes.html",
        {"enrollment": enrollment, "items": items, "today": timezone.localdate()},
    )


@login_required
def quiz_detail(request, slug):
    """A quiz seen by the trainee: what it is, their attempts, start or resume."""
    quiz = get_object_or_404(Quiz, slug=slug)
    if not is_trainee(request.user) or current_enrollment(request.user) is None:
        if permissions.may_see_quiz_results(request.user):
            return redirect("quizzes:quiz_results", slug=slug)
        raise Http404
    enrollment = _trainee_enrollment(request)
    item = next((i for i in selectors.my_quizzes(enrollment) if i.state.quiz.pk == quiz.pk), None)
    if item is None:
        raise Http404
    n_questions = quiz.questions.non_polymorphic().count()
    shows_rubric = quiz.is_certification or quiz.is_oral
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "item": item,
            "state": item.state,
            "n_questions": n_questions,
            "session": selectors.upcoming_roleplay(enrollment, quiz),
            "rubric": selectors.quiz_rubric(quiz) if shows_rubric else [],
        },
    )


@login_required
@require_POST
def attempt_start(request, slug):
    quiz = get_object_or_404(Quiz, slug=slug)
    enrollment = _trainee_enrollment(request)
    try:
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return redirect("quizzes:quiz", slug=slug)
    return redirect("quizzes:attempt", pk=attempt.pk)


def _visible_attempt(request, pk) -> Attempt:
    return get_object_or_404(
        selectors.attempts_visible_to(request.user).select_related(
            "quiz", "enrollment__trainee", "graded_by"
        ),
        pk=pk,
    )


@login_required
def attempt_detail(request, pk):
    """The trainee's attempt: the answer sheet while in progress, else the result."""
    attempt = _visible_attempt(request, pk)
    is_owner = attempt.enrollment.trainee_id == request.user.pk
    if attempt.status == Attempt.Status.IN_PROGRESS:
        if not is_owner:
            raise Http404
        attempt = services.attempt_expire_if_due(attempt=attempt)
        if attempt.status == Attempt.Status.IN_PROGRESS:
            sheet = selectors.attempt_sheet(attempt)
            form = AnswerForm(sheet=sheet)
            return render(
                request,
                "quizzes/attempt_take.html",
                {"attempt": attempt, "sheet": sheet, "form": form, "rows": _rows(sheet, form)},
            )
        messages.warning(request, _("Time is up: your attempt was submitted."))
    show_all = attempt.status == Attempt.Status.GRADED or not is_owner
    sheet = selectors.attempt_sheet(attempt, with_history=not is_owner)
    # Instant feedback: the automatic questions' scores and feedback before the mentor grades.
    instant = (
        attempt.status == Attempt.Status.AWAITING_GRADING
        and is_owner
        and attempt.quiz.instant_feedback
    )
    reviews = selectors.attempt_reviews(attempt)
    may_review = permissions.may_review(request.user, attempt, reviews)
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "sheet": sheet,
            "is_owner": is_owner,
            "instant": instant,
            "auto_score": selectors.auto_section_score(sheet) if instant else None,
            "show_points": show_all,
            "can_override": permissions.may_override(request.user, attempt),
            "can_grade": permissions.may_grade(request.user, attempt),
            "reviews": reviews,
            "review_form": ReviewForm() if may_review else None,
            "live_recordings": selectors.live_recordings(attempt) if attempt.quiz.is_oral else [],
        },
    )


@login_required
@require_POST
def attempt_review(request, pk):
    """A director's extra control of a graded attempt: agree, or send it back with a comment."""
    if not permissions.is_director(request.user):
        raise Http404
    attempt = _visible_attempt(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("quizzes:attempt", pk=pk)
    try:
        review = services.survey_review(
            attempt=attempt,
            reviewer=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return redirect("quizzes:attempt", pk=pk)
    if review.decision == review.Decision.SENT_BACK:
        messages.success(request, _("Sent back: the grader was notified with your comment."))
    else:
        messages.success(request, _("Your agreement is recorded; the grader was notified."))
    return redirect("quizzes:attempt", pk=pk)


def _rows(sheet, form):
    return [(n, item, form.field_for(item)) for n, item in enumerate(sheet, start=1)]


def _own_open_attempt(request, pk) -> Attempt:
    return get_object_or_404(
        Attempt.objects.select_related("quiz", "enrollment").filter(
            enrollment__trainee=request.user
        ),
        pk=pk,
    )


@login_required
@require_POST
def attempt_save(request, pk):
    """Save answers as they go (the page posts the whole form; JSON for the autosave)."""
    attempt = _own_open_attempt(request, pk)
    try:
        errors = services.attempt_save_answers(
            attempt=attempt, user=request.user, data=request.POST
        )
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": _errors_text(exc)}, status=409)
        messages.warning(request, _errors_text(exc))
        return redirect("quizzes:attempt", pk=pk)
    now = timezone.localtime()
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": not errors,
                "saved_at": time_format(now, "TIME_FORMAT"),
                "errors": {f"q{k}": v for k, v in errors.errors.items()},
            }
        )
    if errors:
        for message in errors.errors.values():
            messages.error(request, message)
        return redirect("quizzes:attempt", pk=pk)
    if request.POST.get("next") == "submit":
        return redirect("quizzes:attempt_submit", pk=pk)
    messages.success(request, _("Your answers are saved. You can come back and continue later."))
    return redirect("quizzes:attempt", pk=pk)


@login_required
def attempt_submit(request, pk):
    """Ask for confirmation (listing unanswered questions), then submit."""
    attempt = _own_open_attempt(request, pk)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("quizzes:attempt", pk=pk)
    if request.method == "POST":
        try:
            services.attempt_submit(attempt=attempt, user=request.user)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
            return redirect("quizzes:attempt", pk=pk)
        attempt.refresh_from_db()
        if attempt.status == Attempt.Status.GRADED:
            messages.success(request, _("Submitted and graded."))
        else:
            messages.success(
                request,
                _("Submitted. Your mentor grades it by %(date)s; you will be notified.")
                % {"date": date_format(attempt.grading_due_on)},
            )
        return redirect("quizzes:attempt", pk=pk)
    sheet = selectors.attempt_sheet(attempt)
    unanswered = [
        (n, item) for n, item in enumerate(sheet, start=1) if item.kind and not item.is_answered
    ]
    return render(
        request,
        "quizzes/attempt_submit.html",
        {"attempt": attempt, "sheet": sheet, "unanswered": unanswered},
    )


# --- Grading ------------------------------------------------------------------------------


@login_required
def grading_queue(request):
    if not is_grader(request.user):
        raise Http404
    today = timezone.localdate()
    attempts = list(selectors.grading_queue(request.user, today=today))
    now = timezone.now()
    rows = [
        {
            "attempt": a,
            "deadline": a.grading_deadline(today),
            "holder": a.lease_holder(now),
        }
        for a in attempts
    ]
    return render(request, "quizzes/grading_queue.html", {"rows": rows, "today": today})


@login_required
def overdue_grading(request):
    if not permissions.may_see_overdue_grading(request.user):
        raise Http404
    today = timezone.localdate()
    attempts = list(selectors.overdue_grading(today=today))
    rows = [
        {
            "attempt": a,
            "days_overdue": (today - a.grading_due_on).days,
            "mentor": a.enrollment.active_mentorships[0].mentor
            if a.enrollment.active_mentorships
            else None,
        }
        for a in attempts
    ]
    return render(request, "quizzes/overdue.html", {"rows": rows, "today": today})


def _gradable_attempt(request, pk) -> Attempt:
    if not is_grader(request.user):
        raise Http404
    return get_object_or_404(
        services.attempts_for_grading(request.user).select_related(
            "quiz", "enrollment__trainee", "leased_to"
        ),
        pk=pk,
    )


@login_required
def grade(request, pk):
    """The grading page. Opening it only reads: it shows who holds the lease and never takes
    it. "Take it" or the first save takes a free lease; saving needs it (409 otherwise)."""
    attempt = _gradable_attempt(request, pk)
    if attempt.status == Attempt.Status.GRADED:
        return _already_graded(request, attempt)
    if request.method == "POST" and request.POST.get("action") == "release":
        services.attempt_lease_release(attempt=attempt, user=request.user)
        messages.info(request, _("You released the attempt; another grader can take it."))
        return redirect("quizzes:grading_queue")
    if request.method == "POST" and request.POST.get("action") == "take":
        return _take_lease(request, attempt)
    sheet = selectors.attempt_sheet(attempt, with_history=True)
    manual = [item for item in sheet if item.is_manual]
    forms = None
    status = 200
    lock_message = ""
    if request.method == "POST":
        forms = [GradeForm(request.POST, item=item, oral=attempt.quiz.is_oral) for item in manual]
        if not all(f.is_valid() for f in forms):
            status = 400
        else:
            response, lock_message = _save_grades(request, attempt, forms)
            if response is not None:
                return response
            status = 409
    return _grading_page(request, attempt, sheet, forms, status=status, lock_message=lock_message)


def _take_lease(request, attempt: Attempt):
    """The explicit "Take it": the lease for this grader, or a word about who holds it."""
    taken = services.attempt_lease_acquire(attempt=attempt, user=request.user)
    if _wants_json(request):
        return JsonResponse({"ok": taken}, status=200 if taken else 409)
    if taken:
        messages.success(
            request,
            _("You took this attempt; other graders cannot save until %(time)s.")
            % {"time": time_format(timezone.localtime(attempt.lease_expires_at))},
        )
    else:
        holder = attempt.lease_holder()
        messages.warning(request, services.GradingLockError(holder).message)
    return redirect("quizzes:grade", pk=attempt.pk)


def _already_graded(request, attempt: Attempt):
    """To the attempt's page; a grade posted meanwhile is refused with a word about who won."""
    if request.method == "POST":
        messages.warning(
            request,
            _("This attempt was already graded by %(name)s; your grade was not saved.")
            % {
                "name": display_name(attempt.graded_by)
                if attempt.graded_by
                else _("another grader")
            },
        )
    return redirect("quizzes:attempt", pk=attempt.pk)


def _save_grades(request, attempt: Attempt, forms: list[GradeForm]):
    """Save the valid forms' grades (and finish, if asked). Returns (the response to send,
    ""), or (None, the message) when the grader no longer holds the lease: the page is then
    shown again with a 409."""
    finish = request.POST.get("action") == "finish"
    try:
        services.attempt_grade(
            attempt=attempt,
            grader=request.user,
            grades={f.item.response.pk: f.grade() for f in forms},
            finish=finish,
        )
    except services.GradingLockError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": exc.message}, status=409), ""
        return None, exc.message
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        attempt.refresh_from_db()
        return redirect("quizzes:grade", pk=attempt.pk), ""
    if _wants_json(request):
        return JsonResponse({"ok": True}), ""
    if finish:
        messages.success(request, _("Graded. The trainee has been notified of the result."))
        return redirect("quizzes:attempt", pk=attempt.pk), ""
    messages.success(request, _("Saved. You can finish grading later."))
    return redirect("quizzes:grade", pk=attempt.pk), ""


def _grading_page(request, attempt: Attempt, sheet, forms, *, status: int, lock_message: str):
    """The page itself; it reads the lease and never takes it. ``forms`` are the bound forms
    of a refused save, or None for fresh ones."""
    manual = [item for item in sheet if item.is_manual]
    if status == 409:
        attempt.refresh_from_db(fields=["leased_to", "lease_expires_at", "status"])
    holds = attempt.lease_is_held_by(request.user)
    holder = None if holds else attempt.lease_holder()
    if forms is None:
        forms = [
            GradeForm(item=item, disabled=holder is not None, oral=attempt.quiz.is_oral)
            for item in manual
        ]
    # After a refused save (409) the grader's inputs stay in the bound forms, not lost.
    graded_auto = [item for item in sheet if not item.is_manual]
    live = selectors.live_recordings(attempt) if attempt.quiz.is_oral else []
    earlier = selectors.earlier_attempt_recordings(attempt) if attempt.number > 1 else []
    return render(
        request,
        "quizzes/grade.html",
        {
            "attempt": attempt,
            "rows": list(zip(manual, forms, strict=True)),
            "auto_items": graded_auto,
            "holds_lease": holds,
            "holder": holder,
            "lease_free": not holds and holder is None,
            "lock_message": lock_message,
            "lease_minutes": services.lease_minutes(),
            "today": timezone.localdate(),
            "live_recordings": live,
            "live_max_seconds": recording_services.live_max_seconds(),
            "earlier": earlier,
            "current_recordings": live + [i.recording for i in sheet if i.recording],
        },
        status=status,
    )


@login_required
def response_override(request, pk, response_pk):
    attempt = get_object_or_404(
        selectors.attempts_visible_to(request.user).select_related("quiz", "enrollment__trainee"),
        pk=pk,
    )
    if not permissions.may_override(request.user, attempt):
        raise Http404
    get_object_or_404(Response, pk=response_pk, attempt=attempt)
    sheet = selectors.attempt_sheet(attempt, with_history=True)
    item = next(i for i in sheet if i.response.pk == response_pk)
    form = OverrideForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_override(
                response=item.response,
                user=request.user,
                grade=form.grade(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors_text(exc))
        else:
            messages.success(request, _("Changed. The result was recomputed and the trainee told."))
            return redirect(reverse("quizzes:attempt", args=[pk]) + "#history")
    return render(
        request, "quizzes/override.html", {"attempt": attempt, "item": item, "form": form}
    )


# --- Staff overviews ----------------------------------------------------------------------


@login_required
def quiz_results(request, slug):
    if not permissions.may_see_quiz_results(request.user):
        raise Http404
    quiz = get_object_or_404(Quiz, slug=slug)
    attempts = list(selectors.quiz_results(request.user, quiz))
    return render(
        request,
        "quizzes/quiz_results.html",
        {
            "quiz": quiz,
            "attempts": attempts,
            "out_of_attempts": _out_of_attempts(request.user, quiz)
            if may_manage_enrollments(request.user)
            else [],
            "trainees": selectors.trainees_for_quiz(request.user, quiz),
        },
    )


def _out_of_attempts(user, quiz):
    """Enrollments that used every allowed attempt without passing: (enrollment, state) where
    the user may grant one more."""
    if quiz.max_attempts is None:
        return []
    enrollment_ids = set(selectors.quiz_results(user, quiz).values_list("enrollment_id", flat=True))
    enrollments = Enrollment.objects.open().filter(pk__in=enrollment_ids).select_related("trainee")
    result = []
    for enrollment in enrollments:
        state = selectors.quiz_state(enrollment, quiz)
        if permissions.may_grant_extra_attempt(user, state, enrollment=enrollment):
            result.append((enrollment, state))
    return result


@login_required
def extra_attempt(request, slug, enrollment_pk):
    if not may_manage_enrollments(request.user):
        raise Http404
    quiz = get_object_or_404(Quiz, slug=slug)
    enrollment = get_object_or_404(
        enrollments_visible_to(request.user).select_related("trainee"), pk=enrollment_pk
    )
    state = selectors.quiz_state(enrollment, quiz)
    form = ExtraAttemptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.extra_attempt_grant(
                enrollment=enrollment,
                quiz=quiz,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors_text(exc))
        except PermissionDenied as exc:
            if not permissions.is_own_enrollment(request.user, enrollment):
                raise Http404 from exc
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Extra attempt granted; the trainee was notified."))
            return redirect("quizzes:quiz_results", slug=slug)
    return render(
        request,
        "quizzes/extra_attempt.html",
        {
            "quiz": quiz,
            "enrollment": enrollment,
            "state": state,
            "form": form,
            # Why no attempt can be granted now (the page shows it instead of the form).
            "blocker": permissions.extra_attempt_blocker(
                state, user=request.user, enrollment=enrollment
            ),
        },
    )


@login_required
def quiz_preview(request, slug):
    """The quiz as a trainee sees it, for its authors; nothing is saved."""
    if not permissions.may_preview_quiz(request.user):
        raise Http404
    quiz = get_object_or_404(Quiz, slug=slug)
    sheet = selectors.quiz_preview(quiz)
    form = AnswerForm(sheet=sheet)
    return render(
        request,
        "quizzes/preview.html",
        {"quiz": quiz, "sheet": sheet, "form": form, "rows": _rows(sheet, form)},
    )


# --- Role-plays and oral surveys ----------------------------------------------------------


def _gradable_enrollment(request, enrollment_pk) -> Enrollment:
    enrollment = get_object_or_404(
        enrollments_visible_to(request.user).select_related("trainee", "program"),
        pk=enrollment_pk,
    )
    if not permissions.grades_enrollment(request.user, enrollment):
        raise Http404
    return enrollment


def _graders_of(enrollment):
    """Who may grade this trainee: HR, directors and the active mentor, for the form."""
    User = get_user_model()
    mentor = coaching.active_mentor_of(enrollment.pk)
    ids = set(
        User.objects.filter(is_active=True, groups__name__in=[Role.HR, Role.DIRECTOR]).values_list(
            "pk", flat=True
        )
    )
    if mentor is not None:
        ids.add(mentor.pk)
    ids.discard(enrollment.trainee_id)
    return User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username")


@login_required
def roleplay_schedule(request, slug, enrollment_pk):
    """Book or move a trainee's role-play: date and time, place, grader."""
    quiz = get_object_or_404(Quiz, slug=slug)
    enrollment = _gradable_enrollment(request, enrollment_pk)
    session = selectors.upcoming_roleplay(enrollment, quiz)
    initial = (
        {
            "scheduled_at": timezone.localtime(session.scheduled_at),
            "place": session.place,
            "grader": session.grader,
        }
        if session
        else {"grader": coaching.active_mentor_of(enrollment.pk)}
    )
    form = RolePlayForm(request.POST or None, initial=initial, graders=_graders_of(enrollment))
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "cancel" and session is not None:
            try:
                services.roleplay_cancel(session=session, user=request.user)
            except ValidationError as exc:
                messages.error(request, _errors_text(exc))
            else:
                messages.success(request, _("The role-play is cancelled; both were notified."))
            return redirect("quizzes:quiz_results", slug=slug)
        if form.is_valid():
            try:
                services.roleplay_schedule(
                    enrollment=enrollment, quiz=quiz, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(
                    request, _("The role-play is booked; the trainee and the grader were told.")
                )
                return redirect("quizzes:quiz_results", slug=slug)
        status = 400
    return render(
        request,
        "quizzes/roleplay_schedule.html",
        {
            "quiz": quiz,
            "enrollment": enrollment,
            "session": session,
            "form": form,
            "state": selectors.quiz_state(enrollment, quiz),
        },
        status=status,
    )


@login_required
@require_POST
def oral_start(request, slug, enrollment_pk):
    """Start an oral survey with the trainee and go to its grading page."""
    quiz = get_object_or_404(Quiz, slug=slug)
    enrollment = _gradable_enrollment(request, enrollment_pk)
    try:
        attempt = services.oral_attempt_start(enrollment=enrollment, quiz=quiz, grader=request.user)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
        return redirect("quizzes:quiz_results", slug=slug)
    return redirect("quizzes:grade", pk=attempt.pk)
