from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def is_last_app_migrated(sender) -> bool:
    """Whether a post_migrate signal comes from the last installed app with models: only then
    do every app's permissions and content types exist."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    return sender is with_models[-1]


class PeopleConfig(AppConfig):
    """The ground floor: roles, profiles, notifications, login."""

    name = "people"
    verbose_name = _("People")

    def ready(self):
        from . import spreadsheets, task_runs, tasks  # noqa: F401  tasks: registers them by name

        task_runs.connect()
        spreadsheets.route_wagtail_exports()
        post_migrate.connect(_sync_roles, dispatch_uid="people.sync_roles")


def _sync_roles(sender, **kwargs):
    # Imported here: the roles module reads the auth and Wagtail models, which are not
    # loaded when the app registry imports this module.
    from .roles import sync_role_permissions

    if is_last_app_migrated(sender):
        sync_role_permissions()
