"""Test settings: the same code paths, with fast hashing and in-memory mail."""

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline unless a test (the real-worker integration tests) sends them to a broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
MEDIA_ROOT = VAR_DIR / "test-media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# One process: the in-memory cache is shared by everything a test does, so every test runs
# with the personal page cache on and would see a page it left stale.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
