from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareersConfig(AppConfig):
    """After onboarding: the ladder of levels, what each asks, its pay band per office, and
    each person's level, history and way to the next one."""

    name = "careers"
    verbose_name = _("Careers")

    def ready(self):
        # Imported here: the receivers import models, which are not loaded when the app
        # registry imports this module.
        from . import receivers

        receivers.connect()
