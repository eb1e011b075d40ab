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
    "lms.RampPlan",
]


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Onboarding site")

    def ready(self):
        # Every app's permissions exist only once all post_migrate handlers ran, so the role
        # sync runs after the signal for the last installed app with models.
        post_migrate.connect(_after_last_app_migrated)
        from . import checks  # noqa: F401 - registers the deploy checks

        for label in DASHBOARD_SOURCES:
            model = self.apps.get_model(label)
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    _dashboard_source_changed,
                    sender=model,
                    dispatch_uid=f"lms.dashboard.{name}.{label}",
                )


def _after_last_app_migrated(sender, **kwargs):
    from django.apps import apps

    from . import roles, schedule

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    roles.sync_role_permissions()
    schedule.ensure_default_schedule()


def _dashboard_source_changed(sender, **kwargs):
    from .dashboard import dashboard_cache_bump

    dashboard_cache_bump()
