"""Computing many bonus statements at once: the same figures as one by one, in a number of
queries that does not grow with the number of mentorships, one notification each."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.users.models import UserProfile

from mentors import services
from mentors.bonus import COUNTED_KINDS
from mentors.models import BonusStatement
from people.models import Notification
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

MSK = ZoneInfo("Europe/Moscow")
pytestmark = pytest.mark.django_db


def make_mentorships(n: int, *, rule, offset: int = 0) -> list:
    """n mentorships started on successive days of February, with varied activity."""
    result = []
    for i in range(offset, offset + n):
        started = date(2026, 2, 1) + timedelta(days=i % 20)
        m = make_mentorship(
            enrollment=make_enrollment(hire_date=started - timedelta(days=3)),
            rule=rule,
            started_on=started,
        )
        first = datetime(started.year, started.month, started.day, 10, tzinfo=MSK)
        add_activities(m.enrollment, "call", 290 + 7 * i, first + timedelta(days=1))
        add_activities(m.enrollment, "application", i % 12, first + timedelta(days=29))
        add_activities(m.enrollment, "meeting", 3, first + timedelta(days=30))  # after the window
        add_activities(m.enrollment, "contract", 1, first - timedelta(days=1))  # before it
        result.append(m)
    return result


def counts(statement: BonusStatement) -> tuple:
    return (
        statement.status,
        statement.period_start,
        statement.period_end,
        statement.tier_name,
        statement.amount,
        *(getattr(statement, f"{k}_count") for k in COUNTED_KINDS),
    )


@time_machine.travel(datetime(2026, 4, 15, 12, tzinfo=MSK), tick=False)
def test_the_batch_gives_the_figures_of_one_by_one_and_notifies_each_mentor_once():
    mentorships = make_mentorships(6, rule=make_rule())
    ids = services.statements_compute(mentorship_ids=[m.pk for m in mentorships])
    assert set(ids) == {m.pk for m in mentorships}
    figures = {
        s.mentorship_id: counts(s) for s in BonusStatement.objects.filter(pk__in=ids.values())
    }
    BonusStatement.objects.all().delete()
    Notification.objects.all().delete()
    one_by_one = {m.pk: counts(services.statement_compute(mentorship_id=m.pk)) for m in mentorships}
    assert figures == one_by_one
    # Spot-check one by hand: 290 calls in the window, 0 applications (i=0), contract outside.
    first = figures[mentorships[0].pk]
    assert first[0] == "final"
    assert first[3] == "Base"
    assert first[5:] == (290, 0, 0, 0)
    fifth = figures[mentorships[5].pk]  # 325 calls, 5 applications: not Increased (needs 10)
    assert fifth[3] == "Base"
    assert fifth[5] == 325
    assert fifth[7] == 5
    assert Notification.objects.filter(dedupe_key__startswith="bonus-final-").count() == 6
    # Running again changes nothing and notifies nobody twice.
    services.statements_compute(mentorship_ids=[m.pk for m in mentorships])
    assert Notification.objects.filter(dedupe_key__startswith="bonus-final-").count() == 6


@time_machine.travel(datetime(2026, 4, 15, 12, tzinfo=MSK), tick=False)
def test_each_mentor_is_told_in_their_language_with_the_trainee_tier_and_amount():
    """The notices are written by the database from texts translated once per language: the
    trainee's full name (or username), the tier reached or the word for none, the amount as
    the mentor's language writes money."""
    rule = make_rule(
        tiers=[{"name": "Base", "amount": Decimal("5000.00"), "min_call": 1}],
    )
    russian = make_user(Role.MENTOR, email="ivan@example.com")
    UserProfile.objects.create(user=russian, preferred_language="ru")
    english = make_user(Role.MENTOR, email="")  # no address: no e-mail to send
    named = make_user(Role.TRAINEE, first_name="Anna", last_name="Smirnova")
    unnamed = make_user(Role.TRAINEE, username="petrov", first_name="", last_name="")
    paid = make_mentorship(
        enrollment=make_enrollment(trainee=named, hire_date=date(2026, 1, 29)),
        mentor=russian,
        rule=rule,
        started_on=date(2026, 2, 1),
    )
    add_activities(paid.enrollment, "call", 1, datetime(2026, 2, 2, 10, tzinfo=MSK))
    unpaid = make_mentorship(
        enrollment=make_enrollment(trainee=unnamed, hire_date=date(2026, 1, 29)),
        mentor=english,
        rule=rule,
        started_on=date(2026, 2, 1),
    )
    services.statements_compute(mentorship_ids=[paid.pk, unpaid.pk])
    to_russian = Notification.objects.get(recipient=russian)
    assert to_russian.title == "Итоговая премия за наставничество: Anna Smirnova"
    assert to_russian.body == (
        "Уровень: Base, сумма: 5\u00a0000\u00a0₽. Премия будет выплачена после утверждения."
    )
    assert to_russian.url == "/mentees/"
    assert to_russian.send_email
    statement = BonusStatement.objects.get(mentorship=paid)
    assert to_russian.dedupe_key == f"bonus-final-{statement.pk}"
    to_english = Notification.objects.get(recipient=english)
    assert to_english.title == "Your bonus for mentoring petrov is final"
    assert to_english.body == "Tier: none, amount 0\u00a0₽. It is paid once approved."
    assert not to_english.send_email


