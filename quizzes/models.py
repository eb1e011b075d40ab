"""Quizzes, the polymorphic question bank, attempts, responses and the grading history.

Questions follow django-quiz-app's shape (a base ``Question`` with typed subclasses) on
django-polymorphic, with one ``Response`` row per question of an attempt holding the typed
answer, and per-criterion scores and grade changes as rows of their own.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from polymorphic.managers import PolymorphicManager
from polymorphic.models import PolymorphicModel
from polymorphic.query import PolymorphicQuerySet
from taggit.models import TaggedItemBase
from wagtail.models import Orderable

from courses import coaching
from people.permissions import grades_all_attempts, is_mentor

from .grading_rules import DEFAULT_DUE_DAYS, DEFAULT_OVERDUE_DAYS, LeaseHolder

POINTS = {"max_digits": 7, "decimal_places": 2}
ONE = Decimal("1")


class Quiz(models.Model):
    """A product survey, test or certification placed in a stage with the quiz block."""

    class Mode(models.TextChoices):
        WRITTEN = "written", _("Written: the trainee answers on the site")
        ORAL = "oral", _("Oral: the grader asks and records the answers in a conversation")

    title = models.CharField(
        _("title"), max_length=200, help_text=_("As trainees see it, e.g. “Product survey”.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The quiz's part of its web address: Latin letters, digits and hyphens."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to the trainee before they start.")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The share of the points needed to pass, from 0 to 100."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: unlimited (certifications: two)."),
    )
    is_certification = models.BooleanField(
        _("certification"),
        default=False,
        help_text=_("Passing clears the trainee for client work; defaults to two attempts."),
    )
    grading_due_days = models.PositiveSmallIntegerField(
        _("grading due after (days)"),
        default=DEFAULT_DUE_DAYS,
        help_text=_("Days after submission by which the mentor should grade written answers."),
    )
    grading_overdue_days = models.PositiveSmallIntegerField(
        _("grading overdue after (days)"),
        default=DEFAULT_OVERDUE_DAYS,
        help_text=_("Days after submission when ungraded answers are escalated to HR."),
    )
    shuffle_questions = models.BooleanField(
        _("shuffle questions"),
        default=False,
        help_text=_("Each attempt asks the questions in its own order."),
    )
    mode = models.CharField(
        _("how it is taken"), max_length=10, choices=Mode.choices, default=Mode.WRITTEN
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: no limit. When time is up, the answers so far are submitted."),
    )
    pool_category = models.ForeignKey(
        "QuestionCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question pool"),
        help_text=_(
            "Optional: each attempt also draws questions at random from this question bank "
            "category (and its sub-categories), besides the quiz's own questions."
        ),
    )
    pool_size = models.PositiveSmallIntegerField(
        _("questions drawn from the pool"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many pool questions each attempt gets. A retake gets questions the trainee "
            "has not seen yet where the pool has enough."
        ),
    )
    pool_tag = models.ForeignKey(
        "taggit.Tag",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question pool tag"),
        help_text=_(
            "Optional: draw from the questions carrying this tag, from any category. With a "
            "category as well, only that category's questions with the tag."
        ),
    )
    shuffle_answers = models.BooleanField(
        _("shuffle answer options"),
        default=False,
        help_text=_(
            "Each attempt shows the options of multiple-choice questions in its own order."
        ),
    )
    instant_feedback = models.BooleanField(
        _("instant feedback"),
        default=False,
        help_text=_(
            "On submitting, the trainee sees the score of the automatically graded questions "
            "and each answer's feedback at once; written and oral answers still wait for the "
            "mentor."
        ),
    )

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__lte=100), name="quiz_pass_mark_max_100"),
            models.CheckConstraint(
                condition=Q(grading_overdue_days__gte=F("grading_due_days")),
                name="quiz_overdue_not_before_due",
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1),
                name="quiz_max_attempts_positive",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.is_certification and self.max_attempts is None:
            self.max_attempts = 2
        super().save(*args, **kwargs)

    def clean(self):
        has_pool = bool(self.pool_category_id or self.pool_tag_id)
        if has_pool and not self.pool_size:
            raise ValidationError({"pool_size": _("Say how many questions to draw from the pool.")})
        if self.pool_size and not has_pool:
            raise ValidationError(
                {"pool_category": _("Choose the category or the tag to draw from.")}
            )
        if (
            self.grading_due_days is not None
            and self.grading_overdue_days is not None
            and self.grading_overdue_days < self.grading_due_days
        ):
            raise ValidationError(
                {"grading_overdue_days": _("The overdue date cannot come before the due date.")}
            )

    @property
    def is_oral(self) -> bool:
        return self.mode == self.Mode.ORAL


class QuestionCategory(models.Model):
    """A folder of the question bank (Moodle's question categories): imported questions land
    in one, and a quiz's pool draws from one."""

    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
        help_text=_("Leave empty for a top-level category."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="question_category_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="question_category_unique_top_name",
            ),
        ]

    def __str__(self):
        return self.path

    def descendant_ids(self) -> list[int]:
        """This category's id and those of every category below it (one query per level)."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = [
                pk
                for pk in QuestionCategory.objects.filter(parent_id__in=frontier).values_list(
                    "pk", flat=True
                )
                if pk not in ids
            ]
            ids.extend(frontier)
        return ids

    @property
    def path(self) -> str:
        """ "Sales/Objections": the names from the top, joined with "/"."""
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return "/".join(reversed(names))


class QuestionQuerySet(PolymorphicQuerySet):
    def for_quiz(self, quiz):
        return self.filter(quiz=quiz).order_by("order", "pk")

    def in_category(self, category):
        return self.filter(category=category).order_by("order", "pk")


class Question(PolymorphicModel, ClusterableModel):
    """A question of a quiz; the subclass says how it is answered and scored."""

    # Manual questions are scored by a person; automatic ones on submit.
    is_manual = False
    # The answer field the trainee fills in: "choices", "boolean", "decimal", "text" or "".
    answer_kind = ""

    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("quiz"),
        help_text=_(
            "The quiz that asks this question. Leave empty for a question that only sits in "
            "a category of the question bank."
        ),
    )
    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("category"),
        help_text=_("The question bank folder this question belongs to (imports fill it in)."),
    )
    name = models.CharField(
        _("short name"),
        max_length=255,
        blank=True,
        help_text=_("Optional; helps you find the question in lists (Moodle's question name)."),
    )
    order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Position in the quiz: smaller numbers come first.")
    )
    text = models.TextField(_("question"), help_text=_("What the trainee reads."))
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image"),
        help_text=_("Optional; shown under the question text."),
    )
    points = models.DecimalField(
        _("points"),
        **POINTS,
        default=ONE,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("With rubric criteria, the points are the sum of the criteria."),
    )
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown to the trainee after grading.")
    )
    grader_notes = models.TextField(
        _("notes for graders"),
        blank=True,
        help_text=_("A reference answer or what to look for; never shown to trainees."),
    )
    tags = ClusterTaggableManager(
        through="quizzes.QuestionTag",
        blank=True,
        verbose_name=_("tags"),
        help_text=_(
            "Free labels across categories (for example a product or a skill); a quiz's "
            "pool may draw from a tag."
        ),
    )

    objects = PolymorphicManager.from_queryset(QuestionQuerySet)()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="question_points_positive"),
            models.CheckConstraint(
                condition=Q(quiz__isnull=False) | Q(category__isnull=False),
                name="question_in_quiz_or_category",
            ),
        ]

    def __str__(self):
        return self.text[:80]

    @classmethod
    def type_label(cls) -> str:
        return str(cls._meta.verbose_name)

    def score(self, response) -> Decimal | None:
        """Points for an automatic question's response; None for manual questions."""
        return None


