"""Offices as a scope: a person belongs to an office through their profile
(``Profile.office``), and with ``CAREERS_DIRECTORS_SEE_OWN_OFFICE`` on, a director who has an
office sees only that office's people: on the career team pages (careers/selectors.py) and on
"Mentor bonuses" (mentors/selectors.py). HR, the head of sales and superusers see everyone."""

from __future__ import annotations

from django.conf import settings

from .models import Office
from .roles import Role, has_role


def director_office_scope(user) -> int | None:
    """The id of the office ``user`` is limited to, or None: every office. Reads the user's
    profile only when the setting is on."""
    if not getattr(settings, "CAREERS_DIRECTORS_SEE_OWN_OFFICE", False):
        return None
    if user.is_superuser or not has_role(user, Role.DIRECTOR):
        return None
    profile = getattr(user, "profile", None)
    return profile.office_id if profile else None


def offices():
    """Every office, by name: the choices of the office filters."""
    return Office.objects.order_by("name")