def _queries_for(n: int, offset: int) -> int:
    rule = make_rule(name=f"rule-{offset}")
    ids = [m.pk for m in make_mentorships(n, rule=rule, offset=offset)]
    with CaptureQueriesContext(connection) as ctx:
        services.statements_compute(mentorship_ids=ids)  # creates and finalizes
    created = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        services.statements_compute(mentorship_ids=ids)  # refreshes
    return created, len(ctx)


@time_machine.travel(datetime(2026, 4, 15, 12, tzinfo=MSK), tick=False)
def test_the_query_count_does_not_grow_with_the_mentorships():
    assert _queries_for(3, offset=0) == _queries_for(30, offset=100)


@time_machine.travel(datetime(2026, 4, 15, 12, tzinfo=MSK), tick=False)
def test_approved_statements_keep_their_figures_and_flag_a_difference():
    m = make_mentorships(1, rule=make_rule())[0]
    statement = services.statement_compute(mentorship_id=m.pk)
    statement.status, statement.approved_at = "approved", datetime.now(MSK)
    statement.save()
    # Five late calls: still the Base tier, the same amount: nothing to review.
    add_activities(m.enrollment, "call", 5, datetime(2026, 2, 3, 9, tzinfo=MSK))
    ids = services.statements_compute(mentorship_ids=[m.pk])
    assert ids == {m.pk: statement.pk}
    again = BonusStatement.objects.get(pk=statement.pk)
    assert again.call_count == 290
    assert not again.needs_review
    assert again.recomputed_amount is None
    # Enough late calls and applications for the Increased tier: flagged, with the difference.
    add_activities(m.enrollment, "call", 10, datetime(2026, 2, 3, 9, tzinfo=MSK))
    add_activities(m.enrollment, "application", 10, datetime(2026, 2, 3, 9, tzinfo=MSK))
    services.statements_compute(mentorship_ids=[m.pk])
    again = BonusStatement.objects.get(pk=statement.pk)
    assert again.call_count == 290
    assert again.needs_review
    assert again.recomputed_counts["call"] == 305
    assert (again.status, again.tier_name) == ("approved", "Base")
    assert (again.recomputed_tier_name, again.amount_difference) == ("Increased", 10000)


@time_machine.travel(datetime(2026, 2, 10, 12, tzinfo=MSK), tick=False)
def test_finalize_due_computes_all_at_once_and_skips_the_done():
    rule = make_rule()
    mentorships = make_mentorships(10, rule=rule)
    assert services.statements_finalize_due() == 10
    assert BonusStatement.objects.count() == 10
    assert set(BonusStatement.objects.values_list("status", flat=True)) == {"provisional"}
    with time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=MSK), tick=False):
        assert services.statements_finalize_due() == 10
        assert services.statements_finalize_due() == 0  # all final now
    assert {s.mentorship_id for s in BonusStatement.objects.filter(status="final")} == {
        m.pk for m in mentorships
    }
    assert Notification.objects.filter(dedupe_key__startswith="bonus-final-").count() == 10


def _finalize_queries() -> tuple[int, int]:
    """The queries of a finalization from scratch, then of a sweep of flagged statements with
    one approved statement among them (its recomputation is written beside its figures)."""
    BonusStatement.objects.all().delete()
    with CaptureQueriesContext(connection) as finalized:
        services.statements_finalize_due()
    approved = BonusStatement.objects.order_by("pk").first()
    approved.status, approved.approved_at = "approved", datetime.now(MSK)
    approved.save()
    BonusStatement.objects.update(needs_recompute=True)
    with CaptureQueriesContext(connection) as flagged:
        assert services.statements_recompute_flagged() == BonusStatement.objects.count()
    assert not BonusStatement.objects.filter(needs_recompute=True).exists()
    return len(finalized), len(flagged)


@time_machine.travel(datetime(2026, 4, 1, 12, tzinfo=MSK), tick=False)
def test_finalization_queries_do_not_grow_with_mentorships():
    """The whole run is one computation of a fixed number of queries: 30 mentorships cost
    what 3 cost (no batches, no id lists: the due mentorships are a subquery, the windows and
    the statements one JSON parameter each)."""
    rule = make_rule()
    make_mentorships(3, rule=rule)
    _finalize_queries()  # the first run reads what stays cached (content types, groups)
    small = _finalize_queries()
    make_mentorships(27, rule=rule, offset=3)
    assert _finalize_queries() == small
    assert BonusStatement.objects.filter(status="final").count() == 29
    assert BonusStatement.objects.filter(status="approved").count() == 1
