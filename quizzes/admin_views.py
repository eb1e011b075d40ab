"""Wagtail admin pages for the question bank: import with a preview (nothing is saved until
"Import"), and export to GIFT, Aiken or Moodle XML. Registered in wagtail_hooks.py."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.auth import permission_denied

from .formats import FORMATS
from .forms import QuestionExportForm, QuestionImportConfirmForm, QuestionImportForm
from .permissions import may_export_questions, may_import_questions
from .question_bank import BankError, questions_export, questions_import, questions_parse

EXTENSIONS = {"gift": "gift.txt", "aiken": "aiken.txt", "moodle-xml": "xml"}


def _preview_rows(parsed, report):
    """Each parsed question beside its report line (created or skipped, and why)."""
    lines = {line.source: line for line in report.lines if line.created or line.reason}
    rows = []
    for q in parsed.questions:
        line = lines.get(q.source)
        rows.append({"question": q, "line": line, "ok": line is None or line.created})
    return rows


def question_import(request):
    if not may_import_questions(request.user):
        return permission_denied(request)
    context = {"header_title": _("Import questions"), "page_title": _("Import questions")}
    context["header_icon"] = "upload"
    if request.method == "POST" and "payload" in request.POST:
        return _confirm(request, context)
    quiz_id = request.GET.get("quiz", "")
    form = QuestionImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"quiz": int(quiz_id)} if quiz_id.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            parsed = questions_parse(
                data=data,
                fmt=form.cleaned_data["format"],
                encoding=form.cleaned_data["encoding"] or None,
            )
            report = questions_import(
                parsed=parsed, category=form.cleaned_data["category"], dry_run=True
            )
        except BankError as exc:
            form.add_error("file", str(exc))
        else:
            quiz = form.cleaned_data["quiz"]
            confirm = QuestionImportConfirmForm(
                initial={
                    "payload": base64.b64encode(data).decode("ascii"),
                    "format": form.cleaned_data["format"],
                    "category": form.cleaned_data["category"],
                    "quiz": quiz.pk if quiz else "",
                    "encoding": form.cleaned_data["encoding"],
                }
            )
            context.update(
                rows=_preview_rows(parsed, report),
                skipped=report.skipped,
                report=report,
                confirm=confirm,
                category=form.cleaned_data["category"],
                quiz=quiz,
                format_label=FORMATS[form.cleaned_data["format"]],
            )
            return TemplateResponse(request, "quizzes/admin/import_preview.html", context)
    context["form"] = form
    return TemplateResponse(request, "quizzes/admin/import.html", context)


def _confirm(request, context):
    confirm = QuestionImportConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, _("The import could not be confirmed; upload the file again."))
        return redirect("quizzes_question_import")
    data = confirm.cleaned_data
    try:
        parsed = questions_parse(
            data=data["payload"], fmt=data["format"], encoding=data["encoding"] or None
        )
        report = questions_import(parsed=parsed, category=data["category"], quiz=data["quiz"])
    except BankError as exc:
        messages.error(request, str(exc))
        return redirect("quizzes_question_import")
    created, skipped = len(report.created), len(report.skipped)
    messages.success(
        request,
        ngettext(
            "%(n)s question imported into %(category)s.",
            "%(n)s questions imported into %(category)s.",
            created,
        )
        % {"n": created, "category": data["category"]},
    )
    if skipped:
        messages.warning(
            request,
            ngettext("%(n)s question was skipped.", "%(n)s questions were skipped.", skipped)
            % {"n": skipped},
        )
    context.update(report=report, category=data["category"], quiz=data["quiz"])
    if data["quiz"] is not None:
        context["quiz_url"] = reverse(
            data["quiz"].snippet_viewset.get_url_name("edit"), args=[data["quiz"].pk]
        )
    return TemplateResponse(request, "quizzes/admin/import_done.html", context)


def question_export(request):
    if not may_export_questions(request.user):
        return permission_denied(request)
    form = QuestionExportForm(request.GET or None)
    if request.GET and form.is_valid():
        quiz, category = form.cleaned_data["quiz"], form.cleaned_data["category"]
        fmt = form.cleaned_data["format"]
        result = questions_export(fmt=fmt, quiz=quiz, category=category)
        name = slugify(quiz.slug if quiz else category.name) or "questions"
        content_type = "application/xml" if fmt == "moodle-xml" else "text/plain"
        response = HttpResponse(result.text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS[fmt]}"'
        if result.skipped:
            response["X-Skipped-Questions"] = str(len(result.skipped))
        return response
    context = {
        "form": form,
        "header_title": _("Export questions"),
        "page_title": _("Export questions"),
        "header_icon": "download",
        "import_url": reverse("quizzes_question_import"),
    }
    return TemplateResponse(request, "quizzes/admin/export.html", context)
