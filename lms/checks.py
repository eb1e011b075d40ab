"""Deployment checks (`manage.py check --deploy`) for what the settings cannot decide alone."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from mentors import lifecycle

PER_PROCESS_CACHES = {"LocMemCache", "DummyCache"}


def _per_process_cache() -> bool:
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] in PER_PROCESS_CACHES


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    if not _per_process_cache():
        return []
    return [
        Warning(
            "CACHE_URL is not set: each process has its own in-memory cache.",
            hint="The ramp-up dashboard is then computed once per worker. Set "
            "CACHE_URL=redis://... for every web and Celery worker.",
            id="lms.W001",
        )
    ]


@register(Tags.database, deploy=True)
def database_configured(app_configs, **kwargs):
    """Without DATABASE_URL the settings fall back to the embedded SQLite file: fine on a
    laptop, silently wrong on a server (one writer at a time, the data on the app's disk)."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return []
    return [
        Warning(
            "DATABASE_URL is not set: the site runs on the embedded SQLite file.",
            hint="Set DATABASE_URL=postgres://... for every web and Celery worker.",
            id="lms.W002",
        )
    ]


@register(deploy=True)
def broker_configured(app_configs, **kwargs):
    """Without CELERY_BROKER_URL every task runs inside the web request (eager): the e-mails,
    the finalization and the recomputations hold up the pages, and nothing retries."""
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    return [
        Warning(
            "CELERY_BROKER_URL is not set (or CELERY_TASK_ALWAYS_EAGER is on): background "
            "tasks run inside the web requests.",
            hint="Set CELERY_BROKER_URL=redis://... for every web and Celery worker, and run "
            "a Celery worker and beat.",
            id="lms.W003",
        )
    ]


@register()
def mentorship_ends_at(app_configs, **kwargs):
    """A mistyped MENTORSHIP_ENDS_AT stops the server and the worker at start, with the
    setting's name, rather than failing each readiness sign-off (docs/bonuses.md)."""
    if settings.MENTORSHIP_ENDS_AT in lifecycle.CHOICES:
        return []
    return [
        Error(
            f"MENTORSHIP_ENDS_AT is {settings.MENTORSHIP_ENDS_AT!r}.",
            hint="Set it to one of: " + ", ".join(lifecycle.CHOICES) + ".",
            id="lms.E001",
        )
    ]
