"""Aiken: single-answer multiple choice only (https://docs.moodle.org/en/Aiken_format).

    What is the capital of France?
    A) Paris
    B) Lyon
    ANSWER: A

The question text may span several lines; options are ``A)`` or ``A.`` (a space after it is
optional); ``ANSWER:`` names the right letter and ends the question.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from . import MULTICHOICE, ParsedAnswer, ParsedQuestion, ParseResult, Skipped, WriteResult

OPTION = re.compile(r"^([A-Z])[).]\s*(.*)$")
ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.I)


class _Reader:
    def __init__(self):
        self.result = ParseResult()
        self.lines: list[str] = []  # the current question's text lines
        self.options: list[tuple[str, str]] = []
        self.start = 0

    def skip(self, reason: str, line_no: int, name: str | None = None):
        self.result.skipped.append(
            Skipped(
                source=_("line %(n)s") % {"n": line_no},
                name=(" ".join(self.lines) if name is None else name)[:80],
                reason=reason,
            )
        )

    def answer(self, letter: str, n: int):
        letter = letter.strip().upper()
        if not self.lines:
            self.skip(_("An ANSWER line without a question before it."), n)
        elif len(self.options) < 2:
            self.skip(_("A question needs at least two answer options."), self.start)
        elif letter not in {key for key, _text in self.options}:
            self.skip(
                _("ANSWER names %(letter)s, which is not one of the options.")
                % {"letter": letter[:10]},
                self.start,
            )
        else:
            self.result.questions.append(
                ParsedQuestion(
                    kind=MULTICHOICE,
                    text="\n".join(self.lines),
                    answers=[
                        ParsedAnswer(t, Decimal(100) if key == letter else Decimal(0))
                        for key, t in self.options
                    ],
                    source=_("line %(n)s") % {"n": self.start},
                )
            )
        self.lines, self.options = [], []

    def text(self, line: str, n: int):
        if self.options:
            self.skip(_("The question has no ANSWER line."), self.start)
            self.lines, self.options = [], []
        if not self.lines:
            self.start = n
        self.lines.append(line)


def parse(text: str) -> ParseResult:
    reader = _Reader()
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        answer = ANSWER.match(line)
        option = OPTION.match(line)
        if answer:
            reader.answer(answer.group(1), n)
        elif option and reader.lines:
            reader.options.append((option.group(1), option.group(2).strip()))
        elif option:
            reader.skip(_("An answer option without a question before it."), n, name=line)
        else:
            reader.text(line, n)
    if reader.lines:
        reader.skip(_("The question has no ANSWER line."), reader.start)
    return reader.result


def write(questions: list[ParsedQuestion]) -> WriteResult:
    out, skipped = [], []
    for q in questions:
        correct = [i for i, a in enumerate(q.answers) if a.fraction == 100]
        fits = (
            q.kind == MULTICHOICE
            and len(correct) == 1
            and 2 <= len(q.answers) <= 26
            and all(a.fraction in (0, 100) for a in q.answers)
        )
        if not fits:
            skipped.append(
                Skipped(
                    source=q.source,
                    name=q.label,
                    reason=_("Aiken holds only multiple choice with one right answer."),
                )
            )
            continue
        lines = [" ".join(q.text.split())]
        for i, a in enumerate(q.answers):
            lines.append(f"{chr(65 + i)}) {' '.join(a.text.split())}")
        lines.append(f"ANSWER: {chr(65 + correct[0])}")
        out.append("\n".join(lines) + "\n")
    return WriteResult(text="\n".join(out), skipped=skipped)
