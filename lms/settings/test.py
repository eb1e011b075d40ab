"""Test settings: the same code paths, with fast hashing and in-memory mail."""

import os

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline unless a test (the real-worker integration tests) sends them to a broker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
MEDIA_ROOT = VAR_DIR / "test-media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# With a shared cache (CI's PostgreSQL pass: CACHE_URL on Redis), each test process keeps its
# own keys, so that one process emptying its keys between tests (tests/conftest.py) never
# touches another's. The real workers of the integration tests run these settings in the same
# environment, so they share the test process's keys.
if CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] not in {"LocMemCache", "DummyCache"}:
    CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
# The same database under a second alias, as a replica would be (tests/rampup/
# test_dashboard_replica.py turns REPORTS_DATABASE on); a mirror: no database is created.
DATABASES.setdefault("replica", {**DATABASES["default"], "TEST": {"MIRROR": "default"}})
