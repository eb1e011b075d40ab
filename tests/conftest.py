import os
import shutil

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from people.roles import Role
from tests.people.factories import UserFactory

BROWSER_MARK = "browser"
INTEGRATION_MARK = "integration"


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _integration_ready() -> tuple[bool, str]:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return False, "needs PostgreSQL (set DATABASE_URL=postgres://...)"
    if not settings.CELERY_BROKER_URL:
        return False, "needs a broker (set CELERY_BROKER_URL=redis://...)"
    return True, ""


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """Every test starts with an empty cache, as it starts with an empty database: a shared
    cache (Redis, CI's PostgreSQL pass) outlives the test's transaction, so cached site root
    paths, dashboards or throttle counters would otherwise leak into the next test. Only this
    process's keys (its KEY_PREFIX, lms/settings/test.py) are deleted."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # django-redis
        cache.delete_pattern("*")


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the site's default language: Django's active language belongs to
    the thread, and a test that served a page in Russian would otherwise leave it on for the
    next test of the same process (a mentorship then ends with «Наставник сменён»)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def pytest_collection_modifyitems(config, items):
    skip_browser = None
    if os.environ.get("SKIP_BROWSER") and not os.environ.get("REQUIRE_BROWSER"):
        skip_browser = pytest.mark.skip(reason="browser tests run separately (SKIP_BROWSER=1)")
    elif _chromium_path() is None and not os.environ.get("REQUIRE_BROWSER"):
        skip_browser = pytest.mark.skip(
            reason="Chromium not found: apt-get install chromium to run the browser tests"
        )
    ready, why = _integration_ready()
    skip_integration = None
    if not ready and not os.environ.get("REQUIRE_INTEGRATION"):
        skip_integration = pytest.mark.skip(reason=f"integration test {why}")
    for item in items:
        if skip_browser and BROWSER_MARK in item.keywords:
            item.add_marker(skip_browser)
        if skip_integration and INTEGRATION_MARK in item.keywords:
            item.add_marker(skip_integration)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def make_user(role: str | None = None, **kwargs):
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def trainee(db):
    return make_user(Role.TRAINEE)


@pytest.fixture
def mentor(db):
    return make_user(Role.MENTOR)


@pytest.fixture
def hr(db):
    return make_user(Role.HR)


@pytest.fixture
def head_of_sales(db):
    return make_user(Role.HEAD_OF_SALES)


@pytest.fixture
def director(db):
    return make_user(Role.DIRECTOR)
