"""Batch intake of activities from a CSV file or an API request.

Rows are validated one by one and inserted in chunks with bulk_create, inside one
transaction: by default any invalid row rolls everything back (all-or-nothing). Rows whose
(source, external_id) already exist, in the database or earlier in the same batch, are
counted as duplicates and skipped, so sending the same batch twice creates nothing.
Nothing holds the whole input in memory: a CSV file is read row by row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .models import Activity
from .validation import activity_problems

CSV_COLUMNS = ["trainee_email", "kind", "occurred_at", "source", "external_id", "amount", "note"]
REQUIRED_CSV_COLUMNS = ["trainee_email", "kind", "occurred_at"]
CHUNK_SIZE = 1000
MAX_REPORTED_ERRORS = 1000
MAX_SOURCE_LENGTH = Activity._meta.get_field("source").max_length
MAX_EXTERNAL_ID_LENGTH = Activity._meta.get_field("external_id").max_length


@dataclass
class RowError:
    row: int  # the CSV line number (header = 1) or the API item's index
    field: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    rows: int = 0
    invalid_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False
    enrollment_ids: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.invalid_rows

    @property
    def errors_truncated(self) -> bool:
        return len(self.errors) < self._error_count

    _error_count: int = 0

    def add_error(self, row: int, field_name: str, message: str) -> None:
        self._error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, field_name, message))


class _Rollback(Exception):
    pass


class TraineeLookup:
    """E-mail → (enrollment id, hire date), cached: one query per distinct trainee."""

    def __init__(self, enrollments):
        self.enrollments = enrollments
        self.cache: dict[str, tuple[int, object] | None] = {}

    def __call__(self, email: str):
        key = email.strip().lower()
        if key not in self.cache:
            from courses.models import Enrollment

            found = list(
                self.enrollments.filter(trainee__email__iexact=key, trainee__is_active=True)
                .order_by("-hire_date", "-pk")
                .values_list("pk", "hire_date", "status", "trainee_id")
            )
            if len({row[3] for row in found}) > 1:
                self.cache[key] = "ambiguous"
            else:
                open_ = [r for r in found if r[2] != Enrollment.Status.DROPPED]
                best = (open_ or found or [None])[0]
                self.cache[key] = (best[0], best[1]) if best else None
        return self.cache[key]


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def parse_row(
    raw: dict, *, index: int, lookup: TraineeLookup, default_source: str, now: datetime
) -> tuple[Activity | None, list[tuple[str, str]]]:
    """One raw row (strings, or JSON values) → an unsaved Activity, or its problems."""
    problems: list[tuple[str, str]] = []
    if raw.get("__error__"):
        problems.append(("row", raw["__error__"]))
    email = _text(raw.get("trainee"))
    enrollment = None
    if not email:
        problems.append(("trainee", _("The trainee's e-mail is required.")))
    else:
        enrollment = lookup(email)
        if enrollment == "ambiguous":
            problems.append(
                ("trainee", _("Several people have the e-mail %(email)s.") % {"email": email})
            )
            enrollment = None
        elif enrollment is None:
            problems.append(
                ("trainee", _("No enrolled trainee has the e-mail %(email)s.") % {"email": email})
            )
    kind = _text(raw.get("kind")).lower()
    if not kind:
        problems.append(("kind", _("The kind is required.")))
    elif kind not in Activity.Kind.values:
        problems.append(
            (
                "kind",
                _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(Activity.Kind.values)},
            )
        )
    occurred_at = None
    raw_when = raw.get("occurred_at")
    if not _text(raw_when):
        problems.append(("occurred_at", _("The time is required.")))
    elif not isinstance(raw_when, str):
        problems.append(("occurred_at", _("Give the time as an ISO 8601 string.")))
    else:
        try:
            occurred_at = parse_datetime(raw_when.strip())
        except ValueError:
            occurred_at = None
        if occurred_at is None:
            problems.append(
                (
                    "occurred_at",
                    _("“%(value)s” is not an ISO 8601 date and time.") % {"value": raw_when},
                )
            )
        elif occurred_at.tzinfo is None:
            problems.append(
                (
                    "occurred_at",
                    _("The time has no UTC offset; add one, e.g. 2026-03-01T10:30:00+03:00."),
                )
            )
            occurred_at = None
    source = _text(raw.get("source")) or default_source
    if len(source) > MAX_SOURCE_LENGTH:
        problems.append(("source", _("At most %(n)s characters.") % {"n": MAX_SOURCE_LENGTH}))
    external_id = _text(raw.get("external_id"))
    if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
        problems.append(
            ("external_id", _("At most %(n)s characters.") % {"n": MAX_EXTERNAL_ID_LENGTH})
        )
    amount = None
    raw_amount = raw.get("amount")
    if isinstance(raw_amount, float):
        problems.append(("amount", _('Send the amount as a decimal string, e.g. "125000.00".')))
    elif _text(raw_amount):
        try:
            amount = Decimal(_text(raw_amount).replace(" ", "").replace(",", "."))
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                ("amount", _("“%(value)s” is not a number.") % {"value": _text(raw_amount)})
            )
            amount = None
        else:
            if amount.as_tuple().exponent < -2:
                problems.append(("amount", _("At most two decimal places.")))
            elif amount.copy_abs() >= Decimal("1e12"):
                problems.append(("amount", _("The amount is too large.")))
    note = _text(raw.get("note"))
    if kind in Activity.Kind.values:
        problems += activity_problems(
            kind=kind,
            occurred_at=occurred_at,
            amount=amount,
            hire_date=enrollment[1] if enrollment else None,
            now=now,
        )
    if problems:
        return None, problems
    return (
        Activity(
            enrollment_id=enrollment[0],
            kind=kind,
            occurred_at=occurred_at,
            source=source,
            external_id=external_id,
            amount=amount,
            note=note,
        ),
        [],
    )


def import_rows(
    rows: Iterable[tuple[int, dict]],
    *,
    enrollments,
    default_source: str,
    recorded_by=None,
    all_or_nothing: bool = True,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Validate and insert (row number, raw dict) pairs; see the module docstring."""
    from .services import statements_schedule_recompute

    now = now or timezone.now()
    result = ImportResult()
    lookup = TraineeLookup(enrollments)
    try:
        with transaction.atomic():
            chunk: list[Activity] = []
            for index, raw in rows:
                result.rows += 1
                activity, problems = parse_row(
                    raw, index=index, lookup=lookup, default_source=default_source, now=now
                )
                if problems:
                    result.invalid_rows += 1
                    for field_name, message in problems:
                        result.add_error(index, field_name, message)
                    continue
                activity.recorded_by = recorded_by
                chunk.append(activity)
                if len(chunk) >= chunk_size:
                    _flush(chunk, result)
                    chunk = []
            _flush(chunk, result)
            if all_or_nothing and not result.ok:
                raise _Rollback
            result.saved = True
            if result.enrollment_ids:
                statements_schedule_recompute(enrollment_ids=sorted(result.enrollment_ids))
    except _Rollback:
        result.created = 0
        result.saved = False
    return result


