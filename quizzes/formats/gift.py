"""GIFT, Moodle's plain-text question format (https://docs.moodle.org/en/GIFT_format).

Supported: multiple choice (one right answer, or several with ``%weight%``), true/false,
short answer, numeric (``#value:tolerance`` and ``#min..max``), essay (``{}``), the
"missing word" form (text after the braces), ``::name::``, ``[html]``/``[markdown]``/
``[plain]``/``[moodle]`` text formats, ``#feedback``, ``####general feedback``, ``//``
comments, the ``\\`` escapes and ``$CATEGORY:``. Matching questions are reported as skipped.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from . import (
    ESSAY,
    MULTICHOICE,
    NUMERICAL,
    SHORTANSWER,
    TRUEFALSE,
    ParsedAnswer,
    ParsedQuestion,
    ParseResult,
    Skipped,
    WriteResult,
    category_path,
    number,
    shorten,
    to_plain,
)

# Escaped special characters are swapped for private-use code points while parsing.
ESCAPES = {
    "\\\\": "\ue000",
    "\\:": "\ue001",
    "\\#": "\ue002",
    "\\=": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\~": "\ue006",
    "\\n": "\ue007",
}
RESTORE = {v: k[1] for k, v in ESCAPES.items()}
RESTORE["\ue007"] = "\n"
FORMAT_MARK = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def _protect(text: str) -> str:
    for raw, mark in ESCAPES.items():
        text = text.replace(raw, mark)
    return text


def _restore(text: str) -> str:
    for mark, char in RESTORE.items():
        text = text.replace(mark, char)
    return text


def _formatted(text: str, default: str, notes: list[str]) -> str:
    """Text with an optional [format] mark -> plain text."""
    match = FORMAT_MARK.match(text)
    fmt = default
    if match:
        fmt = match.group(1).lower()
        text = text[match.end() :]
    return to_plain(_restore(text).strip(), fmt, notes)


def _blocks(text: str):
    """(first line number, block text) per question: blank lines separate questions; lines
    starting with // are comments."""
    block, start = [], 0
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if block:
                yield start, "\n".join(block)
                block = []
            continue
        if not block:
            start = n
        block.append(line)
    if block:
        yield start, "\n".join(block)


def parse(text: str) -> ParseResult:
    result = ParseResult()
    category: tuple[str, ...] = ()
    for line_no, raw in _blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        source = _("line %(n)s") % {"n": line_no}
        stripped = raw.strip()
        if stripped.startswith("$CATEGORY:"):
            category = category_path(stripped[len("$CATEGORY:") :].strip())
            result.categories.append(category)
            continue
        try:
            question = _parse_question(_protect(stripped), source)
        except _Skip as skip:
            name = (
                skip.name or _restore(stripped[2:].split("::", 1)[0])
                if stripped.startswith("::")
                else skip.name or shorten(_restore(stripped).split("{", 1)[0])
            )
            result.skipped.append(Skipped(source=source, name=name, reason=skip.reason))
            continue
        question.category = category
        result.questions.append(question)
    return result


