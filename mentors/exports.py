"""Payroll files of approved bonus statements: CSV and XLSX with the same columns."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from people.names import display_name


def headers() -> list[str]:
    return [
        _("Mentor"),
        _("Mentor e-mail"),
        _("Trainee"),
        _("Trainee e-mail"),
        _("Period start"),
        _("Period end"),
        _("Tier"),
        _("Amount"),
        _("Currency"),
    ]


def rows(statements):
    for s in statements:
        mentor = s.mentorship.mentor
        trainee = s.mentorship.enrollment.trainee
        yield [
            display_name(mentor),
            mentor.email,
            display_name(trainee),
            trainee.email,
            s.period_start,
            s.last_day,
            s.tier_name,
            s.amount,
            s.currency,
        ]


def render(statements, *, fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers())
        for row in rows(statements):
            writer.writerow([v.isoformat() if hasattr(v, "isoformat") else v for v in row])
        # A BOM so that spreadsheet programs open the UTF-8 names correctly.
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    book = Workbook()
    sheet = book.active
    sheet.title = _("Mentor bonuses")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(statements):
        sheet.append(row)
        sheet.cell(row=sheet.max_row, column=5).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=6).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=8).number_format = "#,##0.00"
    for column, width in zip("ABCDEFGHI", (24, 28, 24, 28, 12, 12, 16, 14, 9), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
