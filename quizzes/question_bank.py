"""Question bank services: import questions from GIFT, Aiken and Moodle XML into categories,
and export a quiz or a category back to those formats (docs/quizzes.md, "Import and export").

The parsers in ``quizzes.formats`` turn text into ``ParsedQuestion``; here they become
question rows (and back). ``questions_preview`` parses without saving; ``questions_import``
saves in one transaction, so a failed import leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from .formats import (
    ESSAY,
    MULTICHOICE,
    NUMERICAL,
    SHORTANSWER,
    TRUEFALSE,
    ParsedAnswer,
    ParsedFile,
    ParsedQuestion,
    ParseResult,
    Skipped,
    WriteResult,
    aiken,
    decode,
    gift,
    moodle_xml,
)
from .models import (
    Choice,
    MultipleChoiceQuestion,
    NumericQuestion,
    Question,
    QuestionCategory,
    QuestionTag,
    Quiz,
    ShortAnswerQuestion,
    TrueFalseQuestion,
    WrittenQuestion,
)

PARSERS = {"gift": gift, "aiken": aiken, "moodle-xml": moodle_xml}
MODELS = {
    MULTICHOICE: MultipleChoiceQuestion,
    TRUEFALSE: TrueFalseQuestion,
    SHORTANSWER: ShortAnswerQuestion,
    NUMERICAL: NumericQuestion,
    ESSAY: WrittenQuestion,
}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
CHOICE_MAX = Choice._meta.get_field("text").max_length
TAG_MAX = QuestionTag._meta.get_field("tag").related_model._meta.get_field("name").max_length
NAME_MAX = Question._meta.get_field("name").max_length


class BankError(ValueError):
    """The file cannot be read at all (unknown format, undecodable); shown as a form error."""


def questions_parse(*, data: bytes, fmt: str, encoding: str | None = None) -> ParseResult:
    """Read a file's bytes in the given format; nothing is saved."""
    if fmt not in PARSERS:
        raise BankError(_("Unknown format %(format)s.") % {"format": fmt})
    try:
        text = decode(data, encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise BankError(_("The file could not be decoded: %(error)s") % {"error": exc}) from exc
    return PARSERS[fmt].parse(text)


def category_by_path(path: str | tuple[str, ...], *, create: bool = True):
    """The category at "Sales/Objections" (created with its parents when ``create``)."""
    names = path if isinstance(path, tuple) else tuple(p.strip() for p in path.split("/"))
    names = tuple(n for n in names if n)
    parent = None
    for name in names:
        node = QuestionCategory.objects.filter(parent=parent, name=name).first()
        if node is None:
            if not create:
                return None
            node = QuestionCategory(parent=parent, name=name[:255])
            node.full_clean()
            node.save()
        parent = node
    return parent


@dataclass
class ImportLine:
    created: bool
    kind_label: str
    label: str
    source: str
    category: str = ""
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    question_id: int | None = None

    def __str__(self):
        if self.created:
            line = _("created: %(type)s “%(label)s” in %(category)s (%(source)s)") % {
                "type": self.kind_label,
                "label": self.label,
                "category": self.category,
                "source": self.source,
            }
            if self.notes:
                line += " — " + " ".join(self.notes)
            return line
        return _("skipped: “%(label)s” (%(source)s): %(reason)s") % {
            "label": self.label,
            "source": self.source,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    lines: list[ImportLine]
    dry_run: bool

    @property
    def created(self) -> list[ImportLine]:
        return [line for line in self.lines if line.created]

    @property
    def skipped(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.created]


def _target_path(root_path: str, parsed_path: tuple[str, ...]) -> str:
    return "/".join([root_path, *(p.replace("/", "-") for p in parsed_path)])


def questions_import(
    *,
    parsed: ParseResult,
    category: str,
    quiz: Quiz | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Save the parsed questions under the category path ``category`` (a file's own
    ``$CATEGORY:`` / category entries become sub-categories of it), optionally also in
    ``quiz`` (appended after its last question). Invalid questions are reported as skipped;
    with ``dry_run`` nothing is written."""
    root_path = "/".join(p.strip() for p in category.split("/") if p.strip())
    if not root_path:
        raise BankError(_("Choose a category to import into."))
    lines: list[ImportLine] = []
    for skipped in parsed.skipped:
        lines.append(ImportLine(False, "", skipped.label, skipped.source, reason=skipped.reason))
    with transaction.atomic():
        next_order = 1
        if quiz is not None and not dry_run:
            last = Question.objects.filter(quiz=quiz).aggregate(last=Max("order"))["last"]
            next_order = (last or 0) + 1
        for q in parsed.questions:
            path = _target_path(root_path, q.category)
            model = MODELS[q.kind]
            line = ImportLine(
                True, str(model._meta.verbose_name), q.label, q.source, path, notes=list(q.notes)
            )
            try:
                if not dry_run:
                    with transaction.atomic():
                        target = category_by_path(path)
                        question = _save(q, category=target, quiz=quiz, order=next_order)
                        line.question_id = question.pk
                        next_order += 1
                else:
                    _build(q, category=None, quiz=None, order=0).clean_fields(
                        exclude=["quiz", "category", "image", "polymorphic_ctype"]
                    )
            except ValidationError as exc:
                line.created = False
                line.reason = "; ".join(
                    f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                    for k, v in exc.message_dict.items()
                )
            lines.append(line)
    lines.sort(key=lambda line: _source_key(line.source))
    return ImportReport(lines=lines, dry_run=dry_run)


def _source_key(source: str):
    digits = "".join(ch for ch in source if ch.isdigit())
    return int(digits) if digits else 0


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _build(q: ParsedQuestion, *, category, quiz, order) -> Question:
    model = MODELS[q.kind]
    points = q.points if q.points > 0 else Decimal(1)
    if q.points <= 0:
        q.notes.append(_("A grade of 0 became 1 point."))
    question = model(
        quiz=quiz,
        category=category,
        order=order,
        name=_clip(q.name, NAME_MAX),
        text=q.text,
        points=points.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        explanation=q.general_feedback,
    )
    if q.kind == TRUEFALSE:
        question.correct_answer = bool(q.correct)
        question.feedback_true = q.feedback_true
        question.feedback_false = q.feedback_false
    elif q.kind == NUMERICAL:
        question.correct_value = q.value
        question.tolerance = q.tolerance
        question.unit = q.unit[:30]
    elif q.kind == SHORTANSWER:
        question.case_sensitive = q.case_sensitive
        question.accepted_answers = [
            {"text": a.text, "weight": float(a.fraction), "feedback": a.feedback} for a in q.answers
        ]
    elif q.kind == ESSAY:
        question.grader_notes = q.grader_info
    return question


def _needs_weights(q: ParsedQuestion) -> bool:
    return any(a.fraction not in (0, 100) for a in q.answers)


def _save(q: ParsedQuestion, *, category, quiz, order) -> Question:
    question = _build(q, category=category, quiz=quiz, order=order)
    image = _first_image(q)
    if image is not None:
        question.image = image
    question.full_clean(exclude=["polymorphic_ctype"])
    # Saved with the question (modelcluster); a tag name has at most 100 characters.
    question.tags.add(*{_clip(name, TAG_MAX): None for name in q.tags})
    question.save()
    if q.kind == MULTICHOICE:
        weights = _needs_weights(q)
        for n, a in enumerate(q.answers):
            if len(a.text) > CHOICE_MAX:
                q.notes.append(
                    _("A long answer was shortened to %(n)s characters.") % {"n": CHOICE_MAX}
                )
            choice = Choice(
                question=question,
                sort_order=n,
                text=_clip(a.text, CHOICE_MAX),
                correct=a.fraction > 0,
                weight=a.fraction if weights else None,
                feedback=a.feedback,
            )
            choice.full_clean(exclude=["question"])
            choice.save()
    return question


def _first_image(q: ParsedQuestion):
    """The first embedded image becomes the question's image (a Wagtail image); other
    embedded files are noted as not kept."""
    image = None
    for f in q.files:
        if image is None and f.name.lower().endswith(IMAGE_SUFFIXES):
            model = get_image_model()
            image = model(title=_clip(f.name, 255), file=ContentFile(f.content, name=f.name))
            try:
                image.full_clean(
                    exclude=[
                        "collection",
                        "uploaded_by_user",
                        "focal_point_x",
                        "focal_point_y",
                        "focal_point_width",
                        "focal_point_height",
                        "file_hash",
                        "file_size",
                    ]
                )
            except ValidationError:
                q.notes.append(_("The image %(name)s could not be read.") % {"name": f.name})
                image = None
                continue
            image.save()
        else:
            q.notes.append(_("The file %(name)s was not kept.") % {"name": f.name})
    return image


# --- Export --------------------------------------------------------------------------------


def _relative(category: QuestionCategory | None, base: QuestionCategory | None) -> tuple:
    if category is None:
        return ()
    names, node = [], category
    while node is not None and (base is None or node.pk != base.pk):
        names.append(node.name)
        node = node.parent
    if base is not None:
        names.append(base.name)
    return tuple(reversed(names))


def questions_for_export(*, quiz: Quiz | None = None, category: QuestionCategory | None = None):
    if quiz is not None:
        qs = Question.objects.filter(quiz=quiz)
    elif category is not None:
        qs = Question.objects.filter(category_id__in=category.descendant_ids())
    else:
        raise BankError(_("Choose a quiz or a category to export."))
    return list(
        qs.select_related("category", "image")
        .prefetch_related("tagged_items__tag")
        .order_by("category_id", "order", "pk")
    )


def to_parsed(
    question: Question, *, base: QuestionCategory | None = None
) -> ParsedQuestion | Skipped:
    """A bank question as the formats see it; oral questions have no Moodle equivalent."""
    kind = next((k for k, m in MODELS.items() if isinstance(question, m)), None)
    if kind is None:
        return Skipped(
            source=f"#{question.pk}",
            name=question.name or question.text[:60],
            reason=_("Questions of type “%(type)s” have no equivalent in Moodle's formats.")
            % {"type": question.type_label()},
        )
    q = ParsedQuestion(
        kind=kind,
        text=question.text,
        name=question.name,
        category=_relative(question.category, base),
        points=question.points,
        general_feedback=question.explanation,
        source=f"#{question.pk}",
        tags=sorted(item.tag.name for item in question.tagged_items.all()),
    )
    if kind == MULTICHOICE:
        choices = list(question.choices.all())
        q.answers = [
            ParsedAnswer(
                c.text,
                c.weight if c.weight is not None else Decimal(100 if c.correct else 0),
                c.feedback,
            )
            for c in choices
        ]
        q.single = sum(1 for c in choices if c.correct) == 1
    elif kind == TRUEFALSE:
        q.correct = question.correct_answer
        q.feedback_true, q.feedback_false = question.feedback_true, question.feedback_false
    elif kind == NUMERICAL:
        q.value, q.tolerance, q.unit = question.correct_value, question.tolerance, question.unit
    elif kind == SHORTANSWER:
        q.case_sensitive = question.case_sensitive
        q.answers = [
            ParsedAnswer(
                str(a.get("text", "")),
                Decimal(str(a.get("weight", 100))),
                str(a.get("feedback", "")),
            )
            for a in question.accepted_answers or []
        ]
    elif kind == ESSAY:
        q.grader_info = question.grader_notes
    if question.image_id:
        try:
            with question.image.file.open("rb") as fh:
                content = fh.read()
            name = question.image.file.name.rsplit("/", 1)[-1]
            q.files = [ParsedFile(name=name, content=content)]
        except OSError:
            pass
    return q


def questions_export(
    *, fmt: str, quiz: Quiz | None = None, category: QuestionCategory | None = None
) -> WriteResult:
    if fmt not in PARSERS:
        raise BankError(_("Unknown format %(format)s.") % {"format": fmt})
    base = category.parent if category is not None else None
    parsed, skipped = [], []
    for question in questions_for_export(quiz=quiz, category=category):
        item = to_parsed(question, base=base)
        (skipped if isinstance(item, Skipped) else parsed).append(item)
    result = PARSERS[fmt].write(parsed)
    result.skipped = skipped + result.skipped
    return result


__all__ = [
    "BankError",
    "ImportReport",
    "category_by_path",
    "questions_export",
    "questions_import",
    "questions_parse",
    "to_parsed",
]