class QuestionTag(TaggedItemBase):
    """A tag on a question (django-taggit through Wagtail's modelcluster, so the admin form
    saves the tags with the question)."""

    content_object = ParentalKey(Question, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("question tag")
        verbose_name_plural = _("question tags")


class MultipleChoiceQuestion(Question):
    answer_kind = "choices"

    class Meta:
        verbose_name = _("multiple-choice question")
        verbose_name_plural = _("multiple-choice questions")

    def score(self, response) -> Decimal:
        return choices_score(self.points, list(self.choices.all()), response.chosen.all())

    @property
    def single_answer(self) -> bool:
        return sum(1 for c in self.choices.all() if c.correct) == 1


def choices_score(points: Decimal, choices, chosen) -> Decimal:
    """All or nothing (the chosen set equals the correct set), unless some answer carries a
    weight: then the chosen answers' weights add up (a wrong one may subtract), 0..100 %."""
    chosen_ids = {c.pk for c in chosen}
    if any(c.weight is not None for c in choices):
        total = sum(
            (c.weight if c.weight is not None else (Decimal(100) if c.correct else Decimal(0)))
            for c in choices
            if c.pk in chosen_ids
        )
        total = min(max(total, Decimal(0)), Decimal(100))
        return (points * total / Decimal(100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    correct = {c.pk for c in choices if c.correct}
    return points if chosen_ids == correct else Decimal(0)


class Choice(Orderable):
    question = ParentalKey(MultipleChoiceQuestion, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=500)
    correct = models.BooleanField(
        _("correct"),
        default=False,
        help_text=_("Tick every right answer; with exactly one, trainees pick one option."),
    )
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-100)), MaxValueValidator(Decimal(100))],
        help_text=_(
            "Optional partial credit: the share of the points this answer earns when chosen "
            "(a negative share subtracts). Leave empty for all-or-nothing scoring."
        ),
    )
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("Shown to the trainee who chose this answer.")
    )

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self):
        return self.text


