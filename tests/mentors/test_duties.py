"""Separation of duties on bonus statements, and one bonus per trainee and window
(docs/security.md, "Separation of duties"; docs/bonuses.md, "One bonus per trainee and window").

The issue's scenario first: the head of sales, alone, assigns himself as a trainee's mentor,
fills the window, ends the mentorship and tries to approve, export and mark paid his own
bonus; then assigns himself again from a date inside the window already counted.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.test import override_settings
from django.urls import reverse

from mentors import payroll, permissions, services
from mentors.models import BonusStatement, Mentorship, PayrollBatch
from people.roles import Role, sync_role_permissions
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

MSK = ZoneInfo("Europe/Moscow")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _moscow():
    with override_settings(TIME_ZONE="Europe/Moscow"):
        yield


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=MSK)


def compute(mentorship, now):
    return services.statement_compute(mentorship_id=mentorship.pk, now=now)


# --- The head of sales alone cannot pay himself -------------------------------------------


def test_head_of_sales_alone_cannot_pay_himself_once(head_of_sales, client):
    rule = make_rule(
        tiers=[
            {"name": "Base", "amount": Decimal("10000.00")},
            {"name": "Increased", "amount": Decimal("25000.00"), "min_call": 300},
        ]
    )
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    with time_machine.travel(at(date(2026, 2, 1)), tick=False):
        mentorship = services.mentorship_assign(
            enrollment=enrollment,
            mentor=head_of_sales,
            started_on=date(2026, 2, 1),
            bonus_rule=rule,
            assigned_by=head_of_sales,
        )
    add_activities(enrollment, "call", 310, at(date(2026, 2, 5)))
    with time_machine.travel(at(date(2026, 2, 20)), tick=False):
        services.mentorship_end(
            mentorship=mentorship, ended_on=date(2026, 2, 20), reason="Done", user=head_of_sales
        )
    statement = compute(mentorship, at(date(2026, 2, 21)))
    assert (statement.status, statement.amount) == ("final", Decimal("25000.00"))

    # The service refuses each step.
    with pytest.raises(PermissionDenied):
        services.statement_approve(statement=statement, user=head_of_sales)
    with pytest.raises(ValidationError, match="Nothing new to export"):  # not approved
        services.statements_export(
            statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
        )

    # The page offers no button and refuses the post.
    client.force_login(head_of_sales)
    page = client.get("/bonuses/")
    assert page.context["may_approve"] is False
    assert "You are the mentor: another approver decides." in page.content.decode()
    response = client.post(
        "/bonuses/action/", {"action": "approve", "statement": [statement.pk]}, follow=True
    )
    assert "1 statement was left for someone else" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == "final"

    # Someone else approves: he still does not export it, nor mark it paid.
    director = make_user(Role.DIRECTOR)
    services.statement_approve(statement=statement, user=director)
    statement.refresh_from_db()
    assert permissions.may_export_statement(head_of_sales, statement) is False
    assert permissions.may_export_statement(director, statement) is True
    with pytest.raises(ValidationError, match="on which you are the mentor"):
        services.statements_export(
            statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
        )
    statement.refresh_from_db()
    assert statement.exported_at is None
    assert statement.payroll_batch_id is None
    response = client.post("/bonuses/export/", {"format": "csv"}, follow=True)
    assert "on which you are the mentor" in response.content.decode()
    assert not PayrollBatch.objects.exists()

    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=director, fmt="csv"
    )
    with pytest.raises(PermissionDenied):
        payroll.payroll_batch_mark_paid(batch=batch, user=head_of_sales)
    assert permissions.may_mark_batch_paid(head_of_sales, batch) is False
    client.post(reverse("mentors:payroll_batch_mark_paid", args=[batch.number]))
    statement.refresh_from_db()
    assert statement.status == "approved"
    # ... and the director, who approved it, needs a second person too.
    with pytest.raises(PermissionDenied):
        payroll.payroll_batch_mark_paid(batch=batch, user=director)


def test_head_of_sales_cannot_pay_himself_twice_for_one_window(head_of_sales, director):
    """The second round of the issue: a paid window, then a new mentorship of the same trainee
    started inside it. Its bonus counts only after the paid window: nothing to pay twice."""
    rule = make_rule()
    other = make_user(Role.HEAD_OF_SALES)  # a second approver, so the first round is paid
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    first = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1))
    add_activities(enrollment, "call", 310, at(date(2026, 2, 5)))
    add_activities(enrollment, "application", 10, at(date(2026, 2, 6)))
    statement = compute(first, at(date(2026, 3, 5)))
    assert statement.amount == Decimal("15000.00")
    services.statement_approve(statement=statement, user=director)
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=other, fmt="csv"
    )
    payroll.payroll_batch_mark_paid(batch=batch, user=other)

    with time_machine.travel(at(date(2026, 3, 5)), tick=False):
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=head_of_sales,
            started_on=date(2026, 2, 10),  # inside the window already paid
            bonus_rule=rule,
            assigned_by=head_of_sales,
        )
        services.mentorship_end(
            mentorship=second, ended_on=date(2026, 3, 5), reason="Done", user=head_of_sales
        )
    assert second.bonus_starts_on == date(2026, 3, 3)  # the day the paid window ended
    again = compute(second, at(date(2026, 3, 6)))
    assert (again.period_start, again.period_end) == (date(2026, 3, 3), date(2026, 3, 5))
    assert again.call_count == again.application_count == 0
    # And even were it approved by someone else, he cannot pay it.
    services.statement_approve(statement=again, user=director)
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=other, fmt="csv"
    )
    with pytest.raises(PermissionDenied):
        payroll.payroll_batch_mark_paid(batch=batch, user=head_of_sales)
    assert not BonusStatement.objects.filter(
        mentorship__mentor=head_of_sales, status="paid"
    ).exists()


# --- One bonus per trainee and window -----------------------------------------------------


def test_a_change_of_mentor_carries_the_window_over():
    """A change of mentor inside the window: the new mentorship carries the trainee's window
    on from its first day (docs/bonuses.md, "A change of mentor carries the period over"); the
    replaced mentorship's statement is superseded, so every day counts once, for one
    statement, and nothing opens empty."""
    rule = make_rule()
    hr = make_user(Role.HR)
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    with time_machine.travel(at(date(2026, 2, 1)), tick=False):
        first = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 1),
            bonus_rule=rule,
            assigned_by=hr,
        )
    add_activities(enrollment, "call", 3, at(date(2026, 2, 9), 23))  # under the first mentor
    old = compute(first, at(date(2026, 2, 9), 23))
    assert (old.status, old.call_count) == ("provisional", 3)
    with time_machine.travel(at(date(2026, 2, 10)), tick=False):
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 10),
            bonus_rule=rule,
            assigned_by=hr,
        )
    assert (second.carried_from, second.bonus_starts_on) == (first, date(2026, 2, 1))
    add_activities(enrollment, "call", 5, datetime(2026, 2, 10, 0, 0, tzinfo=MSK))
    now = at(date(2026, 2, 12))
    assert compute(first, now) is None  # superseded: never computed again
    old.refresh_from_db()
    assert old.status == BonusStatement.Status.SUPERSEDED
    assert old.period_start == old.period_end  # an empty window: the guard holds
    assert (old.call_count, old.amount, old.tier_name) == (0, Decimal("0.00"), "")
    b = compute(second, now)
    # The period is the first one's: 1 February + 30 days, not 10 February + 30.
    assert (b.period_start, b.period_end, b.call_count) == (date(2026, 2, 1), date(2026, 3, 3), 8)
    assert BonusStatement.objects.filter(mentorship__enrollment=enrollment).count() == 2
    assert first.mentor.notifications.filter(title__contains="carries on with").exists()
    # The superseded statement is never approved, even after the window closed.
    services.statements_finalize_due(now=at(date(2026, 3, 4)))
    old.refresh_from_db()
    assert old.status == BonusStatement.Status.SUPERSEDED
    with pytest.raises(ValidationError):
        services.statement_approve(statement=old, user=make_user(Role.DIRECTOR))
    b.refresh_from_db()
    assert (b.status, b.call_count) == ("final", 8)


def test_a_change_of_mentor_after_the_window_closed_opens_a_new_period():
    """No window to carry when the old one is over: the new mentor's period is their own and
    the old statement stays as it is (final, to approve and pay)."""
    rule = make_rule()
    hr = make_user(Role.HR)
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    with time_machine.travel(at(date(2026, 2, 1)), tick=False):
        first = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 1),
            bonus_rule=rule,
            assigned_by=hr,
        )
    old = compute(first, at(date(2026, 3, 5)))
    with time_machine.travel(at(date(2026, 3, 5)), tick=False):
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 3, 5),
            bonus_rule=rule,
            assigned_by=hr,
        )
    assert second.carried_from is None
    assert second.bonus_starts_on == date(2026, 3, 5)
    old.refresh_from_db()
    assert (old.status, old.period_start, old.period_end) == (
        "final",
        date(2026, 2, 1),
        date(2026, 3, 3),
    )


def test_an_approved_window_is_never_carried_over():
    """A backdated change of mentor into a window whose statement is already approved: the
    approved statement stays, the new mentorship counts after it."""
    rule = make_rule()
    hr = make_user(Role.HR)
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    with time_machine.travel(at(date(2026, 2, 1)), tick=False):
        first = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 1),
            bonus_rule=rule,
            assigned_by=hr,
        )
    statement = compute(first, at(date(2026, 3, 5)))
    services.statement_approve(statement=statement, user=make_user(Role.DIRECTOR))
    with time_machine.travel(at(date(2026, 3, 6)), tick=False):
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 20),  # inside the approved window
            bonus_rule=rule,
            assigned_by=hr,
        )
    assert second.carried_from is None
    assert second.bonus_starts_on == date(2026, 3, 3)
    statement.refresh_from_db()
    assert statement.status == "approved"


def test_a_mentorship_started_back_inside_an_ended_window_counts_after_it():
    rule = make_rule()
    hr = make_user(Role.HR)
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    first = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1))
    with time_machine.travel(at(date(2026, 2, 20)), tick=False):
        services.mentorship_end(mentorship=first, ended_on=date(2026, 2, 20), reason="x", user=hr)
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 5),
            bonus_rule=rule,
            assigned_by=hr,
        )
    assert second.bonus_starts_on == date(2026, 2, 20)
    add_activities(enrollment, "call", 7, at(date(2026, 2, 10)))
    now = at(date(2026, 2, 21))
    assert compute(first, now).call_count == 7
    statement = compute(second, now)
    assert (statement.period_start, statement.period_end) == (date(2026, 2, 20), date(2026, 3, 7))
    assert statement.call_count == 0


def test_an_empty_window_pays_nothing_even_under_a_tier_without_minimums():
    rule = make_rule()  # Base: no minimums, 5000
    hr = make_user(Role.HR)
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    first = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1))
    with time_machine.travel(at(date(2026, 3, 5)), tick=False):
        services.mentorship_end(mentorship=first, ended_on=date(2026, 3, 5), reason="x", user=hr)
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 2, 1),  # its whole period is the first window
            bonus_rule=rule,
            assigned_by=hr,
        )
        services.mentorship_end(mentorship=second, ended_on=date(2026, 3, 5), reason="x", user=hr)
    statement = compute(second, at(date(2026, 3, 6)))
    assert statement.period_start == statement.period_end == date(2026, 3, 3)
    assert (statement.tier_name, statement.amount) == ("", Decimal("0.00"))


def test_a_longer_period_never_reaches_into_the_next_mentors_days():
    """The rule's period grows after the mentor changed: the earlier window is cut where the
    next mentorship's bonus starts (and the database guard is not tripped)."""
    rule = make_rule(period_days=30)
    hr = make_user(Role.HR)
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    first = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1))
    with time_machine.travel(at(date(2026, 3, 15)), tick=False):
        services.mentorship_end(mentorship=first, ended_on=date(2026, 3, 15), reason="x", user=hr)
        second = services.mentorship_assign(
            enrollment=enrollment,
            mentor=make_user(Role.MENTOR),
            started_on=date(2026, 3, 5),
            bonus_rule=rule,
            assigned_by=hr,
        )
    now = at(date(2026, 3, 16))
    compute(second, now)
    rule.period_days = 60
    rule.save()
    statement = compute(first, now)
    assert (statement.period_start, statement.period_end) == (date(2026, 2, 1), date(2026, 3, 5))


