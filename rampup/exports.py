"""The dashboard table as CSV and XLSX (openpyxl), the same columns as on screen."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .dashboard import CERT_LABELS, Row


def headers() -> list[str]:
    return [
        _("Trainee"),
        _("E-mail"),
        _("Program"),
        _("Hire date"),
        _("Months since hire"),
        _("Current stage"),
        _("Quiz average (%)"),
        _("Certification"),
        _("Last complete month"),
        _("Fulfilment"),
        _("Month status"),
        _("Ramped in month"),
        _("Behind the curve"),
        _("Mentor"),
        _("Status"),
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


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for row in rows:
        writer.writerow(["" if v is None else v for v in row_values(row)])
    return out.getvalue()


def to_xlsx(rows: list[Row]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Ramp-up")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row_values(row))
    for index, _header in enumerate(headers(), start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 18
        if index == 4:
            for cell in sheet[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
        if index == 10:
            for cell in sheet[letter][1:]:
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
