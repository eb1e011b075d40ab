"""How the program's Wagtail pages are served: who may see them, and what each person sees.

A stage is visible to the enrolled trainee once it is available, to the trainee's active
mentor, to HR, the head of sales, directors and editors. A trainee's locked stage shows its
title and what unlocks it, not its content. Everyone else gets 404; anonymous visitors are sent
to the login page.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.template.response import TemplateResponse

from . import forms, permissions, selectors, translations
from .models import ProgramPage


def _access_or_404(request, program):
    if not request.user.is_authenticated:
        return None
    access = selectors.program_access(
        request.user, program, preview=getattr(request, "is_preview", False)
    )
    if not access.allowed:
        raise Http404
    return access


def _subject(request, access, program):
    """Whose progress the page shows: ``?enrollment=`` (if visible) or the user's own."""
    asked = request.GET.get("enrollment")
    if asked:
        enrollment = selectors.enrollment_in_program_or_none(request.user, program, asked)
        if enrollment is None:
            raise Http404
        return enrollment
    return access.own


def _base_context(request, page, access, subject):
    context = page.get_context(request)
    context["original"] = page
    context.update(
        access=access,
        enrollment=subject,
        is_own=subject is not None and subject.trainee_id == request.user.pk,
        picker=(
            selectors.viewable_enrollments_in_program(request.user, _program_of(page))
            if (access.staff or access.mentor) and _program_of(page) is not None
            else None
        ),
    )
    return context


def _program_of(page):
    if isinstance(page, ProgramPage):
        return page if page.pk else None
    parent = getattr(page, "_program", None)
    if parent is None:
        parent = page.get_parent().specific if page.pk else None
        page._program = parent
    return parent


def _language(request) -> str | None:
    """The language to show the pages in: the reader's; none in an editor's preview, which
    shows the page being edited, in its own language."""
    if getattr(request, "is_preview", False):
        return None
    return translations.reader_language()


def _show(context, shown_page):
    """The page in the reader's language (courses/translations.py) for the template: same id
    and address as the page served, the translation's words when there is one."""
    context["page"] = context["self"] = shown_page


def serve_program(request, page):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access = _access_or_404(request, page)
    subject = _subject(request, access, page) if page.pk else None
    context = _base_context(request, page, access, subject)
    overview = context["overview"] = selectors.overview(subject) if subject else None
    if overview is not None:  # the overview read the program's pages already
        context["stages"] = [view.stage for view in overview.stages]
        context["job_description"] = overview.job_description
        _show(context, subject.program)
    elif page.pk:
        pages = selectors.program_pages(page, language=_language(request))
        context["stages"] = pages.stages
        context["job_description"] = pages.job_description
        _show(context, pages.program)
    else:
        context["stages"] = []
        context["job_description"] = None
    return TemplateResponse(request, page.get_template(request), context)


def serve_stage(request, page):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    program = _program_of(page)
    access = _access_or_404(request, program)
    subject = _subject(request, access, program) if program is not None else None
    context = _base_context(request, page, access, subject)
    stage_view = previous = None
    overview = None
    if subject is not None and page.pk:
        overview = selectors.overview(subject, with_ticks=True)
        for i, view in enumerate(overview.stages):
            if view.stage.pk == page.pk:
                stage_view = view
                previous = overview.stages[i - 1].stage if i > 0 else None
        if stage_view is None:  # an unpublished stage previewed by an editor
            raise Http404
    _show(
        context,
        stage_view.stage
        if stage_view is not None
        else translations.in_reader_language(page, _language(request)),
    )
    locked = stage_view is not None and stage_view.is_locked
    if locked and not (access.staff or access.mentor):
        context.update(stage_view=stage_view, previous=previous, locked=True)
        return TemplateResponse(request, "courses/stage_locked.html", context)
    mentor = selectors.active_mentor_contact(subject) if subject else None
    context.update(
        overview=overview,
        stage_view=stage_view,
        previous=previous,
        locked=locked,
        mentor=mentor,
        is_last_stage=overview is not None and overview.stages[-1].stage.pk == page.pk,
        checklist_states=(
            selectors.checklist_states(
                user=request.user,
                enrollment=subject,
                stage=stage_view.stage,
                progress=stage_view.progress,
                mentor_name=mentor.name if mentor else "",
                ticks=overview.ticks,
            )
            if stage_view is not None
            else {}
        ),
    )
    if context["is_last_stage"] and permissions.may_sign_off(
        request.user, subject, overview=overview
    ):
        context["sign_off_form"] = forms.ReadinessSignOffForm()
    return TemplateResponse(request, page.get_template(request), context)


def _own_page(request, access, subject) -> bool:
    """A trainee's own stage: all it shows is theirs and the program's. Staff and mentors'
    pages list trainees (the picker) and are not kept."""
    return (
        subject is not None
        and subject.trainee_id == request.user.pk
        and not (access.staff or access.mentor)
        and not getattr(request, "is_preview", False)
    )


def serve_job_description(request, page):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    program = _program_of(page)
    access = _access_or_404(request, program)
    subject = _subject(request, access, program) if program is not None else None
    context = _base_context(request, page, access, subject)
    _show(context, translations.in_reader_language(page, _language(request)))
    signed_current = last = None
    if subject is not None and page.pk:
        signed_current = selectors.has_signed_current(subject, page)
        last = selectors.last_signature(subject, page)
    needs_resign = last is not None and not signed_current
    context.update(
        signed_current=signed_current,
        last_signature=last,
        needs_resign=needs_resign,
        current_version=selectors.current_version(page) if page.pk else None,
        # What changed since the trainee signed: HR's words for each new version, and the
        # sections' words removed and added.
        new_versions=selectors.changes_since_signed(subject, page) if needs_resign else [],
        section_changes=selectors.section_changes(subject, page) if needs_resign else [],
        can_sign=(
            subject is not None
            and not signed_current
            and permissions.may_sign_job_description(request.user, subject, page)
        ),
    )
    return TemplateResponse(request, page.get_template(request), context)
