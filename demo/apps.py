from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo company (``manage.py seed_demo``): data builders kept apart from the apps."""

    name = "demo"
    verbose_name = _("Demo company")
