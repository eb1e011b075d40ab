from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


def default_currency():
    return settings.DEFAULT_CURRENCY


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

    panels = [
        FieldPanel("name"),
        FieldPanel("currency"),
        FieldPanel("period_days"),
        InlinePanel("tiers", label=_("Tiers"), min_num=1),
    ]

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")
        ordering = ["name"]

    def __str__(self):
        return self.name


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
    bonus_rule = models.ForeignKey(
        BonusRule,
        on_delete=models.PROTECT,
        related_name="mentorships",
        null=True,
        blank=True,
        verbose_name=_("bonus rule"),
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
        ]

    def __str__(self):
        return f"{self.mentor} → {self.enrollment}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None
