"""How an activity arrived, and which of those ways count toward a bonus.

Pure code, below the models: the provenance choices, what a bonus rule makes of a
(provenance, confirmed) pair, how an activity's provenance follows from the way in and from
who recorded it, and the SQL form of that for the bulk import. See docs/bonuses.md,
"Provenance".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .bonus import COUNTED_KINDS


class Provenance(models.TextChoices):
    CRM = "crm", _("CRM connector")
    PBX = "pbx", _("PBX connector")
    FILE = "file", _("File import")
    API = "api", _("API")
    TRAINEE = "trainee", _("Typed by the trainee")
    MENTOR = "mentor", _("Typed by the mentor")
    HR = "hr", _("Typed by HR or a manager")


PROVENANCE_CHOICES = Provenance.choices
# Typed by a person (on a page, or sent by a person's own account through the API or a file):
# what a confirmation is for and what a burst counts.
TYPED_PROVENANCES = (Provenance.TRAINEE, Provenance.MENTOR, Provenance.HR)
# The names an integration account posts under (``Activity.source``) that say which connector
# sent the row; any other name from an integration is plain API.
CONNECTOR_SOURCES = {
    "crm": Provenance.CRM,
    "telephony": Provenance.PBX,
    "pbx": Provenance.PBX,
    # The source adapters' names (mentors/sources/), when an integration posts under them.
    "asterisk": Provenance.PBX,
    "bitrix24": Provenance.CRM,
    "amocrm": Provenance.CRM,
}


def counts_toward_bonus(
    provenance: str,
    confirmed: bool,
    *,
    counted: Iterable[str],
    confirmation_required: Iterable[str],
) -> bool:
    """Whether an activity of this provenance (confirmed or not) counts under a rule with
    these ``counted_provenances`` and ``confirmation_required``."""
    if provenance not in counted:
        return False
    return confirmed or provenance not in confirmation_required


# The choices' order, for the breakdown a statement keeps (computed once: ``Provenance.values``
# builds its list on every call).
_ORDER = {value: i for i, value in enumerate(Provenance.values)}


def rule_counts(
    breakdown: Mapping[tuple[str, bool], Mapping[str, int]],
    *,
    counted: Iterable[str],
    confirmation_required: Iterable[str],
) -> tuple[dict[str, int], list[dict]]:
    """A window's counts under a rule, from its counts by (provenance, confirmed): the counts
    that count toward the bonus ({kind: n}), and the breakdown as a statement keeps it
    ([{"provenance", "confirmed", "counted", "counts"}], in the order of the choices)."""
    counted = set(counted)
    confirmation_required = set(confirmation_required)
    order = _ORDER
    totals: dict[str, int] = dict.fromkeys(COUNTED_KINDS, 0)
    rows = []
    for (provenance, confirmed), counts in sorted(
        breakdown.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0][1])
    ):
        counts_here = counts_toward_bonus(
            provenance, confirmed, counted=counted, confirmation_required=confirmation_required
        )
        if counts_here:
            for kind in COUNTED_KINDS:
                totals[kind] += counts.get(kind, 0)
        rows.append(
            {
                "provenance": provenance,
                "confirmed": confirmed,
                "counted": counts_here,
                "counts": {kind: counts.get(kind, 0) for kind in COUNTED_KINDS},
            }
        )
    return totals, rows


@dataclass(frozen=True)
class Arrival:
    """How the rows of one write arrive: the provenance each row gets.

    ``trainee_of`` and ``mentor_of`` are the enrollments whose trainee, or (ever) mentor, is
    the person recording: their rows are typed by them, whatever the channel. Otherwise an
    integration's rows take the connector their source names (``by_source``), and the rest
    ``default``."""

    default: str
    by_source: Mapping[str, str] = field(default_factory=dict)
    trainee_of: frozenset[int] = frozenset()
    mentor_of: frozenset[int] = frozenset()

    def of(self, enrollment_id: int, source: str) -> str:
        if enrollment_id in self.trainee_of:
            return Provenance.TRAINEE
        if enrollment_id in self.mentor_of:
            return Provenance.MENTOR
        return self.by_source.get(source, self.default)

    def sql(self, *, enrollment: str = "enrollment_id", source: str = "source"):
        """The same as a SQL CASE expression over these column names, and its parameters."""
        parts: list[str] = []
        params: list = []
        if self.trainee_of:
            parts.append(f"WHEN {enrollment} = ANY(%s) THEN %s")
            params += [sorted(self.trainee_of), Provenance.TRAINEE.value]
        if self.mentor_of:
            parts.append(f"WHEN {enrollment} = ANY(%s) THEN %s")
            params += [sorted(self.mentor_of), Provenance.MENTOR.value]
        for name, provenance in sorted(self.by_source.items()):
            parts.append(f"WHEN {source} = %s THEN %s")
            params += [name, str(provenance)]
        if not parts:
            return "%s", [str(self.default)]
        return "CASE " + " ".join(parts) + " ELSE %s END", [*params, str(self.default)]
