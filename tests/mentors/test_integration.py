"""PostgreSQL + Redis + a real Celery worker: concurrency and the asynchronous recomputation."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mentors import services
from mentors.integration import INTEGRATION_GROUP
from mentors.models import BonusStatement
from people.roles import Role
from tests.conftest import make_user
from tests.integration import celery_worker, run_by_worker, wait_until

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _open_mentorship(email="anna@example.com"):
    today = timezone.localdate()
    trainee = make_user(Role.TRAINEE, email=email)
    enrollment = make_enrollment(trainee=trainee, hire_date=today - timedelta(days=10))
    return make_mentorship(
        enrollment=enrollment, rule=make_rule(), started_on=today - timedelta(days=7)
    )


def test_computing_concurrently_gives_one_statement_with_the_same_numbers():
    assert connection.vendor == "postgresql"
    mentorship = _open_mentorship()
    at = timezone.now() - timedelta(days=1)
    add_activities(mentorship.enrollment, "call", 12, at)
    add_activities(mentorship.enrollment, "application", 2, at)

    workers = 6
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            statement = services.statement_compute(mentorship_id=mentorship.pk)
            results.append(
                (
                    statement.pk,
                    tuple(statement.counts.items()),
                    statement.tier_name,
                    statement.amount,
                )
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == workers
    assert len(set(results)) == 1
    assert BonusStatement.objects.filter(mentorship=mentorship).count() == 1
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert statement.counts == {"call": 12, "meeting": 0, "application": 2, "contract": 0}
    assert statement.status == BonusStatement.Status.PROVISIONAL


def test_activities_posted_through_the_api_update_the_statement_in_the_worker():
    mentorship = _open_mentorship()
    bot = make_user(username="telephony")
    bot.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bot).key}")
    when = (timezone.localtime() - timedelta(hours=3)).replace(microsecond=0)
    batch = [
        {
            "trainee": "anna@example.com",
            "kind": "call",
            "occurred_at": (when - timedelta(minutes=i)).isoformat(),
            "source": "telephony",
            "external_id": f"call-{i}",
        }
        for i in range(25)
    ]
    batch.append(
        {
            "trainee": "anna@example.com",
            "kind": "application",
            "occurred_at": when.isoformat(),
            "source": "crm",
            "external_id": "app-1",
        }
    )
    with celery_worker() as worker:
        response = client.post("/api/v1/activities/", batch, format="json")
        assert response.status_code == 201, response.content
        assert response.json() == {"created": 26, "duplicates": 0}

        def updated():
            statement = BonusStatement.objects.filter(mentorship=mentorship).first()
            return statement if statement and statement.call_count == 25 else None

        # Nothing computes in this process: the worker does, after the commit and countdown.
        statement = wait_until(updated, timeout=60, interval=0.5)
        assert statement.application_count == 1
        assert statement.status == BonusStatement.Status.PROVISIONAL
        assert statement.tier_name == "Base"
        run_by_worker("mentors.tasks.statement_recompute", worker)

        # The same batch again: no new rows, and the statement keeps the same numbers.
        again = client.post("/api/v1/activities/", batch, format="json")
        assert again.json() == {"created": 0, "duplicates": 26}
    statement.refresh_from_db()
    assert statement.call_count == 25
