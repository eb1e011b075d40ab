"""Payroll batches: the writes that hand approved bonus statements to payroll and pay them.

An export makes one numbered ``PayrollBatch`` of the approved statements not yet in a batch
(``payroll_batch_export``); the file handed to payroll is kept with the batch, so downloading
it again gives the same bytes (``payroll_batch_file``). A new export contains only statements
that are in no batch yet, so nothing is sent to payroll twice. Marking paid is per batch
(``payroll_batch_mark_paid``): one action pays every statement of the batch, and a second
time is refused with who paid it and when.

Who may do it is asked of ``mentors.permissions`` before anything is written: the role check
(``check_export_statements``, ``check_mark_batch_paid``) and, for every statement, the
per-statement checks (``check_export_statement``, ``check_mark_statement_paid``), where the
separation-of-duties rules live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from people import spreadsheets

from . import exports, permissions
from .models import BonusStatement, PayrollBatch

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    count: int
    # Approved statements left out because the exporting user is their mentor (another
    # approver exports them).
    left_out: int = 0


def payroll_batch_file(batch: PayrollBatch, *, left_out: int = 0) -> ExportFile:
    """The batch's file exactly as it was handed to payroll."""
    return ExportFile(
        content=bytes(batch.content),
        content_type=CONTENT_TYPES[batch.file_format],
        filename=batch.filename,
        count=batch.statement_count,
        left_out=left_out,
    )


def _totals(statements) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for s in statements:
        totals[s.currency] = totals.get(s.currency, Decimal(0)) + s.amount
    return {currency: str(total) for currency, total in sorted(totals.items())}


@transaction.atomic
def payroll_batch_export(
    *, statements, user, fmt: str, dialect: str = "", now: datetime | None = None
) -> PayrollBatch:
    """A new numbered batch of the approved statements among ``statements`` that are in no
    batch yet, with its payroll file (CSV or XLSX; ``dialect`` is the CSV's, see
    people/spreadsheets.py). ValidationError when there is nothing new to export."""
    permissions.check_export_statements(user)
    if fmt not in CONTENT_TYPES:
        raise ValidationError(_("Unknown export format."))
    try:
        dialect = spreadsheets.check_dialect(dialect) if fmt == "csv" else ""
    except spreadsheets.UnknownDialect:
        raise ValidationError(_("Unknown CSV dialect.")) from None
    now = now or timezone.now()
    # Locked, so two exports at once cannot put one statement in two files: the second
    # waits, then no longer sees the statements the first one took.
    waiting = statements.filter(status=BonusStatement.Status.APPROVED, payroll_batch__isnull=True)
    # The exporter's own statements (they are the mentor) stay for another approver.
    left_out = waiting.filter(mentorship__mentor=user).count()
    locked = list(
        waiting.exclude(mentorship__mentor=user)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = list(
        BonusStatement.objects.filter(pk__in=locked, payroll_batch__isnull=True)
        .select_related(
            "mentorship__mentor__profile",
            "mentorship__enrollment__trainee",
        )
        .order_by(
            "mentorship__mentor__last_name",
            "mentorship__mentor__first_name",
            "period_start",
            "pk",
        )
    )
    if not rows:
        if left_out:
            raise ValidationError(
                _(
                    "Nothing you may export: the approved statements waiting are ones on which "
                    "you are the mentor; another approver exports them."
                )
            )
        raise ValidationError(
            _("Nothing new to export: every approved statement is already in a payroll batch.")
        )
    for statement in rows:
        permissions.check_export_statement(user, statement)
    number = (PayrollBatch.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    content = exports.render(rows, fmt=fmt, dialect=dialect or spreadsheets.EXCEL)
    batch = PayrollBatch(
        number=number,
        created_at=now,
        created_by=user,
        file_format=fmt,
        dialect=dialect,
        filename=f"payroll-batch-{number:04d}.{fmt}",
        content=content,
        statement_count=len(rows),
        totals=_totals(rows),
    )
    batch.full_clean()
    batch.save()
    BonusStatement.objects.filter(pk__in=[r.pk for r in rows]).update(
        payroll_batch=batch, exported_at=now
    )
    batch.left_out = left_out
    return batch


@transaction.atomic
def payroll_batch_mark_paid(
    *, batch: PayrollBatch, user, now: datetime | None = None
) -> PayrollBatch:
    """Mark every statement of the batch paid, in one action. A batch is paid once: a second
    time is a ValidationError saying by whom and when it was paid."""
    batch = PayrollBatch.objects.select_for_update().get(pk=batch.pk)
    permissions.check_mark_batch_paid(user, batch)
    statements = list(
        BonusStatement.objects.select_for_update()
        .filter(payroll_batch=batch)
        .select_related("mentorship")
        .order_by("pk")
    )
    # Statements paid one by one before batches existed (the batch that gathered them) are
    # left as they were; every other one must pass the same checks as on its own.
    unpaid = [s for s in statements if s.status != BonusStatement.Status.PAID]
    for statement in unpaid:
        permissions.check_mark_statement_paid(user, statement)
    now = now or timezone.now()
    BonusStatement.objects.filter(pk__in=[s.pk for s in unpaid]).update(
        status=BonusStatement.Status.PAID, paid_at=now, paid_by=user
    )
    batch.paid_at = now
    batch.paid_by = user
    batch.save(update_fields=["paid_at", "paid_by"])
    return batch
