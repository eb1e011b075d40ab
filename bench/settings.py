"""The site as benchmark 5 serves it under gunicorn: production-like, plus a bare view.

The development settings (embedded defaults, the same DATABASE_URL and secret key as the bench
process, so the sessions it creates are valid here) with what production changes that matters
for speed: DEBUG off, persistent database connections, static files indexed once at start.
django-axes is off because nobody logs in during the run (the sessions are made beforehand).
"""

from lms.settings.dev import *  # noqa: F403
from lms.settings.dev import DATABASES, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
AXES_ENABLED = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
WHITENOISE_AUTOREFRESH = False
