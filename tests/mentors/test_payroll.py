"""Payroll batches (docs/bonuses.md): an export makes a numbered batch of the approved
statements in no batch yet, its file is kept byte for byte, a new export never repeats a
statement, the file carries the personnel number, the period, the amount and a totals row,
and a batch is marked paid once, as a whole."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from openpyxl import load_workbook

from mentors import payroll, services
from mentors.models import BonusRule, BonusStatement, PayrollBatch
from people.models import Profile
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _approved(n: int, director, *, calls: int = 10) -> list[BonusStatement]:
    """n final statements (window over), approved by the director, each a different mentor
    with a personnel number."""
    rule = BonusRule.objects.filter(name="Standard").first() or make_rule()
    result = []
    for _ in range(n):
        e = make_enrollment(hire_date=date(2026, 1, 5))
        mentor = make_user(Role.MENTOR)
        Profile.objects.update_or_create(
            user=mentor, defaults={"personnel_number": f"T-{mentor.pk:05d}"}
        )
        m = make_mentorship(enrollment=e, mentor=mentor, rule=rule)
        add_activities(e, "call", calls, datetime(2026, 1, 10, 11, tzinfo=MSK))
        statement = services.statement_compute(mentorship_id=m.pk)
        assert statement.status == BonusStatement.Status.FINAL
        result.append(services.statement_approve(statement=statement, user=director))
    return result


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_an_export_makes_a_numbered_batch_and_a_new_one_only_has_what_is_new(
    director, head_of_sales
):
    first = _approved(2, director)
    batch1 = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    assert (batch1.number, batch1.statement_count) == (1, 2)
    assert batch1.created_by == head_of_sales
    assert batch1.totals == {"RUB": "10000.00"}
    assert set(batch1.statements.values_list("pk", flat=True)) == {s.pk for s in first}

    # Nothing new: refused, and no empty batch is made.
    with pytest.raises(ValidationError, match="Nothing new to export"):
        payroll.payroll_batch_export(
            statements=BonusStatement.objects.all(), user=head_of_sales, fmt="xlsx"
        )
    assert PayrollBatch.objects.count() == 1

    later = _approved(1, director)
    batch2 = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="xlsx"
    )
    assert batch2.number == 2
    assert list(batch2.statements.values_list("pk", flat=True)) == [later[0].pk]
    sheet = load_workbook(io.BytesIO(bytes(batch2.content))).active
    assert sheet.max_row == 3  # header, the new statement, the totals row
    # Statements still final or provisional never go to payroll.
    assert not BonusStatement.objects.filter(
        payroll_batch__isnull=False, status=BonusStatement.Status.FINAL
    ).exists()


def test_the_file_has_the_personnel_number_period_amount_and_a_totals_row(director, head_of_sales):
    statements = _approved(2, director, calls=10)
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    header, *rows, total = _csv_rows(bytes(batch.content))
    assert header == [
        "Personnel number",
        "Mentor",
        "Mentor e-mail",
        "Trainee",
        "Trainee e-mail",
        "Period start",
        "Period end",
        "Tier",
        "Amount",
        "Currency",
    ]
    numbers = {s.mentorship.mentor.profile.personnel_number for s in statements}
    assert {row[0] for row in rows} == numbers
    for row in rows:
        assert row[5:7] == ["2026-01-05", "2026-02-03"]
        assert row[8:] == ["5000.00", "RUB"]
    assert total == ["Total", "2 statements", "", "", "", "", "", "", "10000.00", "RUB"]

    # XLSX: the same columns, the totals row's amount a number.
    statements2 = _approved(1, director)
    xlsx = payroll.payroll_batch_export(
        statements=BonusStatement.objects.filter(pk=statements2[0].pk),
        user=head_of_sales,
        fmt="xlsx",
    )
    sheet = load_workbook(io.BytesIO(bytes(xlsx.content))).active
    assert sheet.cell(row=2, column=1).value == (
        statements2[0].mentorship.mentor.profile.personnel_number
    )
    assert sheet.cell(row=3, column=1).value == "Total"
    assert sheet.cell(row=3, column=9).value == Decimal("5000")
    assert sheet.cell(row=3, column=9).data_type == "n"


def test_a_mentor_without_a_profile_has_an_empty_personnel_number(director, head_of_sales):
    (statement,) = _approved(1, director)
    Profile.objects.filter(user=statement.mentorship.mentor).delete()
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    assert _csv_rows(bytes(batch.content))[1][0] == ""


def test_downloading_a_batch_again_gives_the_same_bytes(client, director, head_of_sales):
    (statement,) = _approved(1, director)
    client.force_login(head_of_sales)
    exported = client.post(reverse("mentors:bonuses_export"), {"format": "xlsx"})
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == 'attachment; filename="payroll-batch-0001.xlsx"'
    # Whatever changes later (the mentor's name, the clock), batch 1's file is the same.
    mentor = statement.mentorship.mentor
    mentor.first_name = "Renamed"
    mentor.save()
    with time_machine.travel(datetime(2026, 4, 1, 9, tzinfo=MSK), tick=False):
        again = client.get(reverse("mentors:payroll_batch_download", args=[1]))
        twice = client.get(reverse("mentors:payroll_batch_download", args=[1]))
    assert again.status_code == 200
    assert again.content == exported.content == twice.content
    assert again["Content-Type"] == exported["Content-Type"]
    assert again["Content-Disposition"] == exported["Content-Disposition"]
    # ...and the same for CSV.
    _approved(1, director)
    csv_export = client.post(reverse("mentors:bonuses_export"), {"dialect": "excel-ru"})
    assert client.get(reverse("mentors:payroll_batch_download", args=[2])).content == (
        csv_export.content
    )


def test_a_statement_belongs_to_at_most_one_batch_and_only_approved_ones(director, head_of_sales):
    (statement,) = _approved(1, director)
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    # At most one: the batch is a single foreign key; the service never moves a statement.
    with pytest.raises(ValidationError):
        payroll.payroll_batch_export(
            statements=BonusStatement.objects.filter(pk=statement.pk),
            user=head_of_sales,
            fmt="csv",
        )
    statement.refresh_from_db()
    assert statement.payroll_batch == batch
    # The database refuses a final statement in a batch and a paid one outside any.
    other = services.statement_compute(
        mentorship_id=make_mentorship(
            enrollment=make_enrollment(hire_date=date(2026, 1, 5)), rule=make_rule("Other")
        ).pk
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        BonusStatement.objects.filter(pk=other.pk).update(payroll_batch=batch)
    with transaction.atomic(), pytest.raises(IntegrityError):
        BonusStatement.objects.filter(pk=other.pk).update(
            status="paid", approved_at=NOW, paid_at=NOW
        )
    # A batch with statements cannot be deleted (PROTECT).
    with pytest.raises(ProtectedError):
        batch.delete()


def test_marking_paid_pays_the_whole_batch_once(director, head_of_sales):
    statements = _approved(3, director)
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    payroll.payroll_batch_mark_paid(batch=batch, user=head_of_sales)
    batch.refresh_from_db()
    assert batch.paid_by == head_of_sales
    assert batch.paid_at == NOW
    for s in statements:
        s.refresh_from_db()
        assert (s.status, s.paid_by, s.paid_at) == ("paid", head_of_sales, NOW)

    with pytest.raises(ValidationError) as refused:
        payroll.payroll_batch_mark_paid(batch=batch, user=director)
    message = refused.value.messages[0]
    assert "Payroll batch 1 was already marked paid" in message
    assert head_of_sales.get_full_name() in message
    batch.refresh_from_db()
    assert batch.paid_by == head_of_sales  # unchanged


def test_only_approvers_export_and_pay(mentor, hr, director, head_of_sales):
    _approved(1, director)
    for user in (mentor, hr):
        with pytest.raises(PermissionDenied):
            payroll.payroll_batch_export(
                statements=BonusStatement.objects.all(), user=user, fmt="csv"
            )
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    for user in (mentor, hr):
        with pytest.raises(PermissionDenied):
            payroll.payroll_batch_mark_paid(batch=batch, user=user)
    assert not BonusStatement.objects.filter(status="paid").exists()


def test_the_batches_page_lists_downloads_and_pays(client, director, head_of_sales):
    _approved(2, director)
    client.force_login(head_of_sales)
    client.post(reverse("mentors:bonuses_export"), {"format": "csv"})
    url = reverse("mentors:payroll_batches")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="batch-1"' in body
    assert head_of_sales.get_full_name() in body
    assert "10,000" in body  # the total
    pay = reverse("mentors:payroll_batch_mark_paid", args=[1])
    assert f'action="{pay}"' in body
    assert reverse("mentors:payroll_batch_download", args=[1]) in body

    done = client.post(pay, follow=True)
    assert "Payroll batch 1 marked paid: 2 statements." in done.content.decode()
    assert BonusStatement.objects.filter(status="paid").count() == 2
    body = client.get(url).content.decode()
    assert f'action="{pay}"' not in body  # no second button...
    again = client.post(pay, follow=True)  # ...and a second post is refused, clearly
    assert "already marked paid" in again.content.decode()
    # The bonuses page links each statement to its batch.
    assert "payroll batch 1" in client.get(reverse("mentors:bonuses")).content.decode()


@pytest.mark.parametrize("role", [Role.MENTOR, Role.HR, Role.TRAINEE])
def test_the_batches_pages_are_for_approvers_only(client, director, head_of_sales, role):
    _approved(1, director)
    payroll.payroll_batch_export(
        statements=BonusStatement.objects.all(), user=head_of_sales, fmt="csv"
    )
    client.force_login(make_user(role))
    assert client.get(reverse("mentors:payroll_batches")).status_code == 403
    assert client.get(reverse("mentors:payroll_batch_download", args=[1])).status_code == 403
    assert client.post(reverse("mentors:payroll_batch_mark_paid", args=[1])).status_code == 403
    assert not BonusStatement.objects.filter(status="paid").exists()


def test_an_unknown_batch_is_404(client, head_of_sales):
    client.force_login(head_of_sales)
    assert client.get(reverse("mentors:payroll_batch_download", args=[99])).status_code == 404
    assert client.post(reverse("mentors:payroll_batch_mark_paid", args=[99])).status_code == 404


@pytest.mark.parametrize("n", [2, 8])
def test_the_batches_page_query_count_does_not_grow(
    client, director, head_of_sales, django_assert_max_num_queries, n
):
    statements = _approved(n, director)
    for s in statements:
        payroll.payroll_batch_export(
            statements=BonusStatement.objects.filter(pk=s.pk), user=head_of_sales, fmt="csv"
        )
    client.force_login(head_of_sales)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("mentors:payroll_batches"))
    assert len(page.context["batches"]) == n


def test_personnel_numbers_are_unique_when_set_and_hr_edits_them_in_the_admin(client, hr):
    a, b = make_user(Role.MENTOR), make_user(Role.MENTOR)
    Profile.objects.update_or_create(user=a, defaults={"personnel_number": "0042"})
    pb, _ = Profile.objects.update_or_create(user=b, defaults={"personnel_number": ""})
    Profile.objects.update_or_create(
        user=make_user(Role.MENTOR), defaults={"personnel_number": ""}
    )  # several empty ones are fine
    with transaction.atomic(), pytest.raises(IntegrityError):
        Profile.objects.filter(pk=pb.pk).update(personnel_number="0042")

    client.force_login(hr)
    edit = reverse("profiles:edit", args=[pb.pk])
    assert client.get(edit).status_code == 200
    taken = client.post(edit, {"personnel_number": "0042", "job_title": "", "phone": ""})
    assert taken.status_code == 200  # the form again, with the error
    assert "Another employee already has this personnel number." in taken.content.decode()
    saved = client.post(edit, {"personnel_number": "0043", "job_title": "", "phone": ""})
    assert saved.status_code == 302
    pb.refresh_from_db()
    assert pb.personnel_number == "0043"
    # A mentor does not reach the screen.
    client.force_login(a)
    assert client.get(edit).status_code in (302, 403)
