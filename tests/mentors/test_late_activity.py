"""Late activity always reaches its statement: the write flags the statement in its own
transaction, and the periodic sweep recomputes it whether or not the broker was up; an
approved or paid statement is flagged for review only when its tier or amount would change."""

from __future__ import annotations

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import OperationalError
from django.test import override_settings
from django.urls import reverse

from lms.schedule import DEFAULT_SCHEDULE
from mentors import services, tasks
from mentors.models import BonusStatement
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
# The window [1 Feb, 3 Mar) is over: the statement is final.
AFTER = datetime(2026, 3, 5, 12, tzinfo=MSK)
IN_WINDOW = datetime(2026, 2, 20, 10, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _moscow():
    with override_settings(TIME_ZONE="Europe/Moscow"), time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def mentorship():
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    enrollment = make_enrollment(trainee=trainee, hire_date=date(2026, 1, 26))
    m = make_mentorship(enrollment=enrollment, rule=make_rule(), started_on=date(2026, 2, 1))
    add_activities(enrollment, "call", 295, IN_WINDOW, provenance="pbx")
    add_activities(enrollment, "application", 10, IN_WINDOW, provenance="crm")
    return m


@pytest.fixture
def broker_down():
    with mock.patch.object(
        tasks.statement_recompute,
        "apply_async",
        side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
    ) as patched:
        yield patched


def log_calls(mentorship, user, n, capture):
    with capture(execute=True):
        for i in range(n):
            services.activity_record(
                enrollment=mentorship.enrollment,
                kind="call",
                occurred_at=IN_WINDOW.replace(minute=i),
                recorded_by=user,
            )


def test_with_the_broker_down_a_late_activity_refreshes_a_final_statement(
    mentorship, hr, broker_down, django_capture_on_commit_callbacks
):
    statement = services.statement_compute(mentorship_id=mentorship.pk)
    assert (statement.status, statement.call_count, statement.tier_name) == ("final", 295, "Base")
    log_calls(mentorship, hr, 5, django_capture_on_commit_callbacks)
    assert broker_down.called  # the task was never published
    stale = BonusStatement.objects.get(pk=statement.pk)
    assert (stale.call_count, stale.needs_recompute) == (295, True)
    # The daily finalization alone skips final statements; the sweep does not.
    assert tasks.statements_recompute_flagged() == 1
    fresh = BonusStatement.objects.get(pk=statement.pk)
    assert (fresh.status, fresh.call_count, fresh.tier_name) == ("final", 300, "Increased")
    assert not fresh.needs_recompute
    assert tasks.statements_recompute_flagged() == 0  # nothing left to do


def test_the_daily_finalization_also_sweeps_the_flagged(
    mentorship, hr, broker_down, django_capture_on_commit_callbacks
):
    services.statement_compute(mentorship_id=mentorship.pk)
    log_calls(mentorship, hr, 5, django_capture_on_commit_callbacks)
    services.statements_finalize_due()
    assert BonusStatement.objects.get(mentorship=mentorship).call_count == 300


def approve(statement):
    statement.status, statement.approved_at = "approved", AFTER
    statement.save()


def test_an_approved_statement_is_not_flagged_when_tier_and_amount_stay(
    mentorship, hr, broker_down, django_capture_on_commit_callbacks
):
    """Two late calls: the counts move, the Base tier and its 5,000 do not."""
    approve(services.statement_compute(mentorship_id=mentorship.pk))
    log_calls(mentorship, hr, 2, django_capture_on_commit_callbacks)
    services.statements_recompute_flagged()
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert (statement.status, statement.call_count, statement.tier_name) == (
        "approved",
        295,
        "Base",
    )
    assert not statement.needs_review
    assert not statement.needs_recompute


def test_an_approved_statement_is_flagged_with_the_difference_when_the_tier_changes(
    client, director, mentorship, hr, broker_down, django_capture_on_commit_callbacks
):
    approve(services.statement_compute(mentorship_id=mentorship.pk))
    log_calls(mentorship, hr, 5, django_capture_on_commit_callbacks)
    services.statements_recompute_flagged()
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert (statement.call_count, statement.tier_name, statement.amount) == (295, "Base", 5000)
    assert statement.needs_review
    assert (statement.recomputed_tier_name, statement.amount_difference) == ("Increased", 10000)
    client.force_login(director)
    body = client.get(reverse("mentors:bonuses")).content.decode()
    assert "Needs review" in body
    assert "Tier Base → Increased" in body
    assert "10" in body.split("Tier Base → Increased", 1)[1][:80]


def test_typed_activity_waiting_for_confirmation_flags_nothing(
    mentorship, broker_down, django_capture_on_commit_callbacks
):
    """The trainee's own late calls do not count before a confirmation: the approved
    statement is recomputed and nothing is flagged."""
    approve(services.statement_compute(mentorship_id=mentorship.pk))
    log_calls(mentorship, mentorship.enrollment.trainee, 5, django_capture_on_commit_callbacks)
    services.statements_recompute_flagged()
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert not statement.needs_review


def test_the_sweep_is_in_the_default_schedule():
    entry = next(e for e in DEFAULT_SCHEDULE if e["task"].endswith("statements_recompute_flagged"))
    assert entry["task"] == "mentors.tasks.statements_recompute_flagged"
    assert entry["crontab"] == {"minute": "*/5"}
    assert tasks.statements_recompute_flagged.name == entry["task"]