class TrueFalseQuestion(Question):
    answer_kind = "boolean"

    correct_answer = models.BooleanField(
        _("the statement is true"),
        default=True,
        help_text=_("Tick if the right answer is True; leave unticked if it is False."),
    )
    feedback_true = models.TextField(
        _("feedback for True"), blank=True, help_text=_("Shown to a trainee who answered True.")
    )
    feedback_false = models.TextField(
        _("feedback for False"), blank=True, help_text=_("Shown to a trainee who answered False.")
    )

    class Meta:
        verbose_name = _("true/false question")
        verbose_name_plural = _("true/false questions")

    def score(self, response) -> Decimal:
        if response.answer_bool is None:
            return Decimal(0)
        return self.points if response.answer_bool == self.correct_answer else Decimal(0)


class NumericQuestion(Question):
    answer_kind = "decimal"

    correct_value = models.DecimalField(
        _("correct value"),
        max_digits=16,
        decimal_places=4,
        help_text=_("The right number, without spaces or units."),
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=16,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("An answer within ± this of the correct value gets full points."),
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. RUB or %"))

    class Meta:
        verbose_name = _("numeric question")
        verbose_name_plural = _("numeric questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="numeric_question_tolerance_not_negative"
            )
        ]

    def score(self, response) -> Decimal:
        if response.answer_decimal is None:
            return Decimal(0)
        within = abs(response.answer_decimal - self.correct_value) <= self.tolerance
        return self.points if within else Decimal(0)


