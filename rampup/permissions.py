"""Who may see the ramp-up: the dashboard, the audit history and every trainee's ramp.

Signing a trainee off from the drill-down asks ``courses.permissions.may_sign_off``, the
predicate the sign-off service raises from; the role predicates are in ``people.permissions``
(where the navigation asks them too).
"""

from __future__ import annotations

from people.permissions import is_integration, sees_all_trainees


def may_view_dashboard(user) -> bool:
    """The ramp-up dashboard and its exports: directors, HR and the head of sales."""
    return sees_all_trainees(user)


def may_see_audit_history(user) -> bool:
    """Those who oversee every trainee and act on these records: directors, HR, the head of
    sales. Others get 403, as on the dashboard."""
    return sees_all_trainees(user)


def sees_every_ramp(user) -> bool:
    """Every enrollment's ramp through the API: integrations and those who oversee every
    trainee; the others see the enrollments they may see (a mentor's mentees, one's own)."""
    return is_integration(user) or sees_all_trainees(user)
