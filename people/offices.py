"""Offices as a scope: a person belongs to an office through their profile
(``Profile.office``), and with ``OFFICE_SCOPE`` on, a director whose profile names an office sees
only that office's people: on the ramp-up dashboard, its exports and drill-down
(rampup/table.py), on the career team pages (careers/selectors.py) and on "Mentor bonuses"
(mentors/selectors.py). HR, the head of sales, superusers and a director without an office see
everyone. The rule itself is ``people.selectors.office_scope_of``."""

from __future__ import annotations

from .models import Office
from .selectors import office_scope_of


def director_office_scope(user) -> int | None:
    """The id of the office ``user`` is limited to, or None: every office (one query, only
    when ``OFFICE_SCOPE`` is on)."""
    return office_scope_of(user)


def offices():
    """Every office, by name: the choices of the office filters."""
    return Office.objects.order_by("name")
