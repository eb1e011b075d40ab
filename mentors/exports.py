"""Payroll files of approved bonus statements: CSV and XLSX with the same columns (written by
people/spreadsheets.py: typed XLSX cells; CSV plain or for Excel in Russian)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from people import spreadsheets
from people.names import display_name
from people.spreadsheets import DATE, MONEY, Column


def columns() -> list[Column]:
    return [
        Column(_("Mentor"), width=24),
        Column(_("Mentor e-mail"), width=28),
        Column(_("Trainee"), width=24),
        Column(_("Trainee e-mail"), width=28),
        Column(_("Period start"), DATE, width=12),
        Column(_("Period end"), DATE, width=12),
        Column(_("Tier"), width=16),
        Column(_("Amount"), MONEY, width=14),
        Column(_("Currency"), width=9),
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


def render(statements, *, fmt: str, dialect: str = spreadsheets.EXCEL) -> bytes:
    if fmt == "csv":
        # Always with a BOM, so that spreadsheet programs open the UTF-8 names correctly.
        return spreadsheets.to_csv(columns(), rows(statements), dialect=dialect, bom=True)
    return spreadsheets.to_xlsx(columns(), rows(statements), title=_("Mentor bonuses"))
