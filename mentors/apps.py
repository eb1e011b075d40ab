from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentoring")

    def ready(self):
        post_migrate.connect(_ensure_integration_group, sender=self)


def _ensure_integration_group(sender, **kwargs):
    from .integration import ensure_integration_group

    ensure_integration_group()