class _Skip(Exception):
    def __init__(self, reason: str, name: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.name = name


def _split_name(block: str) -> tuple[str, str]:
    if not block.startswith("::"):
        return "", block
    end = block.find("::", 2)
    if end == -1:
        raise _Skip(_("The question name is not closed with ::."))
    return _restore(block[2:end]).strip(), block[end + 2 :].strip()


def _parse_question(block: str, source: str) -> ParsedQuestion:
    name, block = _split_name(block)
    start = block.find("{")
    end = block.rfind("}")
    if start == -1 or end < start:
        raise _Skip(_("No answer block in braces { }."), name)
    notes: list[str] = []
    match = FORMAT_MARK.match(block)
    default_format = match.group(1).lower() if match else "moodle"
    before, answer_text, after = block[:start], block[start + 1 : end].strip(), block[end + 1 :]
    question_text = _formatted(before, "moodle", notes)
    if re.search(r"\w", after):
        question_text = f"{question_text} _____ {_formatted(after, default_format, notes)}"
    if not question_text:
        raise _Skip(_("The question has no text."), name)
    question = ParsedQuestion(kind=ESSAY, text=question_text, name=name, source=source, notes=notes)
    general = ""
    if "####" in answer_text:
        answer_text, general = answer_text.split("####", 1)
        answer_text = answer_text.strip()
    question.general_feedback = _formatted(general, default_format, notes)

    def fmt(value: str) -> str:
        return _formatted(value, default_format, notes)

    if not answer_text:
        return question  # {}: an essay
    if answer_text.startswith("#"):
        return _numerical(question, answer_text[1:], fmt)
    head = answer_text.split("#", 1)[0].strip().upper()
    if head in {"T", "TRUE", "F", "FALSE"} and not re.search(r"[=~]", answer_text):
        return _true_false(question, head, answer_text, fmt)
    return _choices(question, _answers(answer_text, fmt))


def _true_false(question: ParsedQuestion, head: str, answer_text: str, fmt) -> ParsedQuestion:
    """{TRUE#feedback when wrong#feedback when right}."""
    bits = [*answer_text.split("#", 2), "", ""]
    wrong, right = fmt(bits[1]), fmt(bits[2])
    question.kind = TRUEFALSE
    question.correct = head in {"T", "TRUE"}
    if question.correct:
        question.feedback_true, question.feedback_false = right, wrong
    else:
        question.feedback_true, question.feedback_false = wrong, right
    return question


def _choices(question: ParsedQuestion, answers) -> ParsedQuestion:
    """Multiple choice when some answer starts with ~, short answer when all start with =."""
    name = question.name
    if not answers:
        raise _Skip(_("The answer block holds no answers."), name)
    if any("->" in a_text for _mark, a_text, _feedback, _weight in answers):
        raise _Skip(_("Matching questions are not supported by the question bank."), name)
    marks = {mark for mark, _t, _f, _w in answers}
    if "~" not in marks:
        question.kind = SHORTANSWER
        for _mark, a_text, feedback, weight in answers:
            fraction = weight if weight is not None else Decimal(100)
            question.answers.append(ParsedAnswer(a_text, fraction, feedback))
        return question
    question.kind = MULTICHOICE
    question.single = "=" in marks
    for mark, a_text, feedback, weight in answers:
        fraction = weight if weight is not None else Decimal(100 if mark == "=" else 0)
        question.answers.append(ParsedAnswer(a_text, fraction, feedback))
    if len(question.answers) < 2:
        raise _Skip(_("A multiple-choice question needs at least two answers."), name)
    if not any(a.fraction > 0 for a in question.answers):
        raise _Skip(_("No answer earns points."), name)
    return question


def _answers(answer_text: str, fmt):
    """[(mark, text, feedback, weight or None)] from "=a#fb ~%50%b"."""
    pieces = re.split(r"(?=[=~])", answer_text)
    result = []
    for piece in pieces:
        piece = piece.strip()
        if not piece or piece[0] not in "=~":
            if piece:
                raise _Skip(_("Answers must start with = or ~."))
            continue
        mark, body = piece[0], piece[1:].strip()
        weight = None
        match = WEIGHT.match(body)
        if match:
            weight = Decimal(match.group(1))
            body = body[match.end() :]
        body, _sep, feedback = body.partition("#")
        result.append((mark, fmt(body), fmt(feedback), weight))
    return result


def _numerical(question: ParsedQuestion, answer_text: str, fmt) -> ParsedQuestion:
    question.kind = NUMERICAL
    answer_text = answer_text.strip()
    if answer_text[:1] not in {"=", "~"} and re.search(r"[=~]", answer_text):
        answer_text = "=" + answer_text  # "#3:2 ~#wrong": the first answer is the right one
    if answer_text[:1] in {"=", "~"}:
        entries = [
            (mark, body, feedback, weight)
            for mark, body, feedback, weight in _answers(answer_text, lambda v: v)
        ]
    else:
        body, _sep, feedback = answer_text.partition("#")
        entries = [("=", body, feedback, None)]
    best = None
    for mark, body, feedback, weight in entries:
        fraction = weight if weight is not None else (Decimal(100) if mark == "=" else Decimal(0))
        body = _restore(body).strip()
        if not body:
            continue  # "~#feedback": the wrong-answer feedback
        value, tolerance = _number_range(body)
        if fraction == 100 and best is None:
            best = (value, tolerance, fmt(feedback))
        elif fraction > 0:
            question.notes.append(
                _(
                    "The %(fraction)s %% answer %(answer)s was left out: numeric questions score "
                    "all or nothing."
                )
                % {"fraction": number(fraction), "answer": body}
            )
    if best is None:
        raise _Skip(_("The numeric question has no fully correct answer."), question.name)

    question.value, question.tolerance, feedback = best
    if feedback and not question.general_feedback:
        question.general_feedback = feedback
    return question


def _number_range(body: str) -> tuple[Decimal, Decimal]:
    try:
        if ".." in body:
            low, high = (Decimal(p.strip()) for p in body.split("..", 1))
            low, high = min(low, high), max(low, high)
            return (low + high) / 2, (high - low) / 2
        if ":" in body:
            value, tolerance = body.split(":", 1)
            return Decimal(value.strip()), abs(Decimal(tolerance.strip()))
        return Decimal(body), Decimal(0)
    except InvalidOperation as exc:
        raise _Skip(_("%(answer)s is not a number.") % {"answer": _restore(body)}) from exc


# --- Writing -----------------------------------------------------------------------------

SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text).replace("\n", "\\n")


