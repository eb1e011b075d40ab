"""Importing a source's rows, keeping the unknown identities' rows, syncing connectors."""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrollment

from .. import jobs, recording_fetch
from ..adapters.base import IdentityResolver, Options, SourceError, SourceReader
from ..importing import ImportResult, import_rows
from ..models import (
    Connector,
    ConnectorRun,
    HeldRow,
    ImportJob,
    UnknownIdentity,
    source_file,
)
from ..provenance import Provenance
from . import API_READERS, FILE_CONNECTORS, FILE_READERS
from .records import SOURCE_PROVENANCE, held_rows_record

logger = logging.getLogger(__name__)
# A run that has not finished in this time has died: the next one may start.
STALE_RUN = timedelta(hours=1)
# The most of a Master.csv one run reads; the next run goes on from where it stopped.
CDR_CHUNK_BYTES = 16 * 1024 * 1024
MAX_KEPT_ERRORS = 50


@dataclass
class SourceResult:
    result: ImportResult
    not_counted: int = 0
    unknown: dict[str, int] = field(default_factory=dict)

    @property
    def held(self) -> int:
        return sum(self.unknown.values())


def source_import(
    *,
    reader: SourceReader,
    now: datetime,
    recorded_by=None,
    all_or_nothing: bool = True,
    connector: Connector | None = None,
) -> SourceResult:
    """Import a reader's rows (importing.import_rows: validation, duplicates, recompute) and,
    when they are saved, report its unknown identities and keep their rows, in one
    transaction. A SourceError from the reader propagates: nothing of the input is saved."""
    with transaction.atomic():
        result = import_rows(
            reader,
            enrollments=Enrollment.objects.all(),
            default_source=reader.source,
            recorded_by=recorded_by,
            all_or_nothing=all_or_nothing,
            now=now,
            channel=SOURCE_PROVENANCE.get(reader.source, Provenance.FILE),
        )
        if result.saved:
            held_rows_record(reader=reader, now=now, connector=connector)
    return SourceResult(result=result, not_counted=reader.not_counted, unknown=reader.unknown)


def identities_reapply(*, now: datetime, source_kind: str | None = None) -> ImportResult:
    """Import the kept rows of the unknown identities that now map to somebody; the rows
    imported (or found to be duplicates) are let go, and an identity with none left is no
    longer unknown. Rows still invalid stay, with the result's errors."""
    total = ImportResult(saved=True)
    unknowns = UnknownIdentity.objects.all()
    if source_kind:
        unknowns = unknowns.filter(source_kind=source_kind)
    for kind in sorted(set(unknowns.values_list("source_kind", flat=True))):
        resolver = IdentityResolver(kind, emails=kind == "ics")
        for unknown in unknowns.filter(source_kind=kind):
            email = resolver(unknown.identity)
            if email:
                _reapply_one(unknown, email=email, now=now, total=total)
    return total


def _reapply_one(unknown: UnknownIdentity, *, email: str, now: datetime, total) -> None:
    with transaction.atomic():
        held = list(unknown.rows.order_by("pk"))
        result = import_rows(
            ((row.pk, {**row.raw, "trainee": email}) for row in held),
            enrollments=Enrollment.objects.all(),
            default_source=unknown.source_kind,
            all_or_nothing=False,
            now=now,
            channel=SOURCE_PROVENANCE.get(unknown.source_kind, Provenance.FILE),
        )
        recording_fetch.fetches_record(
            rows=((row.pk, row.raw) for row in held), connector=unknown.connector, now=now
        )
        failed = {error.row for error in result.errors}
        HeldRow.objects.filter(pk__in=[row.pk for row in held if row.pk not in failed]).delete()
        if not unknown.rows.exists():
            unknown.delete()
    total.rows += result.rows
    total.created += result.created
    total.duplicates += result.duplicates
    total.invalid_rows += result.invalid_rows
    for error in result.errors:
        total.add_error(error.row, error.field, error.message)


def connector_reader(connector: Connector, *, now: datetime) -> tuple[SourceReader, object]:
    """The reader of a connector's source, and the file it opened (to close), if any."""
    options = Options.of(connector, now=now)
    if connector.kind in API_READERS:
        return API_READERS[connector.kind](connector, options), None
    path = source_file(connector.location)
    if path is None:
        raise SourceError(
            _("%(path)s is not in a folder connectors may read (ACTIVITY_SOURCE_ROOTS).")
            % {"path": connector.location}
        )
    if not path.is_file():
        raise SourceError(_("No file at %(path)s.") % {"path": connector.location})
    handle = path.open("rb")
    if connector.kind != Connector.Kind.ASTERISK:
        return FILE_READERS[FILE_CONNECTORS[connector.kind]](handle, options), handle
    records, cursor = _new_records(handle, connector.cursor or {})
    reader = FILE_READERS["asterisk"](records, options)
    reader.cursor = cursor
    return reader, handle


