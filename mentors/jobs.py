"""Imports of activities as background jobs: a file upload, a connector's pull or a command.

The lifecycle (docs/api.md, "Background imports"):

``job_create`` stores the file under ``imports/`` in the default storage, checks that its
reader can read the first row (a file that is not the format fails at once, as a form error),
estimates the rows from the file's lines and enqueues ``mentors.tasks.import_job_run`` once
the transaction commits (with CELERY_TASK_ALWAYS_EAGER the job runs right then).

``job_run`` reads the file through its reader (``READERS``) and imports it in chunks of
IMPORT_JOB_CHUNK_SIZE rows, each in a transaction of its own (``importing.RowImporter``), so
no lock is held for longer than a chunk: a trainee logging a call for the same day waits for
one chunk at most. The job's progress is written in the chunk's transaction, so the rows done
and the rows committed never disagree. Between chunks the job looks whether someone asked to
cancel it. At the end the statements of the enrollments it touched are recomputed, once.

All or nothing: the job first checks every row, writing nothing (status ``validating``); one
invalid row and the job fails with the rows' problems and nothing saved. Then it writes in
chunks like any other job. A row that turns invalid between the two passes (its trainee was
dropped meanwhile) is reported and skipped.

Cancelling keeps the chunks already committed (their rows are real activities; import the
file again to finish: the rows with an external id are duplicates then). A job cancelled while
it is still checking the rows has written nothing.

Running a job twice is harmless: a finished job is not run again, and a job interrupted mid-run
(a lost worker) resumes after the rows it has committed, ``rows_done``. Since progress and rows
commit together, the rows without an external id, which cannot be recognised as duplicates,
are never written twice. Two runners of the same job cannot both commit a chunk: the progress
update names the ``rows_done`` it started from, and the runner that finds it moved stops.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import partial
from itertools import islice
from typing import BinaryIO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.models import Enrollment
from people import queue

from .adapters.base import CountingRule, Options, SourceError, SourceReader
from .importing import MAX_REPORTED_ERRORS, ImportResult, RowImporter
from .models import Activity, Connector, ImportJob
from .provenance import Provenance
from .services import statements_schedule_recompute
from .sources import FILE_READERS
from .sources.records import SOURCE_PROVENANCE, held_rows_record

logger = logging.getLogger(__name__)

# A reader turns a binary file into (line number, raw dict) pairs, the dicts keyed as
# importing.parse_row reads them ("trainee", "kind", "occurred_at", "source", ...). It raises
# a ValueError whose message the uploader reads when the file cannot be read at all. Adding a
# format is one line here.
Reader = Callable[[BinaryIO], Iterable[tuple[int, dict]]]


class SourceFile:
    """The reader of one of the source adapters' file formats (sources.FILE_READERS) for a
    job: the adapter's reader with the options of an upload (``upload_options``), its
    SourceError turned into the ValueError a job reports. After the job's writing pass the
    adapter's reader still holds what it saw: the rows of unknown identities and the calls the
    rule did not count (``_record_source``)."""

    def __init__(self, fmt: str):
        self.fmt = fmt

    def __call__(self, binary: BinaryIO, *, now=None) -> SourceRows:
        try:
            return SourceRows(FILE_READERS[self.fmt](binary, upload_options(now=now)))
        except SourceError as exc:
            raise ValueError(str(exc)) from exc


class SourceRows:
    def __init__(self, reader: SourceReader):
        self.reader = reader

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        try:
            yield from self.reader
        except SourceError as exc:
            raise ValueError(str(exc)) from exc


def upload_options(*, now=None) -> Options:
    """How an uploaded file is read: times without an offset (an Asterisk Master.csv's, a
    spreadsheet's DD.MM.YYYY HH:MM) in the company's time zone (settings.TIME_ZONE), the
    delimiter and the encoding detected, and a new connector's counting rule: answered
    outbound calls of at least 30 seconds of talk (docs/sources.md). ``now`` (the job's
    creation) bounds a calendar's repeated events, the same on every pass."""
    rule = CountingRule.of(Connector())  # the model's defaults, not a stored connector
    return Options(rule=rule, utc=False, now=now or timezone.now())


READERS: dict[str, Reader] = {
    "csv": SourceFile("csv"),
    "asterisk": SourceFile("asterisk"),
    "ics": SourceFile("ics"),
}
# The lines before the first row, per format (one otherwise): a Master.csv has no header.
HEADER_LINES = {"asterisk": 0}
# The source a row without one is recorded under, per format (the format's name otherwise).
DEFAULT_SOURCES = {"csv": Activity.Source.CSV}
CHANNELS = {
    ImportJob.Kind.UPLOAD: Provenance.FILE,
    ImportJob.Kind.COMMAND: Provenance.FILE,
    ImportJob.Kind.CONNECTOR: Provenance.API,
    ImportJob.Kind.API: Provenance.API,
}
MAX_UNKNOWN_IDENTITIES = MAX_REPORTED_ERRORS


class _Lost(Exception):
    """Another runner moved the job on: this one stops, its chunk rolled back."""


# --- Creating ------------------------------------------------------------------------------


@transaction.atomic
def job_create(
    *,
    kind: str,
    fmt: str,
    file: File,
    started_by,
    all_or_nothing: bool = True,
) -> ImportJob:
    """Store the file, check that it can be read, and enqueue the job after commit.

    Raises ValidationError({"file": ...}) when the format is unknown or the file's first rows
    cannot be read (empty, not the format, not UTF-8...): nothing is stored then."""
    if fmt not in READERS:
        raise ValidationError({"file": _("Unknown file format “%(fmt)s”.") % {"fmt": fmt}})
    _check_readable(fmt, file)
    job = ImportJob(
        kind=kind,
        fmt=fmt,
        file_name=(getattr(file, "name", "") or "")[-255:],
        started_by=started_by if getattr(started_by, "is_authenticated", False) else None,
        all_or_nothing=all_or_nothing,
        rows_total=_estimate_rows(file, header_lines=HEADER_LINES.get(fmt, 1)),
        language=get_language() or "",
    )
    # A random name: the file holds people's e-mails, and MEDIA_URL may be served as is.
    job.file.save(f"{secrets.token_hex(16)}.{fmt}", file, save=False)
    try:
        job.save()
    except Exception:
        job.file.delete(save=False)
        raise
    transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


def job_create_for_rows(*, kind: str, fmt: str, name: str, rows_total: int, started_by=None):
    """A job for rows a caller already holds (a connector's run, ``job_run_rows``): no file,
    nothing enqueued; chunked, the valid rows saved."""
    return ImportJob.objects.create(
        kind=kind,
        fmt=fmt,
        file_name=name[:255],
        started_by=started_by,
        all_or_nothing=False,
        rows_total=rows_total,
        language=get_language() or "",
    )


def job_enqueue(*, job_id: int) -> None:
    queue.task("mentors.tasks.import_job_run").delay(job_id)


def _check_readable(fmt: str, file: File) -> None:
    """Read the header and the first row: a file its reader refuses fails here, at once."""
    file.seek(0)
    rows = None
    try:
        rows = iter(READERS[fmt](_binary(file)))
        next(rows, None)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        file.seek(0)


def _estimate_rows(file: File, *, header_lines: int = 1) -> int:
    """The file's lines but the header: the rows, for formats of one row a line."""
    file.seek(0)
    lines = 0
    last = b"\n"
    for block in file.chunks():
        lines += block.count(b"\n")
        last = block[-1:] or last
    file.seek(0)
    if last != b"\n":
        lines += 1
    return max(lines - header_lines, 0)


# --- Cancelling ----------------------------------------------------------------------------


def job_cancel(*, job: ImportJob) -> bool:
    """Ask a running job to stop after its current chunk; a queued one is cancelled at once
    (its task, when a worker takes it, finds it finished). False when the job had ended."""
    jobs = ImportJob.objects.filter(pk=job.pk)
    if jobs.filter(status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now()
    ):
        return True
    return bool(jobs.exclude(status__in=ImportJob.FINISHED).update(cancel_requested=True))


def _cancel_requested(job: ImportJob) -> bool:
    return ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists()


# --- Running -------------------------------------------------------------------------------


def job_run(
    *,
    job: ImportJob,
    chunk_size: int | None = None,
    after_chunk: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Run (or resume) a job on its stored file to its end; see the module docstring.
    ``after_chunk`` is called after each committed chunk (and each checked one) with the job
    as it now stands."""
    job = _claim(job)
    if job is None or job.is_finished:
        return job
    if not job.file:  # purged before the job could run
        return _finish(job, ImportJob.Status.FAILED, message=_("The file is no longer kept."))
    storage, name, reader = job.file.storage, job.file.name, READERS[job.fmt]
    if isinstance(reader, SourceFile):
        reader = partial(reader, now=job.created_at)
    passes = []  # each pass reads the file anew; the last one is the writing pass

    def read() -> Iterator[tuple[int, dict]]:
        with storage.open(name, "rb") as handle:
            rows = reader(_binary(handle))
            passes.append(rows)
            yield from rows

    return _run_guarded(
        job,
        read,
        chunk_size=chunk_size,
        after_chunk=after_chunk,
        on_written=lambda job: _record_source(job, passes[-1] if passes else None),
    )


def job_run_rows(
    *,
    job: ImportJob,
    rows: Iterable[tuple[int, dict]],
    chunk_size: int | None = None,
    after_chunk: Callable[[ImportJob], None] | None = None,
    source: SourceReader | None = None,
    connector=None,
) -> ImportJob:
    """Run a job whose rows a connector already has, as (line or index, raw dict) pairs, in
    the calling process (a connector's task). If the job is run again the rows must come in
    the same order: it resumes after ``rows_done``. All or nothing keeps the rows in memory
    between its two passes. The job's ``started_by`` should be the connector's integration
    account: the rows' provenance then names the connector (``services.arrival_of``), as the
    API's batches do; a person's account records them as typed by HR. A connector's job has no
    starter: its rows arrive the way its source's do (sources.records.SOURCE_PROVENANCE).
    When ``rows`` is (or came from) a source adapter's reader, ``source``, the unknown
    identities it held are kept (for ``connector``) and its not-counted calls counted once
    every row is written."""
    job = _claim(job)
    if job is None or job.is_finished:
        return job
    source = source or rows
    if job.status == ImportJob.Status.VALIDATING:
        rows = list(rows)
    return _run_guarded(
        job,
        lambda: rows,
        chunk_size=chunk_size,
        after_chunk=after_chunk,
        on_written=lambda job: _record_source(job, source, connector=connector),
    )


def _binary(handle):
    """The file object under a Django File: what io.TextIOWrapper can wrap."""
    return getattr(handle, "file", handle)


def _claim(job: ImportJob) -> ImportJob | None:
    """The job, locked for a moment and moved out of ``queued``; None if it is gone."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        if job is None or job.is_finished:
            return job
        if job.status == ImportJob.Status.QUEUED:
            job.status = (
                ImportJob.Status.VALIDATING if job.all_or_nothing else ImportJob.Status.RUNNING
            )
            job.started_at = timezone.now()
            job.save(update_fields=["status", "started_at"])
    return job


def _run_guarded(job, read, *, chunk_size, after_chunk, on_written=None) -> ImportJob:
    """The run in the starter's language; a file that cannot be read further, or any other
    error, fails the job (never the caller: a page, a task) with the rows committed kept."""
    with translation.override(job.language or None):
        try:
            return _run(
                job,
                read,
                chunk_size=chunk_size or settings.IMPORT_JOB_CHUNK_SIZE,
                after_chunk=after_chunk,
                on_written=on_written,
            )
        except _Lost:
            return ImportJob.objects.get(pk=job.pk)
        except SoftTimeLimitExceeded:  # the chunk under way rolled back: go on in a new task
            transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
            return job
        except ValueError as exc:  # the reader's: its message says what is wrong
            return _finish(job, ImportJob.Status.FAILED, message=str(exc))
        except Exception:
            logger.exception("Import job %s stopped", job.pk)
            message = _("The import stopped on an unexpected error; the rows saved are kept.")
            return _finish(job, ImportJob.Status.FAILED, message=message)


def _channel(job: ImportJob) -> str:
    if job.kind == ImportJob.Kind.CONNECTOR and job.started_by_id is None:
        return SOURCE_PROVENANCE.get(job.fmt, Provenance.API)
    return CHANNELS.get(job.kind, Provenance.FILE)


def _run(job, read, *, chunk_size: int, after_chunk, on_written=None) -> ImportJob:
    if job.cancel_requested:
        return _finish(job, ImportJob.Status.CANCELLED)
    importer = RowImporter(
        enrollments=Enrollment.objects.all(),
        default_source=DEFAULT_SOURCES.get(job.fmt, job.fmt),
        recorded_by=job.started_by,
        channel=_channel(job),
        chunk_size=chunk_size,
    )
    if job.status == ImportJob.Status.VALIDATING and not _validate(
        job, importer, read(), chunk_size=chunk_size, after_chunk=after_chunk
    ):
        return job
    job = _write(job, importer, read(), chunk_size=chunk_size, after_chunk=after_chunk)
    if job.status == ImportJob.Status.RUNNING:  # every row read and written
        if on_written is not None:
            on_written(job)
        return _finish(job, ImportJob.Status.DONE)
    return job


def _blocks(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while block := list(islice(rows, size)):
        yield block


def _validate(job, importer, rows, *, chunk_size: int, after_chunk) -> bool:
    """The pass that writes nothing; True when every row is valid and the job goes on."""
    result = ImportResult()
    for block in _blocks(rows, chunk_size):
        importer.check(block, result)
        job.rows_checked = result.rows
        ImportJob.objects.filter(pk=job.pk).update(rows_checked=job.rows_checked)
        if after_chunk is not None:
            after_chunk(job)
        if _cancel_requested(job):
            _finish(job, ImportJob.Status.CANCELLED)
            return False
    _add_problems(job, result, importer)
    if not result.ok:
        message = _("Nothing was saved: fix the rows below and upload again.")
        _finish(job, ImportJob.Status.FAILED, message=message)
        return False
    job.status = ImportJob.Status.RUNNING
    job.rows_total = result.rows
    ImportJob.objects.filter(pk=job.pk).update(status=job.status, rows_total=job.rows_total)
    return True


def _write(job, importer, rows, *, chunk_size: int, after_chunk) -> ImportJob:
    """Chunk after chunk, each committed with the job's progress; resumes after rows_done."""
    rows = islice(iter(rows), job.rows_done, None)
    for block in _blocks(rows, chunk_size):
        record = partial(_record, job, importer=importer, rows_read=len(block))
        importer.write(block, before_commit=record)
        if after_chunk is not None:
            after_chunk(job)
        if _cancel_requested(job):
            return _finish(job, ImportJob.Status.CANCELLED)
    return job


def _record_source(job: ImportJob, rows, *, connector=None) -> None:
    """After the writing pass, what a source adapter's reader saw besides its rows: the rows
    of identities that map to nobody kept as source_import keeps them (sources.records), the
    calls its counting rule left out counted. Both are the whole input's, so a resumed job
    records them once (the rows kept are not kept twice)."""
    reader = getattr(rows, "reader", rows)
    if not isinstance(reader, SourceReader) or not (reader.held or reader.not_counted):
        return
    with transaction.atomic():
        held_rows_record(reader=reader, now=timezone.now(), connector=connector)
        job.not_counted = reader.not_counted
        job.held = len(reader.held)
        job.held_identities = sorted(reader.unknown)[:MAX_UNKNOWN_IDENTITIES]
        ImportJob.objects.filter(pk=job.pk).update(
            not_counted=job.not_counted, held=job.held, held_identities=job.held_identities
        )


def _record(job: ImportJob, result: ImportResult, importer: RowImporter, rows_read: int) -> None:
    """In the chunk's transaction: the job's counts with this chunk's, in one UPDATE that only
    applies if no other runner committed a chunk meanwhile."""
    previous = job.rows_done
    _add_problems(job, result, importer)
    job.rows_done = previous + rows_read
    job.rows_total = max(job.rows_total, job.rows_done)
    job.created += result.created
    job.duplicates += result.duplicates
    job.enrollment_ids = sorted(set(job.enrollment_ids) | result.enrollment_ids)
    fields = {name: getattr(job, name) for name in _PROGRESS_FIELDS}
    if not ImportJob.objects.filter(pk=job.pk, rows_done=previous).update(**fields):
        raise _Lost


_PROGRESS_FIELDS = (
    "rows_done",
    "rows_total",
    "created",
    "duplicates",
    "invalid_rows",
    "errors",
    "error_count",
    "unknown_identities",
    "unknown_count",
    "enrollment_ids",
)


def _add_problems(job: ImportJob, result: ImportResult, importer: RowImporter) -> None:
    """Add the rows' problems and the unknown identities seen so far to the job."""
    job.invalid_rows += result.invalid_rows
    room = MAX_REPORTED_ERRORS - len(job.errors)
    job.errors = job.errors + [
        {"line": e.row, "field": e.field, "message": e.message} for e in result.errors[:room]
    ]
    job.error_count += result._error_count
    seen = set(job.unknown_identities) | set(importer.unknown_identities())
    job.unknown_count = max(job.unknown_count, len(seen))
    job.unknown_identities = sorted(seen)[:MAX_UNKNOWN_IDENTITIES]


def _finish(job: ImportJob, status: str, *, message: str = "") -> ImportJob:
    """End the job; the statements of every enrollment it wrote to are recomputed, once, by
    one task for them all."""
    with transaction.atomic():
        job.status = status
        job.message = message
        job.finished_at = timezone.now()
        if status == ImportJob.Status.DONE:  # every row read: the estimate gives way
            job.rows_total = job.rows_done
        fields = ["status", "message", "finished_at", *_PROGRESS_FIELDS]
        job.save(update_fields=fields)
        if job.enrollment_ids:
            statements_schedule_recompute(enrollment_ids=job.enrollment_ids, batched=True)
    if status == ImportJob.Status.DONE and job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
    return job


# --- Retention -----------------------------------------------------------------------------


def import_jobs_purge_files(*, now=None) -> int:
    """Delete the files of jobs that ended more than IMPORT_JOB_FILE_RETENTION_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.IMPORT_JOB_FILE_RETENTION_DAYS)
    jobs = ImportJob.objects.filter(status__in=ImportJob.FINISHED, finished_at__lt=cutoff)
    purged = 0
    for job in jobs.exclude(file=""):
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged
