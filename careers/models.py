"""The career ladder: levels, their requirements and pay bands, and each person's level
history (docs/career.md)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from mentors.models import Activity
from people.models import Office


def default_currency():
    return settings.DEFAULT_CURRENCY


MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Ladder(models.Model):
    """The levels a person climbs after onboarding: the company's (no program) or one
    program's."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    program = models.OneToOneField(
        "courses.ProgramPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
        help_text=_("Leave empty for the company's ladder, used by every program without one."),
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)

    panels = [FieldPanel("name"), FieldPanel("program"), FieldPanel("currency")]

    class Meta:
        verbose_name = _("career ladder")
        verbose_name_plural = _("career ladders")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        # Not a constraint: a unique program column holds any number of NULLs.
        if self.program_id is None:
            others = Ladder.objects.filter(program__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"program": _("There is a company ladder already: choose a program.")}
                )


class Level(ClusterableModel):
    """One rung: its minimum experience, its requirements and its pay band per office."""

    ladder = models.ForeignKey(
        Ladder, on_delete=models.PROTECT, related_name="levels", verbose_name=_("ladder")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the level means"), blank=True)
    min_experience_months = models.PositiveSmallIntegerField(
        _("minimum experience (months)"),
        default=0,
        help_text=_("Counted from the hire date; 0: no experience needed."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("ladder"),
                FieldPanel("number"),
                FieldPanel("title"),
                FieldPanel("summary"),
                FieldPanel("min_experience_months"),
            ],
            heading=_("Level"),
        ),
        InlinePanel("requirements", label=_("Requirements")),
        InlinePanel("pay_bands", label=_("Pay bands")),
    ]

    class Meta:
        verbose_name = _("career level")
        verbose_name_plural = _("career levels")
        ordering = ["ladder", "number"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "number"], name="level_unique_number"),
        ]

    def __str__(self):
        return _("Level %(number)s · %(title)s") % {"number": self.number, "title": self.title}


class Requirement(Orderable):
    """One thing a level asks, of a kind the product can check from its own records."""

    class Kind(models.TextChoices):
        QUIZ = "quiz", _("A quiz or certification passed")
        ACTIVITY = "activity", _("An activity threshold over a period")
        DOCUMENT = "document", _("A document on file")
        CONFIRMATION = "confirmation", _("A manager's confirmation")

    level = ParentalKey(Level, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("what it asks"), max_length=300)
    advice = models.TextField(
        _("what to do"), blank=True, help_text=_("Shown to the person while it is not met.")
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quiz"),
    )
    activity_kind = models.CharField(
        _("activity kind"), max_length=20, choices=Activity.Kind.choices, blank=True
    )
    activity_count = models.PositiveIntegerField(_("at least"), null=True, blank=True)
    period_days = models.PositiveSmallIntegerField(
        _("over the last (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("advice"),
        FieldPanel("quiz"),
        FieldPanel("activity_kind"),
        FieldPanel("activity_count"),
        FieldPanel("period_days"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="quiz") | Q(quiz__isnull=False),
                name="requirement_quiz_names_quiz",
            ),
            models.CheckConstraint(
                condition=~Q(kind="activity")
                | (
                    ~Q(activity_kind="")
                    & Q(activity_count__isnull=False)
                    & Q(period_days__isnull=False)
                ),
                name="requirement_activity_complete",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.kind == self.Kind.QUIZ and not self.quiz_id:
            errors["quiz"] = _("Choose the quiz to pass.")
        if self.kind == self.Kind.ACTIVITY:
            if not self.activity_kind:
                errors["activity_kind"] = _("Choose the kind of activity to count.")
            if not self.activity_count:
                errors["activity_count"] = _("Give the number to reach.")
            if not self.period_days:
                errors["period_days"] = _("Give the period, in days.")
        if errors:
            raise ValidationError(errors)


class PayBand(Orderable):
    """A level's monthly pay in one office: from a minimum (optional: "up to") to a maximum."""

    level = ParentalKey(Level, on_delete=models.CASCADE, related_name="pay_bands")
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    minimum = models.DecimalField(_("from"), null=True, blank=True, **MONEY)
    maximum = models.DecimalField(_("up to"), **MONEY)

    panels = [FieldPanel("office"), FieldPanel("minimum"), FieldPanel("maximum")]

    class Meta(Orderable.Meta):
        verbose_name = _("pay band")
        verbose_name_plural = _("pay bands")
        constraints = [
            models.UniqueConstraint(fields=["level", "office"], name="payband_one_per_office"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True) | Q(minimum__lte=models.F("maximum")),
                name="payband_minimum_not_above_maximum",
            ),
        ]

    def __str__(self):
        return f"{self.level} · {self.office}"

    def clean(self):
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValidationError({"minimum": _("The minimum is above the maximum.")})

    def contains(self, amount: Decimal) -> bool:
        return (self.minimum is None or amount >= self.minimum) and amount <= self.maximum


class RequirementEvidence(models.Model):
    """A document on file or a manager's confirmation for one requirement of one person.
    Never deleted by a cascade (promotions' evidence snapshots name it); a correction is a
    new record, and the latest one counts."""

    # The person and the recorder are PROTECT: the record outlives neither silently.

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="career_evidence",
        verbose_name=_("person"),
    )
    # HR may take a requirement off a level later: the evidence stays, with the title it had.
    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.SET_NULL,
        null=True,
        related_name="evidence",
        verbose_name=_("requirement"),
    )
    requirement_title = models.CharField(_("what it asked"), max_length=300, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("requirement evidence")
        verbose_name_plural = _("requirement evidence")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.person} · {self.requirement_title}"


class LevelChangeQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=LevelChange.Status.APPROVED)

    def proposed(self):
        return self.filter(status=LevelChange.Status.PROPOSED)


class LevelChange(models.Model):
    """A person entering the ladder or moving up it: proposed, then approved or declined by
    someone else, with the requirements' evidence at the time of the proposal kept as it was.
    A person's level is their latest approved change."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Entered the ladder")
        PROMOTION = "promotion", _("Promotion")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="level_changes",
        verbose_name=_("person"),
    )
    level = models.ForeignKey(
        Level, on_delete=models.PROTECT, related_name="changes", verbose_name=_("level")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    reason = models.TextField(_("reason"))
    pay = models.DecimalField(_("monthly pay"), null=True, blank=True, **MONEY)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)

    objects = LevelChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="proposed"),
                name="levelchange_one_open_proposal",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="levelchange_decided_names_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(effective_on__isnull=False),
                name="levelchange_approved_has_date",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("person")),
                name="levelchange_not_decided_by_person",
            ),
        ]
        indexes = [models.Index(fields=["person", "status", "effective_on"])]

    def __str__(self):
        return f"{self.person} · {self.level}"
