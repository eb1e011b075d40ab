"""PostgreSQL: the window guard holds when two transactions write statements of one trainee
at the same moment (the trigger locks the enrollment's row, so the second sees the first)."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from mentors.models import BonusStatement

from .factories import make_enrollment, make_mentorship, make_rule

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_two_transactions_cannot_both_write_overlapping_statements():
    assert connection.vendor == "postgresql"
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    rule = make_rule()
    first = make_mentorship(
        enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1), ended_on=date(2026, 2, 10)
    )
    second = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 10))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(mentorship):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                BonusStatement.objects.create(
                    mentorship=mentorship,
                    period_start=date(2026, 2, 1),
                    period_end=date(2026, 3, 3),
                )
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(m,)) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["refused", "saved"]
    assert BonusStatement.objects.filter(mentorship__enrollment=enrollment).count() == 1
