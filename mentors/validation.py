"""The rules an activity obeys, shared by the form, the CSV importer and the API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .bonus import local_midnight

# Allowed clock skew between an integration's clock and ours.
FUTURE_TOLERANCE_SECONDS = 300
# The kinds at which the decision-maker (ЛПР) can be reached.
DECISION_MAKER_KINDS = frozenset({"call", "meeting"})
# The longest note, for the form, the CSV import and the API alike.
NOTE_MAX_LENGTH = 2000


def dropped_enrollment_problem() -> tuple[str, str]:
    """A dropped trainee's enrollment takes no activity, whichever way it arrives."""
    return ("trainee", _("This trainee's enrollment was dropped; no activity can be recorded."))


def activity_problems(
    *,
    kind: str,
    occurred_at: datetime | None,
    amount: Decimal | None,
    hire_date,
    now: datetime,
    decision_maker_reached: bool = False,
) -> list[tuple[str, str]]:
    """(field, message) for every rule the activity breaks; empty when it is valid."""
    problems = []
    if decision_maker_reached and kind not in DECISION_MAKER_KINDS:
        problems.append(
            (
                "decision_maker_reached",
                _("Only a call or a meeting records whether the decision-maker was reached."),
            )
        )
    if amount is not None:
        if kind != "contract":
            problems.append(("amount", _("Only a contract has an amount.")))
        elif amount < 0:
            problems.append(("amount", _("The amount cannot be negative.")))
    if occurred_at is not None:
        if occurred_at.tzinfo is None:
            problems.append(("occurred_at", _("Give the time with its UTC offset.")))
        else:
            if (occurred_at - now).total_seconds() > FUTURE_TOLERANCE_SECONDS:
                problems.append(("occurred_at", _("An activity cannot be in the future.")))
            if hire_date is not None and occurred_at < local_midnight(hire_date):
                problems.append(
                    (
                        "occurred_at",
                        _("An activity cannot be before the hire date (%(date)s).")
                        % {"date": date_format(hire_date)},
                    )
                )
    return problems
