"""With a read replica (DATABASE_REPLICA_URL: REPORTS_DATABASE), the dashboard's and the
exports' reads go there and nothing else does. The replica here is a second alias of the test
database (lms/settings/test.py), so the rows are the same and the queries tell which alias
ran them."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.roles import Role
from tests.conftest import make_user
from tests.rampup.helpers import make_program, populate, table_pks

pytestmark = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)

PLAN = {"target_call": 100, "target_meeting": 10, "target_application": 5, "target_contract": 0}


def _requests(client, settings):
    program = make_program(**PLAN)
    enrollments, _mentor = populate(program, 3)
    client.force_login(make_user(Role.DIRECTOR))
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        page = client.get(reverse("dashboard"))
        export = client.get(reverse("dashboard_export_csv"))
    assert set(table_pks(page)) == {e.pk for e in enrollments}
    assert len(export.content.splitlines()) == 4
    return [q["sql"] for q in primary], [q["sql"] for q in replica]


def test_the_reports_read_the_replica(client, settings):
    settings.REPORTS_DATABASE = "replica"
    primary, replica = _requests(client, settings)
    assert any("rampup_rampmonth" in sql for sql in replica)  # the month summary
    assert any("courses_enrollment" in sql for sql in replica)
    # The primary serves the session and the signed-in user only.
    for sql in primary:
        assert "courses_" not in sql, sql
        assert "mentors_" not in sql, sql
        assert "rampup_rampmonth" not in sql, sql


def test_without_a_replica_everything_reads_the_primary(client, settings):
    settings.REPORTS_DATABASE = None
    primary, replica = _requests(client, settings)
    assert replica == []
    assert any("rampup_rampmonth" in sql for sql in primary)
