from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from people import formatting
from quizzes.grading_rules import LeaseHolder
from quizzes.models import GradingDeadline, RecordingFile, TimedComment

from .provenance import PROVENANCE_CHOICES, TYPED_PROVENANCES, Provenance
from .validation import activity_problems


def default_currency():
    return settings.DEFAULT_CURRENCY


def default_counted_provenances() -> list[str]:
    """Every way in counts, by default (typed ones once confirmed, see below)."""
    return [value for value, _label in PROVENANCE_CHOICES]


def default_confirmation_required() -> list[str]:
    """Typed by the trainee or by the mentor: both profit from the count, so someone else
    confirms it before it counts toward a bonus."""
    return ["trainee", "mentor"]


def default_typed_daily_limit() -> int:
    return settings.BONUS_TYPED_ACTIVITIES_PER_DAY


class BonusRule(ClusterableModel):
    """The agreed mentoring bonus: a period and tiers of minimum results."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    period_days = models.PositiveSmallIntegerField(
        _("period (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("The agreed period, counted from the mentorship's start date."),
    )
    counted_provenances = models.JSONField(
        _("provenances that count"),
        default=default_counted_provenances,
        blank=True,
        help_text=_("Activity that arrived in one of these ways counts toward the bonus."),
    )
    confirmation_required = models.JSONField(
        _("provenances that need confirmation"),
        default=default_confirmation_required,
        blank=True,
        help_text=_(
            "Of those, activity typed in one of these ways counts only once someone else "
            "(HR or the head of sales, never the trainee or their mentor) has confirmed it."
        ),
    )
    typed_daily_limit = models.PositiveSmallIntegerField(
        _("typed activities per day before a burst is flagged"),
        default=default_typed_daily_limit,
        validators=[MinValueValidator(1)],
        help_text=_(
            "More typed activities than this for one trainee on one day are flagged for the "
            "approver on the statement."
        ),
    )

    # The admin's edit form (with the provenances as checkboxes and the reason for the
    # change) is the viewset's, in mentors/wagtail_hooks.py.
    panels = [
        FieldPanel("name"),
        FieldPanel("currency"),
        FieldPanel("period_days"),
        InlinePanel("tiers", label=_("Tiers"), min_num=1),
        FieldPanel("counted_provenances"),
        FieldPanel("confirmation_required"),
        FieldPanel("typed_daily_limit"),
    ]

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        known = set(Provenance.values)
        for name in ("counted_provenances", "confirmation_required"):
            value = getattr(self, name)
            if not isinstance(value, list) or not set(value) <= known:
                raise ValidationError(
                    {name: _("Choose among: %(known)s.") % {"known": ", ".join(Provenance.values)}}
                )


class BonusTier(Orderable):
    rule = ParentalKey(BonusRule, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=100)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    min_call = models.PositiveIntegerField(_("minimum calls"), default=0)
    min_meeting = models.PositiveIntegerField(_("minimum meetings"), default=0)
    min_application = models.PositiveIntegerField(_("minimum applications"), default=0)
    min_contract = models.PositiveIntegerField(_("minimum contracts"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("amount"),
        FieldPanel("min_call"),
        FieldPanel("min_meeting"),
        FieldPanel("min_application"),
        FieldPanel("min_contract"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("bonus tier")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="bonus_tier_amount_not_negative"
            )
        ]

    def __str__(self):
        return self.name


class BonusRuleVersion(models.Model):
    """A bonus rule's figures as they were from one change on: the period, the tiers'
    amounts and minimums, the provenances that count, the burst limit. Written by
    ``rule_versions.bonus_rule_save`` on every change, with who made it and why; a statement
    names the version it was computed with."""

    rule = models.ForeignKey(
        BonusRule, on_delete=models.PROTECT, related_name="versions", verbose_name=_("bonus rule")
    )
    number = models.PositiveIntegerField(_("version"))
    figures = models.JSONField(_("figures"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("bonus rule version")
        verbose_name_plural = _("bonus rule versions")
        ordering = ["rule", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="bonus_rule_version_unique")
        ]

    def __str__(self):
        return f"{self.rule} · v{self.number}"


class MentorshipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)


class Mentorship(models.Model):
    """A mentor assigned to a trainee's enrollment, from a start date, under a bonus rule."""

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.CASCADE,
        related_name="mentorships",
        verbose_name=_("enrollment"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mentorships",
        verbose_name=_("mentor"),
    )
    started_on = models.DateField(_("start date"))
    # The first day of activity this mentorship's bonus counts: the start date, or, when an
    # earlier mentorship of the same enrollment holds the days from the start date on (a
    # change of mentor, a mentorship started back inside a window already counted), the day
    # after that window. Set by the service; see docs/bonuses.md, "One bonus per window".
    bonus_starts_on = models.DateField(
        _("bonus counted from"),
        blank=True,  # filled from the start date by clean() and save() when not given
        help_text=_("The first day whose activity counts toward this mentorship's bonus."),
    )
    bonus_rule = models.ForeignKey(
        BonusRule,
        on_delete=models.PROTECT,
        related_name="mentorships",
        null=True,
        blank=True,
        verbose_name=_("bonus rule"),
    )
    # A change of mentor inside an open bonus window: this mentorship carries that window on
    # (it counts from the window's first day, its bonus_starts_on, before its own start date)
    # and the replaced mentorship's statement is superseded (docs/bonuses.md, "A change of
    # mentor carries the period over"). PROTECT: the replaced one is money history.
    carried_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("carries the bonus period of"),
    )
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(ended_on__isnull=True),
                name="mentorship_one_active_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="mentorship_ends_after_start",
            ),
            # Only a mentorship that carries an earlier one's window counts from before its
            # own start date.
            models.CheckConstraint(
                condition=Q(bonus_starts_on__gte=models.F("started_on"))
                | Q(carried_from__isnull=False),
                name="mentorship_bonus_starts_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.mentor} → {self.enrollment}"

    def save(self, *args, **kwargs):
        # Without an earlier mentorship to split from, the bonus counts from the start date.
        if self.bonus_starts_on is None and self.started_on is not None:
            self.bonus_starts_on = self.started_on
        super().save(*args, **kwargs)

    def clean(self):
        if self.bonus_starts_on is None:
            self.bonus_starts_on = self.started_on

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class MentoringSettings(models.Model):
    """Per-program mentoring settings (the mentee cap); programs without a row use the default."""

    program = models.OneToOneField(
        "courses.ProgramPage",
        on_delete=models.CASCADE,
        related_name="mentoring_settings",
        verbose_name=_("program"),
    )
    mentee_cap = models.PositiveSmallIntegerField(
        _("maximum mentees per mentor"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How many active mentees of this program one mentor may have at once."),
    )

    panels = [FieldPanel("program"), FieldPanel("mentee_cap")]

    class Meta:
        verbose_name = _("mentoring settings")
        verbose_name_plural = _("mentoring settings")
        constraints = [
            models.CheckConstraint(condition=Q(mentee_cap__gte=1), name="mentee_cap_at_least_one")
        ]

    def __str__(self):
        return f"{self.program} · {self.mentee_cap}"


class Activity(models.Model):
    """One piece of a trainee's recorded work: a call, a meeting, an application..."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        APPLICATION = "application", _("Application")
        CONTRACT = "contract", _("Contract")
        EVENT = "event", _("Event (exhibition, conference)")
        REFERRAL = "referral", _("Referral")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Logged by hand")
        CSV = "csv", _("CSV import")
        API = "api", _("API")
        # Names the CRM and telephony integrations post under (free text is allowed too).
        CRM = "crm", _("CRM")
        TELEPHONY = "telephony", _("Telephony")
        # The source adapters of mentors/sources/ (docs/sources.md).
        ASTERISK = "asterisk", _("Asterisk / FreePBX call records")
        BITRIX24 = "bitrix24", _("Bitrix24")
        AMOCRM = "amocrm", _("amoCRM / Kommo")
        ICS = "ics", _("Calendar (ICS)")

    # The kinds a bonus tier sets minimums for, in display order.
    COUNTED_KINDS = ("call", "meeting", "application", "contract")

    enrollment = models.ForeignKey(
        "courses.Enrollment",
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("enrollment"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    # manual, csv, api, or the name of the integration that sent it (e.g. "crm", "telephony").
    source = models.CharField(_("source"), max_length=50, default=Source.MANUAL)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Contracts only: the contract's value."),
    )
    note = models.TextField(_("note"), blank=True)
    # Calls and meetings only: whether the decision-maker (ЛПР) was reached; criterion 5 of
    # the ramp-up (docs/ramp-up.md) reads it.
    decision_maker_reached = models.BooleanField(
        _("decision-maker reached"),
        default=False,
        help_text=_("Calls and meetings only: the decision-maker (ЛПР) took part."),
    )
    # Client work that arrived from a connector before the trainee's role-play certification:
    # kept in the record, not counted until the certification lifts it (mentors/certification.py).
    before_certification = models.BooleanField(
        _("before the certification"),
        default=False,
        # In the database too: raw writers (COPY, the benchmarks' floor) need not name it.
        db_default=False,
        help_text=_("Client work held until the role-play certification: not counted yet."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # How it arrived (mentors/provenance.py). Every write path of the product sets it; the
    # default is for rows written by hand in a shell or a test.
    provenance = models.CharField(
        _("provenance"),
        max_length=20,
        choices=PROVENANCE_CHOICES,
        default=Provenance.API,
        db_default=Provenance.API,
    )
    # A typed entry confirmed by someone else (docs/bonuses.md, "Confirmation").
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="activity_unique_external_id_per_source",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="activity_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(kind="contract"),
                name="activity_amount_only_for_contracts",
            ),
            models.CheckConstraint(
                condition=Q(provenance__in=Provenance.values), name="activity_provenance_valid"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True, confirmed_by__isnull=True)
                | Q(confirmed_at__isnull=False, confirmed_by__isnull=False),
                name="activity_confirmed_with_who_and_when",
            ),
        ]
        indexes = [
            models.Index(fields=["enrollment", "kind", "occurred_at"]),
            models.Index(fields=["occurred_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def source_label(self) -> str:
        """How the activity arrived, in the reader's language; a source the product does not
        know (an integration's own name) as it was sent."""
        if self.source in self.Source.values:
            return str(self.Source(self.source).label)
        return self.source

    @property
    def is_typed(self) -> bool:
        return self.provenance in TYPED_PROVENANCES

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def clean(self):
        hire_date = self.enrollment.hire_date if self.enrollment_id else None
        problems = activity_problems(
            kind=self.kind,
            occurred_at=self.occurred_at,
            amount=self.amount,
            hire_date=hire_date,
            now=timezone.now(),
            decision_maker_reached=self.decision_maker_reached,
        )
        if problems:
            errors: dict[str, list[str]] = {}
            for field, message in problems:
                errors.setdefault(field, []).append(message)
            raise ValidationError(errors)


# "3 calls", with the plural form the count asks for («1 звонок», «3 звонка», «5 звонков»).
_COUNT_TEXTS = {
    Activity.Kind.CALL: ngettext_lazy("%(num)s call", "%(num)s calls", "n"),
    Activity.Kind.MEETING: ngettext_lazy("%(num)s meeting", "%(num)s meetings", "n"),
    Activity.Kind.APPLICATION: ngettext_lazy("%(num)s application", "%(num)s applications", "n"),
    Activity.Kind.CONTRACT: ngettext_lazy("%(num)s contract", "%(num)s contracts", "n"),
    Activity.Kind.EVENT: ngettext_lazy("%(num)s event", "%(num)s events", "n"),
    Activity.Kind.REFERRAL: ngettext_lazy("%(num)s referral", "%(num)s referrals", "n"),
}


def activity_count_text(kind: str, n: int) -> str:
    """A count of one kind of activity in words: «160 звонков», «3 заявки», «1 договор»."""
    text = _COUNT_TEXTS.get(kind)
    num = formatting.number(n, None)
    if text is None:  # a kind no longer known, kept in an old statement's counts
        return f"{kind}: {num}"
    return text % {"n": n, "num": num}


class ActivityDay(models.Model):
    """How many activities of one kind an enrollment recorded on one local day.

    A summary of ``Activity`` kept current by database triggers on the activity table, so every
    write path (the logging form, CSV and API imports, the admin, COPY, cascades) updates it in
    the same transaction; ``manage.py rebuild_activity_summary`` recomputes it from scratch. The
    ramp-up and bonus counts read it instead of scanning the activity rows (see
    ``mentors/activity_summary.py`` and docs/performance.md).
    """

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The local date (settings.TIME_ZONE) of the activities' occurred_at.
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=Activity.Kind.choices)
    # The activities' provenance and whether they are confirmed: what a bonus rule counts.
    provenance = models.CharField(max_length=20, choices=PROVENANCE_CHOICES)
    confirmed = models.BooleanField()
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("activity day")
        verbose_name_plural = _("activity days")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "day", "kind", "provenance", "confirmed"],
                name="activity_day_unique",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="activity_day_count_positive"),
        ]

    def __str__(self):
        return f"{self.enrollment_id} · {self.day} · {self.kind} × {self.count}"


class BonusStatementQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=BonusStatement.Status.PROVISIONAL)

    def frozen(self):
        return self.filter(status__in=BonusStatement.FROZEN_STATUSES)


class BonusStatement(models.Model):
    """The mentor's bonus for one mentorship: counts in the window, the tier met, the amount.

    Counts, tier and amount are recomputed while the statement is provisional or final; once
    approved they are the approved figures and never change. A later recomputation that
    differs is kept in the recomputed_* fields and flags the statement for review.
    """

    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional")
        FINAL = "final", _("Final")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        # Its mentor was changed inside the window: the next mentorship's statement carries
        # the whole window on; this one counts nothing and is never approved or paid.
        SUPERSEDED = "superseded", _("Superseded")

    FROZEN_STATUSES = (Status.APPROVED, Status.PAID)

    # PROTECT: a mentorship with a statement is history money was computed from.
    mentorship = models.ForeignKey(
        Mentorship,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("mentorship"),
        # Indexed by bonus_statement_one_per_mentorship: a second index would only slow the
        # finalization's upsert of every statement.
        db_index=False,
    )
    # Local dates; the window runs from period_start 00:00 to period_end 00:00 (excluded).
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (excluded)"))
    call_count = models.PositiveIntegerField(_("calls"), default=0)
    meeting_count = models.PositiveIntegerField(_("meetings"), default=0)
    application_count = models.PositiveIntegerField(_("applications"), default=0)
    contract_count = models.PositiveIntegerField(_("contracts"), default=0)
    tier_name = models.CharField(_("tier"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROVISIONAL
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    # A recomputation after approval that differs from the approved figures.
    needs_review = models.BooleanField(_("needs review"), default=False)
    recomputed_counts = models.JSONField(_("recomputed counts"), default=dict, blank=True)
    recomputed_tier_name = models.CharField(_("recomputed tier"), max_length=100, blank=True)
    recomputed_amount = models.DecimalField(
        _("recomputed amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Set in the same transaction as any write that may change the figures (an activity, a
    # confirmation, the mentorship, the rule), cleared by the computation: the periodic sweep
    # recomputes what the broker never delivered (docs/bonuses.md, "Late activity").
    needs_recompute = models.BooleanField(_("needs recomputation"), default=False)
    # The rule version the figures were computed with.
    rule_version = models.ForeignKey(
        BonusRuleVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("rule version"),
    )
    # [{"provenance", "confirmed", "counted", "counts": {kind: n}}] of the window's activity.
    provenance_counts = models.JSONField(_("counts by provenance"), default=list, blank=True)
    # [{"day": "YYYY-MM-DD", "count": n}]: days with more typed activities than the rule's limit.
    burst_days = models.JSONField(_("burst days"), default=list, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(
        _("approval note"),
        blank=True,
        help_text=_("Why it is approved; shown with the statement and in the audit history."),
    )
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )
    # The payroll file it went out in (mentors/payroll.py): at most one, never deleted.
    payroll_batch = models.ForeignKey(
        "PayrollBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("payroll batch"),
    )

    objects = BonusStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonus statement")
        verbose_name_plural = _("bonus statements")
        ordering = ["-period_start", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship"], name="bonus_statement_one_per_mentorship"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="bonus_statement_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="bonus_statement_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["provisional", "final", "approved", "paid", "superseded"]),
                name="bonus_statement_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"]) | Q(approved_at__isnull=False),
                name="bonus_statement_approved_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="bonus_statement_paid_has_date",
            ),
            # Only approved figures go to payroll, and nothing is paid outside a batch.
            models.CheckConstraint(
                condition=Q(payroll_batch__isnull=True) | Q(status__in=["approved", "paid"]),
                name="bonus_statement_batch_only_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(payroll_batch__isnull=False),
                name="bonus_statement_paid_in_a_batch",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "period_start"]),
            models.Index(
                fields=["needs_recompute"],
                condition=Q(needs_recompute=True),
                name="bonus_statement_to_recompute",
            ),
        ]

    def __str__(self):
        return f"{self.mentorship} · {self.period_start:%Y-%m-%d}"

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN_STATUSES

    @property
    def counts(self) -> dict[str, int]:
        return {kind: getattr(self, f"{kind}_count") for kind in Activity.COUNTED_KINDS}

    @property
    def recomputed_counts_display(self) -> list[str]:
        """The recomputed counts in words: «404 звонка», «15 встреч»."""
        return [activity_count_text(k, n) for k, n in self.recomputed_counts.items()]

    @property
    def provenance_rows(self) -> list[dict]:
        """The counts by provenance for the pages: label, confirmed, counted, counts in words."""
        labels = dict(PROVENANCE_CHOICES)
        rows = []
        for row in self.provenance_counts:
            rows.append(
                {
                    **row,
                    "label": labels.get(row["provenance"], row["provenance"]),
                    "typed": row["provenance"] in TYPED_PROVENANCES,
                    "texts": [activity_count_text(k, n) for k, n in row["counts"].items() if n],
                }
            )
        return rows

    @property
    def bursts(self) -> list[dict]:
        """The burst days as dates: [{"day": date, "count": n}]."""
        return [{"day": date.fromisoformat(b["day"]), "count": b["count"]} for b in self.burst_days]

    @property
    def amount_difference(self):
        """Recomputed minus approved amount, for a statement flagged for review."""
        if self.recomputed_amount is None:
            return None
        return self.recomputed_amount - self.amount

    @property
    def last_day(self):
        """The window's last day, inclusive (period_end is excluded)."""

        return self.period_end - timedelta(days=1)


