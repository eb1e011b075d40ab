"""The team on the ladder as CSV and XLSX, the columns of the team page (people/spreadsheets.py
writes them)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from people import spreadsheets
from people.names import display_name
from people.spreadsheets import DATE, INTEGER, MONEY, Column

from .selectors import Standing


def columns() -> list[Column]:
    return [
        Column(_("Person"), width=28),
        Column(_("Office")),
        Column(_("Level"), width=28),
        Column(_("At the level since"), DATE),
        Column(_("Months at the level"), INTEGER),
        Column(_("Next level"), width=28),
        Column(_("Requirements met"), INTEGER),
        Column(_("Requirements of the next level"), INTEGER),
        Column(_("Missing"), width=40),
        Column(_("Monthly pay"), MONEY),
        Column(_("Band from"), MONEY),
        Column(_("Band up to"), MONEY),
        Column(_("Pay against the band")),
    ]


def row_values(standing: Standing) -> list:
    band = standing.current_band
    return [
        display_name(standing.person),
        standing.office.name if standing.office else "",
        str(standing.level) if standing.level else "",
        standing.current.effective_on if standing.current else None,
        standing.months_at_level,
        str(standing.next_level) if standing.next_level else "",
        standing.met_count,
        len(standing.states),
        "; ".join(state.title for state in standing.missing),
        standing.pay,
        band.minimum if band else None,
        band.maximum if band else None,
        str(standing.pay_position_label),
    ]


def to_csv(rows: list[Standing], *, dialect: str = spreadsheets.EXCEL) -> bytes:
    return spreadsheets.to_csv(columns(), (row_values(r) for r in rows), dialect=dialect)


def to_xlsx(rows: list[Standing]) -> bytes:
    return spreadsheets.to_xlsx(columns(), (row_values(r) for r in rows), title=_("Career ladder"))
