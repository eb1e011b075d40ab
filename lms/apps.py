from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Onboarding site")

    def ready(self):
        # Every app's permissions exist only once all post_migrate handlers ran, so the role
        # sync runs after the signal for the last installed app with models.
        post_migrate.connect(_after_last_app_migrated)


def _after_last_app_migrated(sender, **kwargs):
    from django.apps import apps

    from . import roles, schedule

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not with_models[-1]:
        return
    roles.sync_role_permissions()
    schedule.ensure_default_schedule()