class PayrollBatch(models.Model):
    """One payroll export: the approved statements it contained, numbered, with the file that
    was handed to payroll (kept as it was, so a re-download is byte-identical), and when and
    by whom the whole batch was marked paid. See mentors/payroll.py and docs/bonuses.md."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    number = models.PositiveIntegerField(_("number"), unique=True)
    created_at = models.DateTimeField(_("created at"))
    # Empty only on the batch that gathered statements exported before batches existed.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    file_format = models.CharField(_("file format"), max_length=4, choices=Format.choices)
    # The CSV dialect of people/spreadsheets.py ("excel" or "excel-ru"); blank for XLSX.
    dialect = models.CharField(_("CSV dialect"), max_length=10, blank=True)
    filename = models.CharField(_("file name"), max_length=100)
    content = models.BinaryField(_("file"))
    statement_count = models.PositiveIntegerField(_("statements"))
    # Per currency, as {"RUB": "35000.00"}: a batch may mix currencies.
    totals = models.JSONField(_("totals"), default=dict)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )

    class Meta:
        verbose_name = _("payroll batch")
        verbose_name_plural = _("payroll batches")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1), name="payroll_batch_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True, paid_by__isnull=True) | Q(paid_at__isnull=False),
                name="payroll_batch_paid_has_date",
            ),
        ]

    def __str__(self):
        return _("Payroll batch %(number)s") % {"number": self.number}

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class ImportJob(models.Model):
    """One import of activities run in the background (mentors/jobs.py, docs/api.md): its
    file, who started it, how far it has gone and what it found."""

    class Kind(models.TextChoices):
        UPLOAD = "upload", _("File upload")
        CONNECTOR = "connector", _("Connector")
        COMMAND = "command", _("Management command")
        API = "api", _("API")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking the rows")
        RUNNING = "running", _("Saving the rows")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("import status", "Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = frozenset({Status.DONE, Status.FAILED, Status.CANCELLED})

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    fmt = models.CharField(_("format"), max_length=30)
    # Under imports/ in the default storage; deleted once the job is done, or after
    # IMPORT_JOB_FILE_RETENTION_DAYS when it failed or was cancelled.
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    all_or_nothing = models.BooleanField(_("all or nothing"), default=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    # An estimate (the file's lines) until a full pass has counted the rows.
    rows_total = models.PositiveIntegerField(_("rows (estimate)"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    invalid_rows = models.PositiveIntegerField(_("invalid rows"), default=0)
    # [{"line", "field", "message"}], the first MAX_REPORTED_ERRORS; error_count counts all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    # The e-mails that named nobody, the first MAX_REPORTED_ERRORS of them.
    unknown_identities = models.JSONField(_("unknown identities"), default=list, blank=True)
    unknown_count = models.PositiveIntegerField(_("unknown identities"), default=0)
    # A source adapter's format or connector (mentors/sources/): the rows of identities that
    # map to nobody, kept until they are mapped, the first of those identities, and the calls
    # its counting rule does not count.
    held = models.PositiveIntegerField(_("rows of unknown people kept"), default=0)
    held_identities = models.JSONField(_("unmapped identities"), default=list, blank=True)
    not_counted = models.PositiveIntegerField(_("not counted by the rule"), default=0)
    enrollment_ids = models.JSONField(_("enrollments recomputed"), default=list, blank=True)
    # Why a job failed as a whole (a file that is not CSV...): in the starter's language.
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["started_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def errors_truncated(self) -> bool:
        return len(self.errors) < self.error_count

    def progress(self) -> tuple[int, int]:
        """(value, maximum) of the progress bar: the rows checked while validating, else the
        rows written; the maximum is never below the value."""
        value = self.rows_checked if self.status == self.Status.VALIDATING else self.rows_done
        if self.status == self.Status.DONE:
            value = max(value, self.rows_total)
        return value, max(self.rows_total, value, 1)


# --- Call recordings and their reviews (docs/coaching.md) -----------------------------------


class CallRecording(LeaseHolder, RecordingFile):
    """The recording of a call, uploaded by the trainee or the mentor, or attached by a
    connector (``call_reviews.call_recording_attach``). Deleted after the retention period;
    the call's review and scorecard stay.

    Reviewing it follows the quizzes' grading rules (``quizzes.grading_rules``): the reviewer
    holds the grading lease while commenting and scoring, and a call picked for review is due
    and overdue as a quiz's answers are."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="recording", verbose_name=_("call")
    )
    # None: attached by a connector from its source's URL (mentors/recording_fetch.py).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attached by"),
    )
    review_requested_at = models.DateTimeField(_("picked for review"), null=True, blank=True)
    review_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("picked by"),
    )
    review_due_on = models.DateField(_("review due on"), null=True, blank=True)
    review_overdue_on = models.DateField(_("review overdue on"), null=True, blank=True)
    # The grading lock: who is reviewing the call now, and until when.
    leased_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_due_on__isnull=True)
                | Q(review_requested_at__isnull=False, review_overdue_on__gte=F("review_due_on")),
                name="call_review_due_when_picked",
            )
        ]

    def __str__(self):
        return f"{self.activity}"

    def review_deadline(self, today) -> GradingDeadline | None:
        """Where the picked call stands against its review dates on ``today``."""
        return GradingDeadline.of(self.review_due_on, self.review_overdue_on, today)


