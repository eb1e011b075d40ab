"""The demo seeder: mentorships, activity and statements in every status; idempotent."""

import pytest
from django.core.management import call_command

from courses.models import Enrollment
from mentors.models import (
    Activity,
    BonusRule,
    BonusStatement,
    ImportJob,
    Mentorship,
    PayrollBatch,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_mentoring_data_once():
    call_command("seed_demo", "--quiet")
    counts = (Activity.objects.count(), Mentorship.objects.count(), BonusStatement.objects.count())
    rule = BonusRule.objects.get()
    assert [(t.name, t.min_call, t.min_application) for t in rule.tiers.all()] == [
        ("Base", 0, 0),
        ("Increased", 300, 10),
    ]
    assert Mentorship.objects.count() == Enrollment.objects.count() == 12
    statuses = set(BonusStatement.objects.values_list("status", flat=True))
    assert {"provisional", "final", "approved", "paid"} <= statuses
    assert BonusStatement.objects.filter(needs_review=True).count() == 1
    assert BonusStatement.objects.filter(tier_name="Increased").exists()
    # Payroll batches: one paid, one exported and waiting (the Payroll batches page's states).
    assert [b.is_paid for b in PayrollBatch.objects.order_by("number")] == [True, False]
    assert not BonusStatement.objects.filter(status="paid", payroll_batch__isnull=True).exists()
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert {"call", "meeting", "application", "contract"} <= kinds

    # Separation of duties: nobody approved or paid a statement they mentor, and who paid
    # did not approve; the head of sales mentors some of the approved ones (the director
    # approved those).
    decided = BonusStatement.objects.filter(status__in=["approved", "paid"]).select_related(
        "mentorship"
    )
    for statement in decided:
        assert statement.approved_by_id != statement.mentorship.mentor_id
        if statement.status == "paid":
            assert statement.paid_by_id not in (
                statement.mentorship.mentor_id,
                statement.approved_by_id,
            )
    assert decided.filter(mentorship__mentor__username="sales_head").exists()
    assert decided.filter(approved_by__username="sales_head").exists()

    dropped = Enrollment.objects.get(status="dropped")
    assert not Mentorship.objects.filter(enrollment=dropped, ended_on__isnull=True).exists()
    last = Activity.objects.filter(enrollment=dropped).order_by("-occurred_at").first()
    assert last.occurred_at.date() < dropped.dropped_on

    # HR's background imports, one of each ending, none adding activity.
    imports = {
        job.kind + "/" + job.status: (job.created, job.duplicates, job.invalid_rows)
        for job in ImportJob.objects.all()
    }
    assert imports == {
        "connector/done": (0, 3, 2),
        "upload/failed": (0, 0, 1),
        "upload/cancelled": (0, 0, 0),
    }
    pull = ImportJob.objects.get(kind="connector")
    assert pull.unknown_identities == ["new.hire@example.com"]
    assert [e["line"] for e in pull.errors] == [4, 5]

    call_command("seed_demo", "--quiet")
    assert (
        Activity.objects.count(),
        Mentorship.objects.count(),
        BonusStatement.objects.count(),
    ) == counts