class ShortAnswerQuestion(Question):
    """The trainee types a word or a short phrase; it is compared with the accepted answers
    (ignoring case and surrounding spaces; ``*`` matches any text)."""

    answer_kind = "short"

    accepted_answers = models.JSONField(
        _("accepted answers"),
        default=list,
        blank=True,
        help_text=_(
            'A list such as [{"text": "Frog", "weight": 100, "feedback": "Good!"}]: the '
            "first answer that matches earns its weight (in per cent of the points)."
        ),
    )
    case_sensitive = models.BooleanField(_("case sensitive"), default=False)

    class Meta:
        verbose_name = _("short-answer question")
        verbose_name_plural = _("short-answer questions")

    def matching_answer(self, text: str) -> dict | None:
        given = " ".join((text or "").split())
        if not given:
            return None
        for answer in self.accepted_answers or []:
            pattern = str(answer.get("text", ""))
            if _wildcard_match(pattern, given, case_sensitive=self.case_sensitive):
                return answer
        return None

    def score(self, response) -> Decimal:
        answer = self.matching_answer(response.answer_text)
        if answer is None:
            return Decimal(0)
        weight = min(max(Decimal(str(answer.get("weight", 100))), Decimal(0)), Decimal(100))
        return (self.points * weight / Decimal(100)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


def _wildcard_match(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    pattern = " ".join(pattern.split())
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.fullmatch(regex, text, flags) is not None


class WrittenQuestion(Question):
    """Answered in writing by the trainee, scored by a person."""

    is_manual = True
    answer_kind = "text"

    class Meta:
        verbose_name = _("written question")
        verbose_name_plural = _("written questions")


class OralQuestion(Question):
    """Asked in person (an oral survey, a role-play); the grader records score and notes."""

    is_manual = True

    class Meta:
        verbose_name = _("oral question")
        verbose_name_plural = _("oral questions")


class RubricCriterion(Orderable):
    """One criterion of a manual question's rubric; the question's points are their sum."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what earns the points"), blank=True)
    max_points = models.DecimalField(
        _("max points"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))]
    )
    levels = models.TextField(
        _("levels"),
        blank=True,
        help_text=_(
            "One level a line, its points first: “0 — not named”, “1 — named”, "
            "“2 — named and compared with a competitor”. Shown to graders and trainees."
        ),
    )

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="rubric_criterion_points_positive"
            )
        ]

    def __str__(self):
        return self.name

    def level_list(self) -> list[RubricLevel]:
        """The levels, highest points first; lines that do not start with points are skipped
        (``clean`` refuses them when the criterion is saved)."""
        levels = []
        for line in self.levels.splitlines():
            level = RubricLevel.parse(line)
            if level is not None:
                levels.append(level)
        return sorted(levels, key=lambda level: level.points, reverse=True)

    def clean(self):
        for line in self.levels.splitlines():
            if not line.strip():
                continue
            level = RubricLevel.parse(line)
            if level is None:
                raise ValidationError(
                    {"levels": _("“%(line)s”: start the line with its points.") % {"line": line}}
                )
            if self.max_points is not None and level.points > self.max_points:
                raise ValidationError(
                    {
                        "levels": _("“%(line)s”: at most %(max)s points.")
                        % {"line": line, "max": self.max_points}
                    }
                )


class RubricLevel(NamedTuple):
    """One level of a rubric criterion: what earns ``points``."""

    points: Decimal
    text: str

    @classmethod
    def parse(cls, line: str) -> RubricLevel | None:
        head, _sep, text = line.strip().partition(" ")
        try:
            points = Decimal(head.replace(",", "."))
        except (ArithmeticError, ValueError):
            return None
        if not points.is_finite() or points < 0:
            return None
        return cls(points, text.strip().lstrip("—–-:").strip())


class AttemptQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status=Attempt.Status.IN_PROGRESS)

    def awaiting_grading(self):
        return self.filter(status=Attempt.Status.AWAITING_GRADING)

    def submitted(self):
        return self.exclude(status=Attempt.Status.IN_PROGRESS)

    def for_grader(self, user):
        """Attempts this user may grade: all for HR and directors, active mentees' for mentors;
        never their own (a director or HR person enrolled as a trainee)."""
        if not user.is_authenticated:
            return self.none()
        if grades_all_attempts(user):
            return self.exclude(enrollment__trainee=user)
        if is_mentor(user):
            return self.filter(coaching.coached_by(user, enrollment_ref="enrollment_id")).exclude(
                enrollment__trainee=user
            )
        return self.none()


class Attempt(LeaseHolder, models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_GRADING = "awaiting_grading", _("Awaiting grading")
        GRADED = "graded", _("Graded")

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("enrollment"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    awarded_points = models.DecimalField(_("points"), **POINTS, null=True, blank=True)
    max_points = models.DecimalField(_("maximum points"), **POINTS, null=True, blank=True)
    percent = models.DecimalField(
        _("percent"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    grading_due_on = models.DateField(_("grading due on"), null=True, blank=True)
    grading_overdue_on = models.DateField(_("grading overdue on"), null=True, blank=True)
    # The grading lock: who holds the attempt's grading page, and until when.
    leased_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "quiz", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["enrollment", "quiz"],
                condition=Q(status="in_progress"),
                name="attempt_one_in_progress",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="attempt_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="attempt_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="graded") | Q(passed__isnull=False, percent__isnull=False),
                name="attempt_graded_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "grading_due_on"]),
            # The dashboard's count of overdue grading, read from the index alone.
            models.Index(
                fields=["grading_overdue_on", "enrollment"],
                condition=models.Q(status="awaiting_grading"),
                name="attempt_overdue_grading",
            ),
        ]

    def __str__(self):
        return f"{self.quiz} · #{self.number} · {self.enrollment}"

    @property
    def trainee(self):
        return self.enrollment.trainee

    def deadline(self):
        if not self.quiz.time_limit_minutes:
            return None
        return self.started_at + timedelta(minutes=self.quiz.time_limit_minutes)

    def grading_deadline(self, today) -> GradingDeadline | None:
        """Where this attempt stands against its grading dates on ``today`` (a local date), or
        None when it has none (not submitted, or graded at once)."""
        return GradingDeadline.of(self.grading_due_on, self.grading_overdue_on, today)

    def is_overdue(self, today) -> bool:
        deadline = self.grading_deadline(today)
        return deadline is not None and deadline.state == GradingDeadline.OVERDUE


class GradingDeadline(NamedTuple):
    """The one definition of due and overdue, read by the grading queue, the overdue list, the
    reminders and the escalation alike (docs/quizzes.md, "Grading deadlines").

    An attempt is submitted on day 0 (the trainee's local date); it is *due* on
    ``grading_due_on`` (day ``quiz.grading_due_days``, 21 by default), *late* from the day
    after, and *overdue* from ``grading_overdue_on`` (day ``quiz.grading_overdue_days``, 28 by
    default), when it is escalated to HR and the directors. ``days`` counts to the due date
    (upcoming, soon) or past it (late, overdue).
    """

    state: str
    days: int

    UPCOMING = "upcoming"
    SOON = "soon"
    DUE = "due"
    LATE = "late"
    OVERDUE = "overdue"
    # The first reminder goes out this many days before the due date.
    REMIND_DAYS_BEFORE = 2

    @classmethod
    def of(cls, due_on, overdue_on, today) -> GradingDeadline | None:
        """Where work due on ``due_on`` (escalated on ``overdue_on``) stands on ``today``."""
        if due_on is None:
            return None
        until_due = (due_on - today).days
        if overdue_on is not None and today >= overdue_on:
            return cls(cls.OVERDUE, -until_due)
        if until_due < 0:
            return cls(cls.LATE, -until_due)
        if until_due == 0:
            return cls(cls.DUE, 0)
        if until_due <= cls.REMIND_DAYS_BEFORE:
            return cls(cls.SOON, until_due)
        return cls(cls.UPCOMING, until_due)


def percent_of(awarded: Decimal, maximum: Decimal) -> Decimal:
    """100 x awarded / maximum, rounded half-up to one decimal (0 for an empty quiz)."""
    if not maximum:
        return Decimal("0.0")
    return (Decimal(100) * awarded / maximum).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Response(models.Model):
    """One question of one attempt: the typed answer and how it was scored."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="responses")
    order = models.PositiveIntegerField(default=0)
    chosen = models.ManyToManyField(Choice, blank=True, related_name="+")
    answer_bool = models.BooleanField(null=True, blank=True)
    answer_decimal = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    answer_text = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The multiple-choice options in the order this attempt showed them (empty: as authored).
    choice_order = models.JSONField(default=list, blank=True)
    awarded_points = models.DecimalField(_("points"), **POINTS, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="response_one_per_q"),
            models.CheckConstraint(
                condition=Q(awarded_points__isnull=True) | Q(awarded_points__gte=0),
                name="response_points_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.attempt} · {self.question_id}"


class CriterionScore(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(**POINTS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "criterion"], name="criterion_score_once"),
            models.CheckConstraint(condition=Q(points__gte=0), name="criterion_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.points}"


class GradeChange(models.Model):
    """A change to a response's awarded points after it was first set."""

    # PROTECT: a grade change is history; the response (and its attempt) it changed stays.
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="changes")
    old_points = models.DecimalField(**POINTS, null=True)
    new_points = models.DecimalField(**POINTS)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    is_override = models.BooleanField(default=False)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.response_id}: {self.old_points} → {self.new_points}"


class ExtraAttemptGrant(models.Model):
    """HR allowed one attempt beyond the quiz's maximum, with a reason."""

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="extra_attempt_grants"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="extra_attempt_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["granted_at", "pk"]

    def __str__(self):
        return f"{self.enrollment} · {self.quiz}"


class RolePlaySession(models.Model):
    """A role-play (or any in-person quiz) booked for a trainee: when, where, who grades."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.CASCADE,
        related_name="roleplay_sessions",
        verbose_name=_("enrollment"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("quiz")
    )
    scheduled_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grader"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("role-play session")
        verbose_name_plural = _("role-play sessions")
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "quiz"],
                condition=Q(status="scheduled"),
                name="roleplay_one_scheduled_per_quiz",
            )
        ]

    def __str__(self):
        return f"{self.quiz} · {self.enrollment} · {self.scheduled_at:%Y-%m-%d %H:%M}"


class SurveyReview(models.Model):
    """The general director's extra control of a graded attempt: agreed, or sent back to the
    grader with a comment (the attempt then waits for grading again)."""

    class Decision(models.TextChoices):
        AGREED = "agreed", _("Agreed")
        SENT_BACK = "sent_back", _("Sent back for regrading")

    attempt = models.ForeignKey(
        Attempt, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("attempt")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    # Whose grading was reviewed, as it stood.
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    percent = models.DecimalField(_("percent"), max_digits=4, decimal_places=1, null=True)

    class Meta:
        verbose_name = _("director's review")
        verbose_name_plural = _("director's reviews")
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="sent_back") | ~Q(comment=""),
                name="survey_review_sent_back_has_comment",
            )
        ]

    def __str__(self):
        return f"{self.attempt} · {self.get_decision_display()}"


# --- Recordings: recorded answers, live role-plays, pinned comments -------------------------


def recording_upload_to(instance, filename: str) -> str:
    """A path under ``recordings/`` that names no person; the file is served only through the
    permission-checked view (never a public media address)."""
    return instance.storage_path(filename)


class RecordingQuestion(Question):
    """The trainee answers with an audio (optionally video) recording made in the browser or
    uploaded; a grader scores it, as a written answer, with the question's rubric."""

    is_manual = True
    answer_kind = "recording"

    max_seconds = models.PositiveIntegerField(
        _("time limit (seconds)"),
        default=300,
        validators=[MinValueValidator(5), MaxValueValidator(3600)],
        help_text=_("The longest recording accepted, from 5 seconds to an hour."),
    )
    allow_video = models.BooleanField(
        _("video allowed"),
        default=False,
        help_text=_("Tick to let the trainee record or upload video; otherwise audio only."),
    )
    allow_rerecord = models.BooleanField(
        _("re-recording allowed"),
        default=True,
        help_text=_("The trainee may replace the recording until they submit the attempt."),
    )

    class Meta:
        verbose_name = _("recorded answer question")
        verbose_name_plural = _("recorded answer questions")


class RecordingFile(models.Model):
    """What every stored recording carries (the calls' recordings in mentors share it)."""

    file = models.FileField(_("file"), upload_to=recording_upload_to, max_length=300)
    content_type = models.CharField(_("format"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        abstract = True

    def storage_path(self, filename: str) -> str:
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        stamp = timezone.now().strftime("%Y/%m")
        return f"recordings/{self._meta.model_name}/{stamp}/{uuid.uuid4().hex}.{extension[:5]}"

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")


class Recording(RecordingFile):
    """A recording of an attempt: the trainee's recorded answer to one question, or the live
    role-play the grader recorded during the conversation (no response)."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Recorded answer")
        LIVE = "live", _("Live role-play")

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("attempt")
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recordings",
        verbose_name=_("answer"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response"],
                condition=Q(response__isnull=False),
                name="recording_one_per_response",
            ),
            models.CheckConstraint(
                condition=Q(kind="answer", response__isnull=False)
                | Q(kind="live", response__isnull=True),
                name="recording_answer_has_response",
            ),
        ]

    def __str__(self):
        return f"{self.attempt} · {self.get_kind_display()}"


class TimedComment(models.Model):
    """A reviewer's comment pinned to a moment of a recording (the calls' comments share it)."""

    at_seconds = models.PositiveIntegerField(_("moment (seconds)"))
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at_seconds", "pk"]

    @property
    def moment(self) -> str:
        minutes, seconds = divmod(self.at_seconds, 60)
        return f"{minutes}:{seconds:02d}"


class RecordingComment(TimedComment):
    recording = models.ForeignKey(
        Recording, on_delete=models.CASCADE, related_name="comments", verbose_name=_("recording")
    )

    class Meta(TimedComment.Meta):
        verbose_name = _("recording comment")
        verbose_name_plural = _("recording comments")

    def __str__(self):
        return f"{self.recording_id} @ {self.moment}"
