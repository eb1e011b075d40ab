"""Local development: the embedded default with debugging on."""

from .base import *

DEBUG = env.bool("DJANGO_DEBUG", default=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# `make run` serves from one process and runs tasks in it (no broker): the in-memory cache
# is shared by every write and page, so the personal page cache is safe on.
if CELERY_TASK_ALWAYS_EAGER:
    PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