class CallComment(TimedComment):
    recording = models.ForeignKey(
        CallRecording, on_delete=models.CASCADE, related_name="comments", verbose_name=_("call")
    )

    class Meta(TimedComment.Meta):
        verbose_name = _("call comment")
        verbose_name_plural = _("call comments")

    def __str__(self):
        return f"{self.recording_id} @ {self.moment}"


SCORE_RANGE = [MinValueValidator(0), MaxValueValidator(2)]


class CallReview(models.Model):
    """A reviewed call's scorecard: five points of the method, each 0 (missed), 1 (partly)
    or 2 (done well). Kept after the recording itself is deleted."""

    # The scorecard's criteria, in the order the form and the pages show them.
    CRITERIA = (
        ("greeting", _("Greeting")),
        ("needs_found", _("Needs found")),
        ("decision_maker", _("Decision-maker reached")),
        ("objections", _("Objections handled")),
        ("next_step", _("Next step agreed")),
    )
    MAX_SCORE = 2

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="review", verbose_name=_("call")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    greeting = models.PositiveSmallIntegerField(_("greeting"), validators=SCORE_RANGE)
    needs_found = models.PositiveSmallIntegerField(_("needs found"), validators=SCORE_RANGE)
    decision_maker = models.PositiveSmallIntegerField(
        _("decision-maker reached"), validators=SCORE_RANGE
    )
    objections = models.PositiveSmallIntegerField(_("objections handled"), validators=SCORE_RANGE)
    next_step = models.PositiveSmallIntegerField(_("next step agreed"), validators=SCORE_RANGE)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("call review")
        verbose_name_plural = _("call reviews")
        ordering = ["-reviewed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(greeting__lte=2)
                & Q(needs_found__lte=2)
                & Q(decision_maker__lte=2)
                & Q(objections__lte=2)
                & Q(next_step__lte=2),
                name="call_review_scores_0_to_2",
            )
        ]

    def __str__(self):
        return f"{self.activity} · {self.percent} %"

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name, _label in self.CRITERIA)

    @property
    def percent(self) -> int:
        return round(100 * self.total / (self.MAX_SCORE * len(self.CRITERIA)))

    def score_rows(self) -> list[tuple[str, int]]:
        return [(label, getattr(self, name)) for name, label in self.CRITERIA]

    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name, _label in self.CRITERIA}


