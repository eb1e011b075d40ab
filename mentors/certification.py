"""The certification gate: client work waits for the role-play certification.

The method lets a trainee work with clients only after they pass the role-play certification
(``Enrollment.cleared_for_client_work_on``, set by the quizzes app). Each program says which
kinds of activity are client work (``ProgramPage.certification_gated_kinds``: meetings,
applications and contracts by default; calls too where the program ticks them).

Until the trainee is certified, an activity of a gated kind is:

- refused with a clear message when it is typed in: the logging form (``manual``), a CSV
  import (``csv``) or an API item without its own source (``api``);
- stored but flagged ``before_certification`` when a connector sent it (any other source, such
  as ``crm`` or ``telephony``): the CRM's record is kept as it happened, and the flagged row is
  left out of the per-day summary (mentors/activity_summary.py), so it counts toward no bonus
  statement and no ramp-up figure until the certification. When the trainee passes it, the
  quizzes app sends ``quizzes.signals.certified`` and the flags are lifted
  (``services.activities_count_after_certification``): that work counts from then on, and the
  statements are recomputed (an approved one is flagged for review, as for any late entry).

Once certified, a trainee's activity is taken as it comes, whatever its date.

Every write path asks ``gate`` here, with a ``Clearance`` read once per enrollment
(``clearance_of`` for one, ``clearances`` for a batch): the logging service and the importer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from django.utils.translation import gettext as _

from courses.models import Enrollment, ProgramPage

from .models import Activity

# The sources a person types in; every other source is a connector (CRM, telephony...).
TYPED_SOURCES = frozenset({Activity.Source.MANUAL, Activity.Source.CSV, Activity.Source.API})


class Verdict(Enum):
    ALLOWED = "allowed"
    FLAGGED = "flagged"
    REFUSED = "refused"


@dataclass(frozen=True)
class Clearance:
    """What the gate needs of one enrollment: its certification day and its program's gated
    kinds."""

    cleared_on: date | None
    gated_kinds: frozenset[str]


def clearance_of(enrollment: Enrollment) -> Clearance:
    return Clearance(
        cleared_on=enrollment.cleared_for_client_work_on,
        gated_kinds=enrollment.program.certification_gated_kinds(),
    )


_GATE_FIELDS = list(ProgramPage.CERTIFICATION_GATE_FIELDS.items())


def clearances(enrollment_ids) -> dict[int, Clearance]:
    """{enrollment id: Clearance} in one query."""
    columns = [f"program__{name}" for _kind, name in _GATE_FIELDS]
    rows = Enrollment.objects.filter(pk__in=list(enrollment_ids)).values_list(
        "pk", "cleared_for_client_work_on", *columns
    )
    return {
        pk: Clearance(
            cleared_on=cleared_on,
            gated_kinds=frozenset(
                kind for (kind, _name), on in zip(_GATE_FIELDS, gates, strict=True) if on
            ),
        )
        for pk, cleared_on, *gates in rows
    }


def gate(*, clearance: Clearance, kind: str, source: str) -> tuple[Verdict, str]:
    """(verdict, the refusal's message or "") for one activity."""
    if kind not in clearance.gated_kinds or clearance.cleared_on is not None:
        return Verdict.ALLOWED, ""
    if source not in TYPED_SOURCES:
        return Verdict.FLAGGED, ""
    message = _(
        "%(kind)s: client work is recorded only after the role-play certification, and "
        "the trainee has not passed it yet."
    ) % {"kind": Activity.Kind(kind).label}
    return Verdict.REFUSED, message


class BatchGate:
    """The gate over an import: the clearances of a batch's enrollments, read together (one
    query per block of new enrollments, see ``prefetch``)."""

    def __init__(self, before_query=None):
        self.before_query = before_query
        self.known: dict[int, Clearance] = {}

    def prefetch(self, enrollment_ids) -> None:
        missing = {pk for pk in enrollment_ids if pk not in self.known}
        if not missing:
            return
        if self.before_query is not None:
            self.before_query()
        self.known.update(clearances(missing))

    def __call__(self, *, enrollment_id: int, kind: str, source: str):
        if enrollment_id not in self.known:
            self.prefetch([enrollment_id])
        return gate(clearance=self.known[enrollment_id], kind=kind, source=source)


def notice(enrollment: Enrollment) -> str:
    """What the activity page tells a trainee who is not certified yet; "" once they are."""
    if enrollment.cleared_for_client_work_on is not None:
        return ""
    kinds = [
        str(label)
        for value, label in Activity.Kind.choices
        if value in enrollment.program.certification_gated_kinds()
    ]
    if not kinds:
        return ""
    return _(
        "Client work waits for the role-play certification: until it is passed, these are "
        "not recorded: %(kinds)s."
    ) % {"kinds": ", ".join(kinds)}
