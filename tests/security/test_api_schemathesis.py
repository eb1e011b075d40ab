"""Schemathesis against /api/schema/: requests generated from the OpenAPI schema for every
operation, sent to the Django WSGI app as the integration account and as a trainee, never get
a server error. (Schemathesis' pytest plugin does not run under pytest 9, so the operations'
Hypothesis strategies are driven directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

BOUNDED = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operations"
    return operations


def _fuzz(token: str) -> list[str]:
    headers = {"Authorization": f"Token {token}"}
    covered = []
    for operation in _operations():

        @BOUNDED
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error], headers=headers)

        run()
        covered.append(f"{operation.method.upper()} {operation.path}")
    return covered


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: requests sent straight to the WSGI app must not close the
    test's database connection at request end (with CONN_MAX_AGE=0 on PostgreSQL they would,
    and the test's transaction would be gone)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["integration", "trainee_a"], ids=["crm", "trainee"])
def test_api_never_answers_with_a_server_error(world, persona, keep_test_connection):
    token, _created = Token.objects.get_or_create(user=world.user(persona))
    covered = _fuzz(token.key)
    assert "POST /api/v1/activities/" in covered
    assert "GET /api/v1/enrollments/{id}/ramp/" in covered
