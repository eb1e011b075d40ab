"""Deployment checks (`manage.py check --deploy`) for what the settings cannot decide alone."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

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
