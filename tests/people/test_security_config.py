from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django.utils import timezone

from people.roles import Role
from tests.conftest import make_user
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failed_logins_lock_the_account_from_that_address_for_15_minutes(client):
    user = make_user(Role.TRAINEE)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, user.username, "wrong").status_code == 200
    assert login(client, user.username, "wrong").status_code == 429  # the fifth locks
    locked = login(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # Another address is not locked out for this username.
    assert login(client, user.username, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert login(client, user.username, PASSWORD).status_code == 302


def test_lockout_is_recorded():
    from axes.models import AccessAttempt

    user = make_user()
    from django.test import Client

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user.username, "wrong")
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT


def test_passwords_are_hashed_with_argon2_outside_tests(settings):
    # The tests hash with MD5 for speed; every other environment uses base's list.
    from django.contrib.auth.hashers import make_password

    from lms.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    assert identify_hasher(make_password("x")).algorithm == "argon2"


def test_site_pages_send_a_strict_content_security_policy(client):
    client.force_login(make_user(Role.TRAINEE))
    policy = client.get(reverse("courses:my_onboarding"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "frame-ancestors 'self'" in policy


def test_the_wagtail_admin_may_run_its_inline_scripts(client):
    client.force_login(make_user(Role.HR))
    policy = client.get("/admin/")["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy


def test_security_headers(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_docs_need_no_cdn(client):
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"cdn" not in page.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in page.content


def test_programmatic_login_without_a_request_still_works(client):
    user = make_user(Role.TRAINEE)
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("courses:my_onboarding")).status_code == 200
