"""The one writer of spreadsheet exports: CSV in two dialects and XLSX with typed cells.

An export declares its columns (a header and a kind) and gives rows of plain values: dates,
numbers (int or Decimal), text, None. Then:

- XLSX keeps the types: a date is a date cell, a count or an amount a number cell, each with
  a number format (``NUMBER_FORMATS``; Excel shows them with the reader's own separators).
- CSV ``excel`` (the default): comma-separated UTF-8, a decimal point, ISO dates.
- CSV ``excel-ru``, for Excel in Russian (which splits a comma file into nothing and reads a
  plain UTF-8 file as Windows-1251): semicolon-separated, UTF-8 with a BOM, a decimal comma.
  Dates stay ISO (``2026-12-02``), which every Excel reads as a date.

Text is always written as text: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return never turns into a formula (CSV prefixes it with an apostrophe, as
spreadsheet programs expect; XLSX stores it as a string). Numbers and dates are typed cells,
so a negative amount stays a number.

Wagtail's own admin exports (the reports, redirects, form submissions, any listing with
``list_export``) are routed through the same rule by ``route_wagtail_exports``, called when
the app registry is ready (people/apps.py). docs/security.md explains the rule.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

TEXT, DATE, INTEGER, DECIMAL, MONEY, PERCENT = "text", "date", "integer", "decimal", "money", "pct"

NUMBER_FORMATS = {
    DATE: "dd.mm.yyyy",
    INTEGER: "#,##0",
    DECIMAL: "0.00",
    MONEY: "#,##0.00",
    PERCENT: "0.0",  # points (74.5), as the column's header says "(%)"
}

EXCEL = "excel"
EXCEL_RU = "excel-ru"
DIALECTS = (EXCEL, EXCEL_RU)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 18


class UnknownDialect(ValueError):
    pass


def check_dialect(dialect: str | None) -> str:
    """The dialect asked for ("" or None for the default); UnknownDialect for anything else."""
    if not dialect:
        return EXCEL
    if dialect not in DIALECTS:
        raise UnknownDialect(dialect)
    return dialect


def _plain(value):
    """A timezone-aware datetime in local time without its zone (Excel has none)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)
    return value


def _csv_cell(value, *, decimal_comma: bool) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        text = f"{value:f}" if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if decimal_comma else text
    return csv_text(str(value))


def csv_text(text: str) -> str:
    """Text as a CSV cell that no spreadsheet program evaluates: an apostrophe before a leading
    ``=``, ``+``, ``-``, ``@``, tab or carriage return."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def route_wagtail_exports() -> None:
    """Make Wagtail's spreadsheet exports (``SpreadsheetExportMixin``: the admin reports,
    redirects, form submissions, listings with ``list_export``) write text as this module
    does: CSV cells and headings through ``csv_text``, XLSX headings as strings (Wagtail
    already stores XLSX values that look like formulas as strings). Idempotent."""
    # Imported here: Wagtail's admin views need the app registry, which is not ready when
    # this module is first imported.
    from openpyxl.cell import WriteOnlyCell
    from wagtail.admin.views.mixins import Echo, ExcelDateFormatter, SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "lms_text_as_text", False):
        return

    def _text(value):
        return csv_text(value) if isinstance(value, str) else value

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: _text(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export)
        yield writer.writerow(
            {field: _text(self.get_heading(queryset, field)) for field in self.list_export}
        )
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def write_xlsx(self, queryset, output):
        book = Workbook(write_only=True, iso_dates=True)
        sheet = book.create_sheet(title=str(self.get_filename())[:31])
        headings = []
        for field in self.list_export:
            cell = WriteOnlyCell(sheet, self.get_heading(queryset, field))
            cell.data_type = "s"
            headings.append(cell)
        sheet.append(headings)
        date_format = ExcelDateFormatter().get()
        for item in queryset:
            sheet.append(
                self.generate_xlsx_row(sheet, self.to_row_dict(item), date_format=date_format)
            )
        book.save(output)

    SpreadsheetExportMixin.write_csv_row = write_csv_row
    SpreadsheetExportMixin.stream_csv = stream_csv
    SpreadsheetExportMixin.write_xlsx = write_xlsx
    SpreadsheetExportMixin.lms_text_as_text = True


def to_csv(columns: list[Column], rows, *, dialect: str = EXCEL, bom: bool = False) -> bytes:
    """The rows as CSV bytes in ``dialect``; ``excel-ru`` always starts with a BOM."""
    russian = check_dialect(dialect) == EXCEL_RU
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if russian else ",", lineterminator="\r\n")
    writer.writerow([_csv_cell(c.header, decimal_comma=russian) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(v, decimal_comma=russian) for v in row])
    text = out.getvalue()
    return (("\ufeff" if russian or bom else "") + text).encode("utf-8")


def to_xlsx(columns: list[Column], rows, *, title: str) -> bytes:
    """The rows as one XLSX sheet: a bold header row, frozen, and typed cells below it."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in rows:
        sheet.append([_plain(v) for v in row])
        for cell, column in zip(sheet[sheet.max_row], columns, strict=True):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
            elif column.kind in NUMBER_FORMATS and cell.value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
