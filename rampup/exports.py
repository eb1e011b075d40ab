"""The dashboard table as CSV and XLSX, the same columns as on screen (people/spreadsheets.py
writes them: typed XLSX cells, and CSV for Excel in Russian as well as the plain one)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from people import spreadsheets
from people.spreadsheets import DATE, DECIMAL, INTEGER, PERCENT, Column

from .dashboard import CERT_LABELS, Row


def columns() -> list[Column]:
    return [
        Column(_("Trainee")),
        Column(_("E-mail")),
        Column(_("Program")),
        Column(_("Hire date"), DATE),
        Column(_("Months since hire"), INTEGER),
        Column(_("Current stage")),
        Column(_("Quiz average (%)"), PERCENT),
        Column(_("Certification")),
        Column(_("Last complete month"), INTEGER),
        Column(_("Fulfilment"), DECIMAL),
        Column(_("Month status")),
        Column(_("Ramped in month"), INTEGER),
        Column(_("Behind the curve")),
        Column(_("Mentor")),
        Column(_("Status")),
    ]


def row_values(row: Row) -> list:
    last = row.last_complete
    return [
        row.trainee_name,
        row.enrollment.trainee.email,
        row.enrollment.program.title,
        row.enrollment.hire_date,
        row.months_since_hire,
        row.current_stage,
        row.quiz_average,
        str(CERT_LABELS[row.certification]),
        last.index if last else None,
        last.fulfilment if last else None,
        last.status if last else "",
        row.ramped_month,
        _("yes") if row.behind else _("no"),
        row.mentor_name,
        row.enrollment.get_status_display(),
    ]


def to_csv(rows: Iterable[Row], *, dialect: str = spreadsheets.EXCEL) -> bytes:
    return spreadsheets.to_csv(columns(), (row_values(r) for r in rows), dialect=dialect)


def to_xlsx(rows: Iterable[Row]) -> bytes:
    return spreadsheets.to_xlsx(columns(), (row_values(r) for r in rows), title=_("Ramp-up"))