def _new_records(handle, cursor: dict) -> tuple[io.BytesIO, dict]:
    """Master.csv only grows, until it is rotated: the records after the byte the last run
    reached (from the start for a new file: another inode, or shorter than that), at most
    CDR_CHUNK_BYTES a run, up to the last complete line (Asterisk may be writing one)."""
    status = os.fstat(handle.fileno())
    offset = cursor.get("offset")
    same_file = cursor.get("inode") == status.st_ino
    if not (isinstance(offset, int) and same_file and 0 <= offset <= status.st_size):
        offset = 0
    handle.seek(offset)
    data = handle.read(CDR_CHUNK_BYTES)
    end = data.rfind(b"\n") + 1
    if not end and len(data) >= CDR_CHUNK_BYTES:
        end = len(data)  # one line longer than a chunk: read as it is (a row error)
    return io.BytesIO(data[:end]), {"offset": offset + end, "inode": status.st_ino}


def _claim(connector: Connector, now: datetime) -> bool:
    """Mark the connector running unless another run is (one run at a time)."""
    free = Q(running_since__isnull=True) | Q(running_since__lt=now - STALE_RUN)
    return bool(Connector.objects.filter(free, pk=connector.pk).update(running_since=now))


def connector_sync(*, connector: Connector, now: datetime) -> ConnectorRun | None:
    """Pull a connector's source once: rows imported (the valid ones; a CRM's feed cannot be
    corrected by whoever reads the status page), duplicates skipped, unknown identities kept;
    the run recorded. None when another run of it is under way.

    The source is read whole first (a CRM's pages, a Master.csv's new records, a calendar),
    so a source that fails midway saves nothing; its rows are then imported by a background
    job (kind "connector", no starter: the rows arrive the way the source's do), chunk after
    chunk, in this process, and the run links to the job's progress page."""
    if not _claim(connector, now):
        return None
    run = ConnectorRun(connector=connector, started_at=now, status=ConnectorRun.Status.OK)
    try:
        job = None
        handle = None
        try:
            reader, handle = connector_reader(connector, now=now)
            rows = list(jobs.SourceRows(reader))
        finally:
            if handle is not None:
                handle.close()
        job = jobs.job_create_for_rows(
            kind=ImportJob.Kind.CONNECTOR,
            fmt=connector.kind,
            name=connector.name,
            rows_total=len(rows),
        )
        run.job = job
        job = run.job = jobs.job_run_rows(job=job, rows=rows, source=reader, connector=connector)
    except (SourceError, ValueError) as error:  # ValueError: a SourceError as a job reads it
        run.status = ConnectorRun.Status.FAILED
        run.errors = [str(error)]
    except Exception:  # a bug or the database: recorded, the claim released, never a crash loop
        logger.exception("Connector %s failed", connector.name)
        run.status = ConnectorRun.Status.FAILED
        run.errors = [_("An unexpected error stopped the run; the server log has the details.")]
    else:
        _record_outcome(run, job, reader)
        if job.status == ImportJob.Status.DONE:
            connector.cursor = reader.cursor
        with transaction.atomic():
            recording_fetch.fetches_record(rows=rows, connector=connector, now=now)
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        connector.last_run_at = now
        connector.running_since = None
        connector.save(update_fields=["cursor", "last_run_at", "running_since"])
    return run


def _record_outcome(run: ConnectorRun, job: ImportJob, reader: SourceReader) -> None:
    """The run's figures from its job's and its reader's."""
    run.rows = job.rows_done + len(reader.held) + reader.not_counted
    run.created = job.created
    run.duplicates = job.duplicates
    run.not_counted = reader.not_counted
    run.unknown = len(reader.held)
    run.errors = [f"{e['line']} · {e['field']}: {e['message']}" for e in job.errors][
        :MAX_KEPT_ERRORS
    ]
    if job.status != ImportJob.Status.DONE:
        run.status = ConnectorRun.Status.FAILED
        run.errors = [job.message, *run.errors][:MAX_KEPT_ERRORS]
    elif job.invalid_rows and not job.created:
        run.status = ConnectorRun.Status.INVALID


def connectors_due(*, now: datetime) -> list[int]:
    return [c.pk for c in Connector.objects.filter(enabled=True) if c.is_due(now)]
