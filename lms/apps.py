from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from people.apps import is_last_app_migrated


class LmsConfig(AppConfig):
    """The project package: settings, URLs, the Celery app and its default schedule. It holds
    no models; its migrations are the history of the models that moved to people and rampup."""

    name = "lms"
    verbose_name = _("Onboarding site")

    def ready(self):
        from . import checks  # noqa: F401 - registering the deploy checks is importing them

        post_migrate.connect(_ensure_schedule, dispatch_uid="lms.ensure_schedule")


def _ensure_schedule(sender, **kwargs):
    # Imported here: django-celery-beat's models are not loaded when this module is imported.
    from .schedule import ensure_default_schedule

    if is_last_app_migrated(sender):
        ensure_default_schedule()
