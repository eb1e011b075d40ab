from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from .forms import MonthPercentagesWidget


def default_percentages():
    return [20, 40, 60, 80, 90, 100]


class RampPlan(models.Model):
    """A program's six-month ramp-up plan and the norms a new manager is judged against.

    Target for month k and metric m = full monthly target of m x percentage of month k / 100;
    months after the last listed percentage use 100.
    """

    program = models.OneToOneField(
        "courses.ProgramPage",
        on_delete=models.CASCADE,
        related_name="ramp_plan",
        verbose_name=_("program"),
    )
    target_call = models.PositiveIntegerField(_("calls a month (full)"), default=300)
    target_meeting = models.PositiveIntegerField(_("meetings a month (full)"), default=30)
    target_application = models.PositiveIntegerField(_("applications a month (full)"), default=10)
    target_contract = models.PositiveIntegerField(_("contracts a month (full)"), default=2)
    percentages = models.JSONField(
        _("monthly percentages"),
        default=default_percentages,
        help_text=_(
            "The share of the full monthly targets a new manager is expected to reach in each "
            "of the first six months, in %. Months left empty at the end, and later months, "
            "use 100 %."
        ),
    )
    events_per_month_norm = models.DecimalField(
        _("events per month (norm)"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    referrals_per_month_norm = models.DecimalField(
        _("referrals per month (norm)"), max_digits=5, decimal_places=2, default=Decimal("2")
    )
    panels = [
        FieldPanel("program"),
        MultiFieldPanel(
            [
                FieldPanel("target_call"),
                FieldPanel("target_meeting"),
                FieldPanel("target_application"),
                FieldPanel("target_contract"),
            ],
            heading=_("Full monthly targets (0 = not planned)"),
        ),
        FieldPanel("percentages", widget=MonthPercentagesWidget),
        MultiFieldPanel(
            [
                FieldPanel("events_per_month_norm"),
                FieldPanel("referrals_per_month_norm"),
            ],
            heading=_("Effectiveness norms"),
            help_text=_(
                "The meetings norm comes from the program's sales model (b2b or b2c); the "
                "other criteria have the method's fixed norms (docs/ramp-up.md)."
            ),
        ),
    ]

    class Meta:
        db_table = "lms_rampplan"  # the table of the app it came from (rampup/migrations/0001)
        verbose_name = _("ramp-up plan")
        verbose_name_plural = _("ramp-up plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(events_per_month_norm__gte=0) & Q(referrals_per_month_norm__gte=0),
                name="ramp_plan_norms_not_negative",
            )
        ]

    def __str__(self):
        return f"{self.program}"

    def clean(self):
        pct = self.percentages
        if not isinstance(pct, list) or not pct:
            raise ValidationError({"percentages": _("Give at least one monthly percentage.")})
        for value in pct:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (0 <= value <= 100)
            ):
                raise ValidationError(
                    {"percentages": _("Each percentage is a number from 0 to 100.")}
                )

    @property
    def full_targets(self) -> dict[str, int]:
        return {
            "call": self.target_call,
            "meeting": self.target_meeting,
            "application": self.target_application,
            "contract": self.target_contract,
        }

    def percentage(self, month: int) -> Decimal:
        if 1 <= month <= len(self.percentages):
            return Decimal(str(self.percentages[month - 1]))
        return Decimal(100)


class RampMonth(models.Model):
    """How many calls, meetings, applications and contracts an enrollment recorded in one ramp
    month (1-based, by its hire date: rampup.figures.month_index), every provenance counted.

    A summary of the per-day summary (``mentors.ActivityDay``) kept current by database
    triggers on that table and on the enrollments' hire dates (rampup/month_summary.py), so the
    dashboard reads about 12 rows per trainee instead of regrouping some 230 day rows.
    ``manage.py rebuild_ramp_months`` recomputes it from the day rows.
    """

    enrollment = models.ForeignKey(
        "courses.Enrollment", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Below 1 for activities dated before the hire date: kept, as the day rows keep them.
    month_index = models.IntegerField()
    call = models.PositiveIntegerField(default=0)
    meeting = models.PositiveIntegerField(default=0)
    application = models.PositiveIntegerField(default=0)
    contract = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ramp month")
        verbose_name_plural = _("ramp months")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "month_index"], name="ramp_month_unique"),
            models.CheckConstraint(
                condition=Q(call__gt=0)
                | Q(meeting__gt=0)
                | Q(application__gt=0)
                | Q(contract__gt=0),
                name="ramp_month_not_empty",
            ),
        ]

    def __str__(self):
        return f"{self.enrollment_id} · {self.month_index}"
