"""A short-answer question's accepted answers as lines of text, for the admin form.

The model keeps them as JSON (``[{"text": "Frog", "weight": 100, "feedback": "Good!"}]``,
what the GIFT, Aiken and Moodle XML formats read and write). Authors edit one answer per
line instead::

    Frog
    Toad | 50 | Close: a relative.
    * | 0 | Not quite: think of the pond.

The answer, then optionally its weight (per cent of the question's points, 100 when left
out) and the feedback, separated by ``|``. Inside an answer or a feedback, ``\\|`` is a
literal bar, ``\\n`` a line break and ``\\\\`` a backslash, so every stored value survives a
round trip through the form unchanged.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_ESCAPES = {"\\": "\\\\", "|": "\\|", "\n": "\\n"}
_UNESCAPES = {"\\\\": "\\", "\\|": "|", "\\n": "\n"}
# A field: escaped characters or anything but a bar or a backslash.
_PART = re.compile(r"(?:\\.|[^|\\])*")


def _escape(value: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in value.replace("\r\n", "\n"))


def _unescape(value: str) -> str:
    return re.sub(r"\\.", lambda m: _UNESCAPES.get(m.group(0), m.group(0)), value)


def _weight_text(weight) -> str:
    number = Decimal(str(weight)).normalize()
    return format(number, "f")


def to_lines(answers) -> str:
    """The stored answers as the form's text."""
    lines = []
    for answer in answers or []:
        text = _escape(str(answer.get("text", "")))
        weight = answer.get("weight", 100)
        feedback = _escape(str(answer.get("feedback", "") or ""))
        parts = [text]
        if feedback or Decimal(str(weight)) != 100:
            parts.append(_weight_text(weight))
        if feedback:
            parts.append(feedback)
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _split(line: str) -> list[str]:
    parts, rest = [], line
    while True:
        match = _PART.match(rest)
        parts.append(match.group(0))
        rest = rest[match.end() :]
        if not rest:
            return parts
        if rest[0] == "\\":  # a lone backslash at the end of the line
            parts[-1] += rest
            return parts
        rest = rest[1:]  # the bar


def _weight(value: str, number: int) -> float:
    try:
        weight = Decimal(value.replace(",", "."))
    except InvalidOperation:
        weight = None
    if weight is None or not weight.is_finite() or not 0 <= weight <= 100:
        raise ValidationError(
            _("Line %(line)d: the weight must be a number from 0 to 100.") % {"line": number}
        )
    return float(weight)


def from_lines(text: str) -> list[dict]:
    """The form's text as the stored answers; a ValidationError names the line at fault."""
    answers = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in _split(line)]
        if len(parts) > 3:
            raise ValidationError(
                _("Line %(line)d: at most an answer, a weight and a feedback; write \\| for a bar.")
                % {"line": number}
            )
        answer_text = _unescape(parts[0])
        if not answer_text.strip():
            raise ValidationError(_("Line %(line)d: the answer is empty.") % {"line": number})
        weight = _weight(parts[1], number) if len(parts) > 1 and parts[1] else 100.0
        feedback = _unescape(parts[2]) if len(parts) > 2 else ""
        answers.append({"text": answer_text, "weight": weight, "feedback": feedback})
    return answers


class AcceptedAnswersField(forms.CharField):
    """The accepted answers, one per line (see the module's docstring)."""

    widget = forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("label", gettext_lazy("Accepted answers"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "One answer per line: the answer, then optionally | the weight in per cent "
                "of the points (100 when left out) | the feedback. For example: "
                "“Toad | 50 | Close: a relative.” The first answer that matches earns its "
                "weight; * matches any text. Write \\| for a bar inside an answer."
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return to_lines(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return from_lines(super().to_python(value))

    def has_changed(self, initial, data):
        try:
            return to_lines(initial or []) != to_lines(self.to_python(data))
        except ValidationError:
            return True
