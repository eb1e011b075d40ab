"""What every import of a source's rows records besides the activities: how the rows arrived,
and the unknown identities with their rows kept (``services.source_import``, the background
jobs of mentors/jobs.py). Below both, so each may import it."""

from __future__ import annotations

from datetime import datetime

from ..adapters.base import SourceReader
from ..models import HeldRow, UnknownIdentity
from ..provenance import Provenance

# How each source's rows arrived (mentors/provenance.py): a PBX, a CRM, or a file.
SOURCE_PROVENANCE = {
    "asterisk": Provenance.PBX,
    "bitrix24": Provenance.CRM,
    "amocrm": Provenance.CRM,
    "ics": Provenance.FILE,
    "csv": Provenance.FILE,
}


def held_rows_record(*, reader: SourceReader, now: datetime, connector=None) -> None:
    """Once a reader's rows are saved: its unknown identities reported and their rows kept."""
    if reader.held:
        unknown_identities_record(
            source_kind=reader.source_kind, held=reader.held, now=now, connector=connector
        )


def unknown_identities_record(
    *, source_kind: str, held: list[tuple[str, dict]], now: datetime, connector=None
) -> None:
    """Report each unknown identity and keep its rows (once each: a row delivered again is
    not kept twice); its count is the rows kept."""
    counts = dict.fromkeys(identity for identity, _raw in held)
    records = {}
    for identity in counts:
        records[identity], _created = UnknownIdentity.objects.get_or_create(
            source_kind=source_kind,
            identity=identity[:200],
            defaults={"first_seen": now, "last_seen": now, "connector": connector},
        )
    HeldRow.objects.bulk_create(
        [
            HeldRow(
                unknown=records[identity],
                source=raw["source"],
                external_id=raw["external_id"],
                raw=raw,
            )
            for identity, raw in held
        ],
        ignore_conflicts=True,
    )
    for record in records.values():
        UnknownIdentity.objects.filter(pk=record.pk).update(
            count=HeldRow.objects.filter(unknown=record).count(), last_seen=now
        )
