"""Bonus statement semantics: the window, the tier, the statuses, late activity."""

from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings

from mentors import payroll, permissions, services
from mentors.models import BonusStatement
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

MSK = ZoneInfo("Europe/Moscow")
UTC = ZoneInfo("UTC")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _moscow():
    with override_settings(TIME_ZONE="Europe/Moscow"):
        yield


@pytest.fixture
def mentorship():
    """Started 1 Feb 2026 under a 30-day rule: the window is [1 Feb 00:00, 3 Mar 00:00) MSK."""
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    return make_mentorship(enrollment=enrollment, rule=make_rule(), started_on=date(2026, 2, 1))


def compute(mentorship, at=datetime(2026, 2, 15, 12, tzinfo=MSK)):
    with time_machine.travel(at, tick=False):
        return services.statement_compute(mentorship_id=mentorship.pk)


def test_window_end_is_excluded_at_local_midnight(mentorship):
    e = mentorship.enrollment
    add_activities(e, "call", 1, datetime(2026, 3, 3, 0, 0, tzinfo=MSK))  # exactly the end
    add_activities(e, "call", 2, datetime(2026, 3, 2, 23, 59, 59, tzinfo=MSK))  # last second
    # 22:30 UTC on 2 March is 01:30 on 3 March in Moscow: outside, although the UTC date is 2nd.
    add_activities(e, "call", 4, datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    statement = compute(mentorship)
    assert statement.call_count == 2
    assert (statement.period_start, statement.period_end) == (date(2026, 2, 1), date(2026, 3, 3))


def test_window_start_is_local_midnight_not_utc(mentorship):
    e = mentorship.enrollment
    add_activities(e, "meeting", 1, datetime(2026, 2, 1, 0, 0, tzinfo=MSK))  # the start: inside
    add_activities(e, "meeting", 2, datetime(2026, 1, 31, 23, 59, tzinfo=MSK))  # before
    # 21:30 UTC on 31 January is 00:30 on 1 February in Moscow: inside.
    add_activities(e, "meeting", 4, datetime(2026, 1, 31, 21, 30, tzinfo=UTC))
    assert compute(mentorship).meeting_count == 5


def test_counts_every_source_and_ignores_uncounted_kinds(mentorship):
    e = mentorship.enrollment
    at = datetime(2026, 2, 10, 11, tzinfo=MSK)
    add_activities(e, "application", 1, at, source="manual")
    add_activities(e, "application", 1, at, source="crm", external_id="a-1")
    add_activities(e, "contract", 1, at, source="csv", amount=Decimal("1000.00"))
    add_activities(e, "event", 3, at)
    add_activities(e, "referral", 2, at)
    statement = compute(mentorship)
    assert statement.counts == {"call": 0, "meeting": 0, "application": 2, "contract": 1}


def test_tier_choice_highest_amount_met(mentorship):
    e = mentorship.enrollment
    at = datetime(2026, 2, 10, 11, tzinfo=MSK)
    add_activities(e, "call", 300, at)
    add_activities(e, "application", 9, at)
    statement = compute(mentorship)
    assert (statement.tier_name, statement.amount) == ("Base", Decimal("5000.00"))
    add_activities(e, "application", 1, at)
    statement = compute(mentorship)
    assert (statement.tier_name, statement.amount) == ("Increased", Decimal("15000.00"))
    assert statement.currency == "RUB"


def test_tier_tie_takes_the_first_in_order_and_none_met_pays_nothing():
    rule = make_rule(
        name="Tie",
        tiers=[
            {"name": "Calls", "amount": Decimal("7000"), "min_call": 2},
            {"name": "Meetings", "amount": Decimal("7000"), "min_meeting": 1},
            {"name": "Both", "amount": Decimal("9000"), "min_call": 5, "min_meeting": 5},
        ],
    )
    m = make_mentorship(rule=rule, started_on=date(2026, 2, 1))
    statement = compute(m)
    assert (statement.tier_name, statement.amount) == ("", Decimal("0"))
    add_activities(m.enrollment, "call", 2, datetime(2026, 2, 3, 10, tzinfo=MSK))
    add_activities(m.enrollment, "meeting", 1, datetime(2026, 2, 3, 10, tzinfo=MSK))
    assert compute(m).tier_name == "Calls"


def test_mentorship_ended_early_ends_the_window(mentorship):
    e = mentorship.enrollment
    add_activities(e, "call", 3, datetime(2026, 2, 9, 18, tzinfo=MSK))
    add_activities(e, "call", 5, datetime(2026, 2, 10, 9, tzinfo=MSK))  # the end day: outside
    hr = make_user(Role.HR)
    with time_machine.travel(datetime(2026, 2, 12, 10, tzinfo=MSK), tick=False):
        services.mentorship_end(
            mentorship=mentorship, ended_on=date(2026, 2, 10), reason="Left", user=hr
        )
        statement = services.statement_compute(mentorship_id=mentorship.pk)
    assert statement.period_end == date(2026, 2, 10)
    assert statement.call_count == 3
    assert statement.status == BonusStatement.Status.FINAL  # its window is over


def test_every_status_transition(mentorship, head_of_sales, director):
    add_activities(mentorship.enrollment, "call", 10, datetime(2026, 2, 2, 10, tzinfo=MSK))
    statement = compute(mentorship)
    assert statement.status == BonusStatement.Status.PROVISIONAL
    with pytest.raises(ValidationError):
        services.statement_approve(statement=statement, user=head_of_sales)

    # Still open on the last day; final from 3 March 00:00 local (the daily job and command).
    with time_machine.travel(datetime(2026, 3, 2, 23, 59, tzinfo=MSK), tick=False):
        call_command("compute_bonuses")
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.PROVISIONAL
    with time_machine.travel(datetime(2026, 3, 3, 0, 0, 1, tzinfo=MSK), tick=False):
        call_command("compute_bonuses")
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.FINAL
    assert statement.amount == Decimal("5000.00")

    with pytest.raises(PermissionDenied):
        services.statement_approve(statement=statement, user=mentorship.mentor)
    services.statement_approve(statement=statement, user=head_of_sales)
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.APPROVED
    assert statement.approved_by == head_of_sales
    assert statement.approved_at is not None

    assert not permissions.may_mark_statement_paid(director, statement)  # not exported
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    assert batch.statement_count == 1
    with pytest.raises(PermissionDenied):  # who approved does not also pay
        payroll.payroll_batch_mark_paid(batch=batch, user=head_of_sales)
    payroll.payroll_batch_mark_paid(batch=batch, user=director)
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.PAID
    assert statement.paid_by == director
    assert statement.paid_at is not None
    with pytest.raises(ValidationError):
        services.statement_approve(statement=statement, user=head_of_sales)


def test_late_activity_after_approval_flags_review_and_keeps_the_approved_amount(
    mentorship, director
):
    e = mentorship.enrollment
    add_activities(e, "call", 299, datetime(2026, 2, 5, 10, tzinfo=MSK))
    add_activities(e, "application", 10, datetime(2026, 2, 5, 10, tzinfo=MSK))
    after = datetime(2026, 3, 5, 10, tzinfo=MSK)
    statement = compute(mentorship, at=after)
    assert statement.status == BonusStatement.Status.FINAL
    services.statement_approve(statement=statement, user=director)

    # The CRM sends a call of 20 February a week late: it would reach the increased tier.
    add_activities(e, "call", 1, datetime(2026, 2, 20, 15, tzinfo=MSK))
    statement = compute(mentorship, at=after)
    assert statement.status == BonusStatement.Status.APPROVED
    assert statement.needs_review is True
    assert (statement.call_count, statement.tier_name, statement.amount) == (
        299,
        "Base",
        Decimal("5000.00"),
    )
    assert statement.recomputed_counts["call"] == 300
    assert statement.recomputed_tier_name == "Increased"
    assert statement.recomputed_amount == Decimal("15000.00")


def test_computing_twice_gives_one_statement_with_the_same_numbers(mentorship):
    add_activities(mentorship.enrollment, "call", 7, datetime(2026, 2, 5, 10, tzinfo=MSK))
    first = compute(mentorship)
    second = compute(mentorship)
    assert BonusStatement.objects.filter(mentorship=mentorship).count() == 1
    assert first.pk == second.pk
    assert (first.counts, first.tier_name, first.amount) == (
        second.counts,
        second.tier_name,
        second.amount,
    )


def test_recording_an_activity_recomputes_the_statement_after_commit(
    mentorship, django_capture_on_commit_callbacks
):
    trainee = mentorship.enrollment.trainee
    with time_machine.travel(datetime(2026, 2, 10, 12, tzinfo=MSK), tick=False):
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                services.activity_record(
                    enrollment=mentorship.enrollment,
                    kind="call",
                    occurred_at=datetime(2026, 2, 10, 9, tzinfo=MSK),
                    recorded_by=trainee,
                )
    statement = BonusStatement.objects.get(mentorship=mentorship)
    # Typed by the trainee: recomputed, but counted only once confirmed.
    assert statement.call_count == 0
    assert [
        (r["provenance"], r["confirmed"], r["counts"]["call"]) for r in statement.provenance_counts
    ] == [("trainee", False, 2)]
    assert statement.status == BonusStatement.Status.PROVISIONAL
    assert not statement.needs_recompute


def test_an_activity_is_recorded_and_recomputed_with_the_cache_down(
    mentorship, django_capture_on_commit_callbacks
):
    """The recomputations are collapsed through the cache; without it they still run."""
    broken = mock.Mock()
    for name in ("add", "delete", "get", "set"):
        getattr(broken, name).side_effect = ConnectionError("cache down")
    trainee = mentorship.enrollment.trainee
    with (
        time_machine.travel(datetime(2026, 2, 10, 12, tzinfo=MSK), tick=False),
        mock.patch("mentors.services.cache", broken),
        mock.patch("mentors.tasks.cache", broken),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.activity_record(
            enrollment=mentorship.enrollment,
            kind="call",
            occurred_at=datetime(2026, 2, 10, 9, tzinfo=MSK),
            recorded_by=trainee,
        )
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert statement.provenance_counts[0]["counts"]["call"] == 1
    assert not statement.needs_recompute


def test_recomputations_are_collapsed_per_mentorship(mentorship, monkeypatch):
    from mentors import tasks

    calls = []
    monkeypatch.setattr(
        tasks.statement_recompute, "apply_async", lambda args, countdown: calls.append(args)
    )
    # Three changes before the countdown ran: one task.
    for _ in range(3):
        services.statements_schedule_recompute(mentorship_ids=[mentorship.pk])
    from django.db import connection

    for _sids, callback, _robust in connection.run_on_commit:
        callback()
    connection.run_on_commit.clear()
    assert calls == [[mentorship.pk]]


# --- The approval note: why a statement was approved --------------------------------------

AFTER_WINDOW = datetime(2026, 3, 5, 10, tzinfo=MSK)


def test_an_approval_keeps_its_note(mentorship, head_of_sales):
    statement = compute(mentorship, at=AFTER_WINDOW)
    services.statement_approve(
        statement=statement, user=head_of_sales, note="  Checked against the CRM export  "
    )
    statement.refresh_from_db()
    assert statement.approval_note == "Checked against the CRM export"
    assert statement.approved_by == head_of_sales
    assert statement.approved_at is not None


def test_an_approval_without_a_note_keeps_it_empty(mentorship, director):
    statement = compute(mentorship, at=AFTER_WINDOW)
    services.statement_approve(statement=statement, user=director)
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.APPROVED
    assert statement.approval_note == ""


def test_bulk_approval_puts_the_note_on_every_approved_statement(head_of_sales):
    first = make_mentorship(
        enrollment=make_enrollment(hire_date=date(2026, 1, 26)), started_on=date(2026, 2, 1)
    )
    second = make_mentorship(
        enrollment=make_enrollment(hire_date=date(2026, 1, 26)), started_on=date(2026, 2, 1)
    )
    ids = [compute(m, at=AFTER_WINDOW).pk for m in (first, second)]
    open_one = compute(make_mentorship(enrollment=make_enrollment(hire_date=date(2026, 2, 20))))
    assert open_one.status == BonusStatement.Status.PROVISIONAL

    approved, skipped, _refused = services.statements_approve(
        ids=[*ids, open_one.pk], user=head_of_sales, note="February sign-off meeting"
    )
    assert (approved, skipped) == (2, 1)
    notes = dict(BonusStatement.objects.values_list("pk", "approval_note"))
    assert [notes[pk] for pk in ids] == ["February sign-off meeting"] * 2
    assert notes[open_one.pk] == ""


def test_the_bonuses_page_approves_with_a_note_and_shows_who_and_why(
    client, mentorship, head_of_sales, director
):
    statement = compute(mentorship, at=AFTER_WINDOW)
    client.force_login(head_of_sales)
    client.post(
        "/bonuses/action/",
        {"action": "approve", "statement": [statement.pk], "note": "<b>Checked</b> with sales"},
    )
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.APPROVED
    assert statement.approval_note == "<b>Checked</b> with sales"

    client.force_login(director)
    body = client.get("/bonuses/").content.decode()
    row = body[body.index(f'id="statement-{statement.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"approved by {head_of_sales.get_full_name()}" in row
    assert "&lt;b&gt;Checked&lt;/b&gt; with sales" in row
    assert "<b>Checked</b>" not in body


def test_an_overlong_approval_note_is_refused_and_nothing_is_approved(
    client, mentorship, head_of_sales
):
    statement = compute(mentorship, at=AFTER_WINDOW)
    client.force_login(head_of_sales)
    response = client.post(
        "/bonuses/action/",
        {"action": "approve", "statement": [statement.pk], "note": "x" * 2001},
        follow=True,
    )
    statement.refresh_from_db()
    assert statement.status == BonusStatement.Status.FINAL
    assert statement.approval_note == ""
    assert any("Approval note" in str(m) for m in response.context["messages"])