# --- The database's guarantee -------------------------------------------------------------


def _two_mentorships_of_one_trainee():
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    rule = make_rule()
    first = make_mentorship(
        enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1), ended_on=date(2026, 2, 10)
    )
    second = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 10))
    return first, second


def _statement(mentorship, start, end):
    return BonusStatement.objects.create(mentorship=mentorship, period_start=start, period_end=end)


def test_the_database_refuses_two_statements_of_one_trainee_for_the_same_days():
    first, second = _two_mentorships_of_one_trainee()
    _statement(first, date(2026, 2, 1), date(2026, 3, 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        _statement(second, date(2026, 2, 10), date(2026, 3, 12))
    with pytest.raises(IntegrityError), transaction.atomic():  # one shared day is one too many
        _statement(second, date(2026, 3, 2), date(2026, 3, 12))
    # Raw SQL does not get past it either.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mentors_bonusstatement (mentorship_id, period_start, period_end, "
            "call_count, meeting_count, application_count, contract_count, tier_name, amount, "
            "currency, status, needs_review, recomputed_counts, recomputed_tier_name, "
            "approval_note) VALUES (%s, %s, %s, 0, 0, 0, 0, '', 0, 'RUB', 'final', %s, '{}', "
            "'', '')",
            [second.pk, date(2026, 2, 20), date(2026, 2, 25), False],
        )
    # Adjacent windows and an empty one are fine.
    adjacent = _statement(second, date(2026, 3, 3), date(2026, 4, 2))
    assert BonusStatement.objects.count() == 2
    # Moving a statement's window onto another's is refused; other updates are not.
    adjacent.period_start = date(2026, 3, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        adjacent.save()
    BonusStatement.objects.filter(pk=adjacent.pk).update(needs_review=True)


def test_the_guard_allows_other_trainees_the_same_days():
    first, _second = _two_mentorships_of_one_trainee()
    other = make_mentorship(started_on=date(2026, 2, 1))
    _statement(first, date(2026, 2, 1), date(2026, 3, 3))
    _statement(other, date(2026, 2, 1), date(2026, 3, 3))
    assert BonusStatement.objects.count() == 2


# --- The window's end, to the second ------------------------------------------------------


def test_the_window_is_over_at_exactly_local_midnight_of_its_end():
    """[1 Feb 00:00, 3 Mar 00:00) Moscow time: final at 00:00:00 exactly, open a microsecond
    before (a > in place of >= in Window.is_over fails the first assert)."""
    mentorship = make_mentorship(
        enrollment=make_enrollment(hire_date=date(2026, 1, 26)),
        rule=make_rule(),
        started_on=date(2026, 2, 1),
    )
    before = datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=MSK)
    assert compute(mentorship, before).status == "provisional"
    exactly = datetime(2026, 3, 3, 0, 0, 0, tzinfo=MSK)
    assert compute(mentorship, exactly).status == "final"


# --- History is kept ----------------------------------------------------------------------


def test_a_mentorship_with_a_statement_cannot_be_deleted():
    mentorship = make_mentorship(started_on=date(2026, 2, 1))
    compute(mentorship, at(date(2026, 2, 5)))
    with pytest.raises(ProtectedError):
        mentorship.delete()
    with pytest.raises(ProtectedError):
        mentorship.enrollment.delete()
    assert Mentorship.objects.filter(pk=mentorship.pk).exists()


def test_no_role_may_delete_mentorships_or_statements():
    sync_role_permissions()
    for role in Role.values:
        held = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        forbidden = {"delete_mentorship", "delete_bonusstatement"}
        assert held & forbidden == set(), role
