"""Payroll files of approved bonus statements: CSV and XLSX with the same columns (written by
people/spreadsheets.py: typed XLSX cells; CSV plain or for Excel in Russian; text that looks
like a formula is written as text).

One row per statement (the mentor's personnel number, the mentor, the trainee, the period,
the tier and the amount), then one totals row per currency: "Total", the number of
statements, the sum.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people import spreadsheets
from people.names import display_name
from people.spreadsheets import DATE, MONEY, Column


def columns() -> list[Column]:
    return [
        Column(_("Personnel number"), width=14),
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


def personnel_number(user) -> str:
    try:
        return user.profile.personnel_number
    except ObjectDoesNotExist:  # an account without a profile (made in the admin)
        return ""


def rows(statements):
    totals: dict[str, tuple[int, Decimal]] = {}
    for s in statements:
        mentor = s.mentorship.mentor
        trainee = s.mentorship.enrollment.trainee
        n, total = totals.get(s.currency, (0, Decimal(0)))
        totals[s.currency] = (n + 1, total + s.amount)
        yield [
            personnel_number(mentor),
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
    for currency, (n, total) in sorted(totals.items()):
        count = ngettext("%(n)s statement", "%(n)s statements", n) % {"n": n}
        yield [_("Total"), count, None, None, None, None, None, None, total, currency]


def render(statements, *, fmt: str, dialect: str = spreadsheets.EXCEL) -> bytes:
    if fmt == "csv":
        # Always with a BOM, so that spreadsheet programs open the UTF-8 names correctly.
        return spreadsheets.to_csv(columns(), rows(statements), dialect=dialect, bom=True)
    return spreadsheets.to_xlsx(columns(), rows(statements), title=_("Mentor bonuses"))