def _flush(chunk: list[Activity], result: ImportResult) -> None:
    """Insert a chunk, skipping rows whose (source, external_id) exist or repeat."""
    if not chunk:
        return
    keyed: dict[str, set[str]] = {}
    for a in chunk:
        if a.external_id:
            keyed.setdefault(a.source, set()).add(a.external_id)
    existing: set[tuple[str, str]] = set()
    for source, ids in keyed.items():
        existing |= set(
            Activity.objects.filter(source=source, external_id__in=ids).values_list(
                "source", "external_id"
            )
        )
    fresh = []
    for a in chunk:
        if a.external_id:
            key = (a.source, a.external_id)
            if key in existing:
                result.duplicates += 1
                continue
            existing.add(key)
        fresh.append(a)
    Activity.objects.bulk_create(fresh, batch_size=CHUNK_SIZE)
    result.created += len(fresh)
    result.enrollment_ids.update(a.enrollment_id for a in fresh)


def import_items(items: list[dict], *, enrollments, recorded_by, retries: int = 3) -> ImportResult:
    """The API's batch: indexes from 0. A concurrent request inserting the same external ids
    can make the insert fail on the unique constraint; the batch is then re-run, and the
    other request's rows count as duplicates."""
    for attempt in range(retries):
        try:
            return import_rows(
                enumerate(items),
                enrollments=enrollments,
                default_source=Activity.Source.API,
                recorded_by=recorded_by,
            )
        except IntegrityError:
            if attempt == retries - 1:
                raise
    raise AssertionError("unreachable")


class CsvFileError(ValueError):
    pass


def csv_rows(text_stream) -> Iterator[tuple[int, dict]]:
    """(line number, row dict) from a CSV text stream, streamed; the header is line 1."""
    reader = csv.reader(text_stream)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise CsvFileError(_("The file is empty.")) from None
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in CSV_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        raise CsvFileError(
            _("The header row must be %(expected)s (%(problems)s).")
            % {"expected": ",".join(CSV_COLUMNS), "problems": "; ".join(parts)}
        )
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
            raise CsvFileError(
                _("Line %(line)s cannot be read as CSV: %(error)s.")
                % {"line": reader.line_num, "error": exc}
            ) from exc
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        row = dict(zip(header, values, strict=False))
        row["trainee"] = row.pop("trainee_email", "")
        if len(values) != len(header):
            row["__error__"] = _("The row has %(n)s cells; the header has %(m)s.") % {
                "n": len(values),
                "m": len(header),
            }
        yield line, row


def import_csv(
    binary_or_text,
    *,
    enrollments,
    recorded_by=None,
    all_or_nothing: bool = True,
    encoding: str = "utf-8-sig",
) -> ImportResult:
    """Import a CSV from a binary file object (an upload, an open file) or a text stream."""
    if isinstance(binary_or_text, io.TextIOBase):
        stream = binary_or_text
    else:
        stream = io.TextIOWrapper(binary_or_text, encoding=encoding, newline="")
    try:
        return import_rows(
            csv_rows(stream),
            enrollments=enrollments,
            default_source=Activity.Source.CSV,
            recorded_by=recorded_by,
            all_or_nothing=all_or_nothing,
        )
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            _("The file is not UTF-8 text (byte %(pos)s); save it as CSV UTF-8.")
            % {"pos": exc.start}
        ) from exc
    finally:
        if stream is not binary_or_text:
            stream.detach()