class CallReviewChange(models.Model):
    """An override of a saved call review, as a quiz grade's override (quizzes.GradeChange):
    who changed which points, when and why. Never deleted with the review."""

    review = models.ForeignKey(
        CallReview, on_delete=models.PROTECT, related_name="changes", verbose_name=_("call review")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    old_scores = models.JSONField(_("scores before"))
    new_scores = models.JSONField(_("scores after"))
    old_comment = models.TextField(_("comment before"), blank=True)

    class Meta:
        verbose_name = _("call review change")
        verbose_name_plural = _("call review changes")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="call_review_change_has_reason")
        ]

    def __str__(self):
        return f"{self.review} · {self.changed_at:%Y-%m-%d}"

    def rows(self) -> list[tuple[str, int | None, int | None]]:
        """(criterion, before, after) for every point that changed."""
        return [
            (label, self.old_scores.get(name), self.new_scores.get(name))
            for name, label in CallReview.CRITERIA
            if self.old_scores.get(name) != self.new_scores.get(name)
        ]


class CallRecordingFetch(models.Model):
    """A call's recording that its source gives as a URL (a PBX's or a CRM's), fetched in the
    background (``recording_fetch.recording_fetch_run``) and attached as the call's
    CallRecording; its outcome shows on the connector's status page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Attached")
        FAILED = "failed", pgettext_lazy("import status", "Failed")

    activity = models.OneToOneField(
        Activity,
        on_delete=models.CASCADE,
        related_name="recording_fetch",
        verbose_name=_("call"),
    )
    connector = models.ForeignKey(
        "Connector",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recording_fetches",
        verbose_name=_("connector"),
    )
    url = models.CharField(_("recording URL"), max_length=1000)
    # The call's length as the source gave it (the length check of a file whose own header
    # does not tell it, as an MP3's).
    duration_seconds = models.PositiveIntegerField(_("length (seconds)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    created_at = models.DateTimeField(_("found"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("call recording download")
        verbose_name_plural = _("call recording downloads")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["connector", "status"])]

    def __str__(self):
        return f"{self.activity_id} · {self.status}"


# --- Where the activity comes from: connectors and identities (docs/sources.md) ----------

ENV_NAME_VALIDATOR = RegexValidator(
    r"^[A-Z_][A-Z0-9_]*$",
    _("Name an environment variable (capital letters, digits and “_”), not the secret itself."),
)


class SourceKind(models.TextChoices):
    """The kinds of source an identity belongs to (a connector's kind, or a file format)."""

    ASTERISK = "asterisk", _("Asterisk / FreePBX call records")
    BITRIX24 = "bitrix24", _("Bitrix24")
    AMOCRM = "amocrm", _("amoCRM / Kommo")
    ICS = "ics", _("Calendar (ICS)")
    CSV = "csv", _("Spreadsheet (CSV)")


def source_file(location: str) -> Path | None:
    """A connector's file path, resolved, when it lies in one of ACTIVITY_SOURCE_ROOTS (links
    and ".." resolved first); None otherwise."""
    try:
        path = Path(location).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    for root in settings.ACTIVITY_SOURCE_ROOTS:
        if path.is_relative_to(Path(root).resolve()):
            return path
    return None


class Connector(models.Model):
    """One place activity is pulled from on a schedule: a CRM's API or a file location.

    Secrets are never stored: ``secret_env`` names the environment variable that holds the
    webhook code or the token (docs/sources.md)."""

    class Kind(models.TextChoices):
        BITRIX24 = "bitrix24", _("Bitrix24 (incoming webhook)")
        AMOCRM = "amocrm", _("amoCRM / Kommo (API v4)")
        ASTERISK = "asterisk", _("Asterisk / FreePBX Master.csv file")
        ICS = "ics", _("Calendar export (ICS file)")

    name = models.SlugField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    location = models.CharField(
        _("URL or file path"),
        max_length=500,
        help_text=_(
            "Bitrix24: the webhook's address without its code, e.g. "
            "https://example.bitrix24.ru/rest/1; amoCRM: https://example.amocrm.ru; "
            "a file: its path on the server."
        ),
    )
    secret_env = models.CharField(
        _("secret's environment variable"),
        max_length=100,
        blank=True,
        validators=[ENV_NAME_VALIDATOR],
        help_text=_(
            "The name of the environment variable holding the webhook code (Bitrix24) or the "
            "long-lived token (amoCRM). Never the secret itself."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    interval_minutes = models.PositiveIntegerField(
        _("run every (minutes)"), default=60, validators=[MinValueValidator(5)]
    )
    asterisk_utc = models.BooleanField(
        _("call records in UTC"),
        default=False,
        help_text=_("Asterisk writes local time unless cdr.conf says usegmtime=yes."),
    )
    outbound_only = models.BooleanField(_("count outbound calls only"), default=True)
    answered_only = models.BooleanField(_("count answered calls only"), default=True)
    min_call_seconds = models.PositiveIntegerField(
        _("shortest call that counts (seconds of talk)"), default=30
    )
    cursor = models.JSONField(_("where the next run starts"), default=dict, blank=True)
    running_since = models.DateTimeField(_("running since"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity connector")
        verbose_name_plural = _("activity connectors")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.kind in (self.Kind.ASTERISK, self.Kind.ICS) and self.location:
            if source_file(self.location) is None:
                raise ValidationError(
                    {
                        "location": _(
                            "The file must be in one of the folders connectors may read: %(roots)s."
                        )
                        % {"roots": ", ".join(settings.ACTIVITY_SOURCE_ROOTS)}
                    }
                )
        elif self.location and not self.location.startswith(("https://", "http://")):
            raise ValidationError({"location": _("Give the service's address (https://…).")})
        if self.kind in (self.Kind.BITRIX24, self.Kind.AMOCRM) and not self.secret_env:
            raise ValidationError(
                {"secret_env": _("Name the environment variable that holds the secret.")}
            )

    def is_due(self, now) -> bool:
        if not self.enabled:
            return False
        if self.last_run_at is None:
            return True
        return self.last_run_at + timedelta(minutes=self.interval_minutes) <= now

    def counting_rule_text(self) -> str:
        """The counting rule in words, for the admin's list and status page."""
        parts = []
        if self.answered_only:
            parts.append(_("answered"))
        if self.outbound_only:
            parts.append(_("outbound"))
        return _("Calls counted: %(which)s, at least %(seconds)s s of talk") % {
            "which": ", ".join(str(p) for p in parts) or _("all"),
            "seconds": self.min_call_seconds,
        }


class ConnectorRun(models.Model):
    """What one run of a connector (or a file import) took: its status page lists these."""

    class Status(models.TextChoices):
        OK = "ok", _("Done")
        INVALID = "invalid", _("Invalid rows only")
        FAILED = "failed", pgettext_lazy("import status", "Failed")

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="runs", verbose_name=_("connector")
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows taken"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    not_counted = models.PositiveIntegerField(_("not counted by the rule"), default=0)
    unknown = models.PositiveIntegerField(_("rows of unknown people"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The background job that imported the run's rows (its progress page).
    job = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import job"),
    )

    class Meta:
        verbose_name = _("connector run")
        verbose_name_plural = _("connector runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.connector} · {self.started_at:%Y-%m-%d %H:%M}"


class IdentityMapping(models.Model):
    """Who a source's identity is: an extension, a CRM user id or an e-mail → a person."""

    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    identity = models.CharField(
        _("identity"),
        max_length=200,
        help_text=_("The extension (e.g. 101), the CRM user's id, or the calendar e-mail."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="source_identities",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("identity mapping")
        verbose_name_plural = _("identity mappings")
        ordering = ["source_kind", "identity"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "identity"], name="identity_mapping_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_source_kind_display()}: {self.identity}"


class UnknownIdentity(models.Model):
    """An identity a source sent that maps to nobody: reported, and its rows kept."""

    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    identity = models.CharField(_("identity"), max_length=200)
    connector = models.ForeignKey(
        Connector,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unknown_identities",
        verbose_name=_("connector"),
    )
    count = models.PositiveIntegerField(_("rows"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("unknown identity")
        verbose_name_plural = _("unknown identities")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "identity"], name="unknown_identity_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_source_kind_display()}: {self.identity}"


class HeldRow(models.Model):
    """A row of an unknown identity, kept until the identity is mapped and re-applied."""

    unknown = models.ForeignKey(
        UnknownIdentity, on_delete=models.CASCADE, related_name="rows", verbose_name=_("identity")
    )
    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=200)
    raw = models.JSONField(_("row"))

    class Meta:
        verbose_name = _("held row")
        verbose_name_plural = _("held rows")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="held_row_unique")
        ]

    def __str__(self):
        return f"{self.source}:{self.external_id}"
