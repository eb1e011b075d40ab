"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format).

Read: ``category`` entries, multichoice, truefalse, shortanswer, numerical and essay questions
with their name, text (html, markdown, plain or Moodle's auto format), general feedback,
default grade, per-answer fraction and feedback, and embedded files (``<file
encoding="base64">`` and Moodle 1.9's ``<image_base64>``). Other types are reported as
skipped. Parsed with defusedxml: no entity expansion, no external entities.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import (
    ESSAY,
    MULTICHOICE,
    NUMERICAL,
    PLUGINFILE,
    SHORTANSWER,
    TRUEFALSE,
    ParsedAnswer,
    ParsedFile,
    ParsedQuestion,
    ParseResult,
    Skipped,
    WriteResult,
    category_path,
    category_text,
    number,
    text_to_html,
    to_plain,
)

TYPE_NAMES = {
    "matching": gettext_lazy("matching"),
    "cloze": gettext_lazy("cloze (embedded answers)"),
    "multianswer": gettext_lazy("cloze (embedded answers)"),
    "description": gettext_lazy("description"),
    "calculated": gettext_lazy("calculated"),
    "calculatedsimple": gettext_lazy("simple calculated"),
    "calculatedmulti": gettext_lazy("calculated multichoice"),
    "ddwtos": gettext_lazy("drag and drop into text"),
    "ddimageortext": gettext_lazy("drag and drop onto image"),
    "ddmarker": gettext_lazy("drag and drop markers"),
    "gapselect": gettext_lazy("select missing words"),
    "randomsamatch": gettext_lazy("random short-answer matching"),
}
DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.S)


class _Skip(Exception):
    pass


def _text(node: Element | None, path: str = "text") -> str:
    if node is None:
        return ""
    child = node.find(path)
    if child is None:
        return "" if path else (node.text or "")
    return child.text or ""


def _files(node: Element | None) -> list[ParsedFile]:
    files = []
    if node is None:
        return files
    for f in node.findall("file"):
        name = (f.get("name") or "").strip()
        try:
            content = base64.b64decode("".join((f.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            continue
        if name:
            files.append(ParsedFile(name=name, content=content))
    return files


def _formatted(node: Element | None, notes: list[str], default: str = "html") -> str:
    if node is None:
        return ""
    return to_plain(_text(node), node.get("format") or default, notes)


def parse(text: str) -> ParseResult:
    result = ParseResult()
    try:
        root = fromstring(DECLARATION.sub("", text, count=1).strip())
    except (ParseError, DefusedXmlException) as exc:
        result.skipped.append(
            Skipped(
                source=_("file"), name="", reason=_("Not valid XML: %(error)s") % {"error": exc}
            )
        )
        return result
    if root.tag != "quiz":
        result.skipped.append(
            Skipped(source=_("file"), name="", reason=_("The file has no <quiz> element."))
        )
        return result
    category: tuple[str, ...] = ()
    for n, node in enumerate(root.findall("question"), start=1):
        source = _("question %(n)s") % {"n": n}
        qtype = (node.get("type") or "").strip().lower()
        if qtype == "category":
            cat = node.find("category")
            value = (
                _text(cat)
                if cat is not None and cat.find("text") is not None
                else ((cat.text or "") if cat is not None else "")
            )
            category = category_path(value)
            result.categories.append(category)
            continue
        name = _text(node.find("name")).strip()
        try:
            question = _question(node, qtype, source, name)
        except _Skip as skip:
            result.skipped.append(Skipped(source=source, name=name, reason=str(skip)))
            continue
        question.category = category
        result.questions.append(question)
    return result


def _decimal(value: str | None, default: Decimal) -> Decimal:
    try:
        return Decimal((value or "").strip()) if (value or "").strip() else default
    except InvalidOperation:
        return default


def _question(node: Element, qtype: str, source: str, name: str) -> ParsedQuestion:
    if qtype not in {MULTICHOICE, TRUEFALSE, SHORTANSWER, NUMERICAL, ESSAY}:
        label = str(TYPE_NAMES.get(qtype, qtype or "?"))
        raise _Skip(
            _("Questions of type “%(type)s” are not supported by the question bank.")
            % {"type": label}
        )
    notes: list[str] = []
    text = _formatted(node.find("questiontext"), notes)
    files = _question_files(node, notes)
    if not text:
        raise _Skip(_("The question has no text."))
    q = ParsedQuestion(kind=qtype, text=text, name=name, source=source, notes=notes, files=files)
    q.general_feedback = _formatted(node.find("generalfeedback"), notes)
    q.points = _decimal(node.findtext("defaultgrade"), Decimal(1))
    q.tags = _tags(node)
    answers = []
    for a in node.findall("answer"):
        answer_text = to_plain(_text(a), a.get("format") or "moodle_auto_format", notes)
        answers.append(
            (
                a,
                ParsedAnswer(
                    answer_text,
                    _decimal(a.get("fraction"), Decimal(0)),
                    _formatted(a.find("feedback"), notes),
                ),
            )
        )
    READERS[qtype](q, node, answers)
    return q


def _tags(node: Element) -> list[str]:
    """The question's ``<tags><tag><text>…</text></tag></tags>``, each once, in order."""
    found = []
    for tag in node.findall("tags/tag"):
        name = " ".join((tag.findtext("text") or "").split())
        if name and name not in found:
            found.append(name)
    return found


def _read_multichoice(q: ParsedQuestion, node: Element, answers) -> None:
    q.single = (node.findtext("single") or "true").strip().lower() in {"true", "1"}
    q.answers = [a for _node, a in answers]
    if len(q.answers) < 2:
        raise _Skip(_("A multiple-choice question needs at least two answers."))
    if not any(a.fraction > 0 for a in q.answers):
        raise _Skip(_("No answer earns points."))


def _read_truefalse(q: ParsedQuestion, node: Element, answers) -> None:
    for _node, a in answers:
        is_true = a.text.strip().lower() == "true"
        if is_true:
            q.feedback_true = a.feedback
        else:
            q.feedback_false = a.feedback
        if a.fraction == 100:
            q.correct = is_true
    if q.correct is None:
        raise _Skip(_("Neither True nor False is marked as the right answer."))


def _read_shortanswer(q: ParsedQuestion, node: Element, answers) -> None:
    q.case_sensitive = (node.findtext("usecase") or "0").strip() in {"1", "true"}
    q.answers = [a for _node, a in answers if a.text]
    if not q.answers:
        raise _Skip(_("The short-answer question has no accepted answers."))


def _read_numerical(q: ParsedQuestion, node: Element, answers) -> None:
    best = None
    for a_node, a in answers:
        if a.text.strip() == "*":
            continue
        value = _decimal(a.text, None)
        if value is None:
            raise _Skip(_("%(answer)s is not a number.") % {"answer": a.text})
        tolerance = abs(_decimal(a_node.findtext("tolerance"), Decimal(0)))
        if a.fraction == 100 and best is None:
            best = (value, tolerance, a.feedback)
        elif a.fraction > 0:
            q.notes.append(
                _(
                    "The %(fraction)s %% answer %(answer)s was left out: numeric questions "
                    "score all or nothing."
                )
                % {"fraction": number(a.fraction), "answer": a.text}
            )
    if best is None:
        raise _Skip(_("The numeric question has no fully correct answer."))
    q.value, q.tolerance, feedback = best
    if feedback and not q.general_feedback:
        q.general_feedback = feedback
    unit = node.find("units/unit")
    if unit is not None:
        q.unit = (unit.findtext("unit_name") or "").strip()


def _read_essay(q: ParsedQuestion, node: Element, answers) -> None:
    q.grader_info = _formatted(node.find("graderinfo"), q.notes)


READERS = {
    MULTICHOICE: _read_multichoice,
    TRUEFALSE: _read_truefalse,
    SHORTANSWER: _read_shortanswer,
    NUMERICAL: _read_numerical,
    ESSAY: _read_essay,
}


def _question_files(node: Element, notes: list[str]) -> list[ParsedFile]:
    files = _files(node.find("questiontext"))
    old_image = node.find("image_base64")
    if old_image is not None and (old_image.text or "").strip():
        image_name = (node.findtext("image") or "image.png").strip().rsplit("/", 1)[-1]
        try:
            files.append(ParsedFile(image_name, base64.b64decode("".join(old_image.text.split()))))
        except (binascii.Error, ValueError):
            notes.append(_("The embedded image could not be read."))
    for f in _files(node.find("generalfeedback")):
        notes.append(_("The file %(name)s in the feedback was not kept.") % {"name": f.name})
    return files


# --- Writing -----------------------------------------------------------------------------


def _text_el(parent: Element, tag: str, value: str, fmt: str | None = "plain_text") -> Element:
    el = SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    SubElement(el, "text").text = value
    return el


def _answers_of(q: ParsedQuestion, el: Element) -> list[tuple[str, Decimal, str]]:
    """(text, fraction, feedback) per answer, writing the type's own settings on the way."""
    if q.kind == MULTICHOICE:
        SubElement(el, "single").text = "true" if q.single else "false"
        SubElement(el, "shuffleanswers").text = "true"
        SubElement(el, "answernumbering").text = "abc"
        return [(a.text, a.fraction, a.feedback) for a in q.answers]
    if q.kind == TRUEFALSE:
        return [
            ("true", Decimal(100 if q.correct else 0), q.feedback_true),
            ("false", Decimal(0 if q.correct else 100), q.feedback_false),
        ]
    if q.kind == SHORTANSWER:
        SubElement(el, "usecase").text = "1" if q.case_sensitive else "0"
        return [(a.text, a.fraction, a.feedback) for a in q.answers]
    if q.kind == NUMERICAL:
        return [(number(q.value), Decimal(100), "")]
    return []


def write(questions: list[ParsedQuestion]) -> WriteResult:
    root = Element("quiz")
    category = None
    for q in questions:
        if q.category and q.category != category:
            cat = SubElement(root, "question", type="category")
            SubElement(SubElement(cat, "category"), "text").text = category_text(q.category)
            category = q.category
        el = SubElement(root, "question", type=q.kind)
        SubElement(SubElement(el, "name"), "text").text = q.name or q.label
        if q.files:
            html = text_to_html(q.text) + "".join(
                f'<br><img src="{PLUGINFILE}{f.name}" alt="">' for f in q.files
            )
            qt = _text_el(el, "questiontext", html, "html")
            for f in q.files:
                fe = SubElement(qt, "file", name=f.name, path="/", encoding="base64")
                fe.text = base64.b64encode(f.content).decode("ascii")
        else:
            _text_el(el, "questiontext", q.text)
        _text_el(el, "generalfeedback", q.general_feedback)
        SubElement(el, "defaultgrade").text = number(q.points)
        SubElement(el, "penalty").text = "0"
        SubElement(el, "hidden").text = "0"
        answers = _answers_of(q, el)
        for a_text, fraction, feedback in answers:
            a_el = SubElement(el, "answer", fraction=number(fraction), format="plain_text")
            SubElement(a_el, "text").text = a_text
            _text_el(a_el, "feedback", feedback)
            if q.kind == NUMERICAL:
                SubElement(a_el, "tolerance").text = number(q.tolerance)
        if q.kind == NUMERICAL and q.unit:
            unit = SubElement(SubElement(el, "units"), "unit")
            SubElement(unit, "multiplier").text = "1"
            SubElement(unit, "unit_name").text = q.unit
        if q.kind == ESSAY:
            SubElement(el, "responseformat").text = "editor"
            _text_el(el, "graderinfo", q.grader_info)
        _write_tags(el, q.tags)
    indent(root)
    body = tostring(root, encoding="unicode")
    return WriteResult(text='<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")


def _write_tags(el: Element, tags: list[str]) -> None:
    if tags:
        tags_el = SubElement(el, "tags")
        for name in tags:
            SubElement(SubElement(tags_el, "tag"), "text").text = name