def _answer_line(mark: str, answer: ParsedAnswer, weight: bool) -> str:
    line = f"\t{mark}"
    if weight:
        line += f"%{number(answer.fraction)}%"
    line += escape(answer.text)
    if answer.feedback:
        line += f"#{escape(answer.feedback)}"
    return line


def write(questions: list[ParsedQuestion]) -> WriteResult:
    out: list[str] = []
    category = None
    for q in questions:
        if q.category != category and q.category:
            out.append(f"$CATEGORY: $course$/top/{'/'.join(q.category)}\n")
            category = q.category
        head = f"::{escape(q.name)}::" if q.name else ""
        head += escape(q.text)
        general = f"\t####{escape(q.general_feedback)}" if q.general_feedback else ""
        if q.kind == ESSAY:
            body = "{" + (general.strip() and f"\n{general}\n") + "}"
        elif q.kind == TRUEFALSE:
            if q.correct:
                right, wrong = q.feedback_true, q.feedback_false
            else:
                right, wrong = q.feedback_false, q.feedback_true
            body = "{" + ("TRUE" if q.correct else "FALSE")
            if wrong or right:
                body += f"#{escape(wrong)}#{escape(right)}"
            body += (f"\n{general}\n" if general else "") + "}"
        elif q.kind == NUMERICAL:
            body = "{#" + number(q.value) + (f":{number(q.tolerance)}" if q.tolerance else "")
            body += (f"\n{general}\n" if general else "") + "}"
        elif q.kind == MULTICHOICE:
            simple = q.single and all(a.fraction in (0, 100) for a in q.answers)
            lines = [
                _answer_line("=" if simple and a.fraction == 100 else "~", a, not simple)
                for a in q.answers
            ]
            body = "{\n" + "\n".join(lines) + (f"\n{general}" if general else "") + "\n}"
        elif q.kind == SHORTANSWER:
            lines = [_answer_line("=", a, a.fraction != 100) for a in q.answers]
            body = "{\n" + "\n".join(lines) + (f"\n{general}" if general else "") + "\n}"
        else:  # pragma: no cover - every bank kind is listed above
            continue
        out.append(f"// {shorten(q.label)}\n{head}{body}\n")
    return WriteResult(text="\n".join(out))
