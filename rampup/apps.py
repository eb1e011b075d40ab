from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

# What the ramp-up dashboard shows and people change by hand: a change to one of these makes
# every cached dashboard page stale. Activities are left out on purpose: the CRM sends them
# all day, and the cache's time to live covers them (docs/ramp-up.md, "Freshness").
# EnrollmentEvent: every enrollment service (enrol, drop, reactivate, sign off, a stage
# completed) records one, whether or not it saves the enrollment itself.
DASHBOARD_SOURCES = [
    "courses.Enrollment",
    "courses.EnrollmentEvent",
    "courses.ReadinessSignOff",
    "mentors.Mentorship",
    "rampup.RampPlan",
]


class RampupConfig(AppConfig):
    """What directors read: ramp plans, the dashboard, drill-down, exports, audit history."""

    name = "rampup"
    verbose_name = _("Ramp-up")

    def ready(self):
        # Imported here: the dashboard module imports models, which the app registry has not
        # loaded when it imports this module.
        from .dashboard import dashboard_cache_bump

        def source_changed(sender, **kwargs):
            dashboard_cache_bump()

        for label in DASHBOARD_SOURCES:
            model = self.apps.get_model(label)
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    source_changed,
                    sender=model,
                    weak=False,
                    dispatch_uid=f"rampup.dashboard.{name}.{label}",
                )
        # After mentors' own post_migrate (INSTALLED_APPS order): the day rows are current.
        post_migrate.connect(_ensure_ramp_months, sender=self)


def _ensure_ramp_months(sender, using="default", **kwargs):
    # Imported here: the month summary module imports models (see ready()).
    from .month_summary import ramp_months_ensure

    ramp_months_ensure(using=using)
