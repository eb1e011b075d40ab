"""Batch intake of activities from a CSV file or an API request.

Every row is validated in Python, one at a time (``parse_row``, with the rules of
``validation.activity_problems`` that the logging form shares). ``import_rows`` (the API's
batch, the command) works inside one transaction: by default any invalid row rolls everything
back (all-or-nothing). ``RowImporter`` is the same work in as many transactions as its caller
wants: the background jobs (mentors/jobs.py) commit a file chunk after chunk with it.

Rows whose (source, external_id) already exist, in the database or earlier in the same input
(or an earlier, committed chunk), are counted as duplicates and skipped, so sending the same
batch twice creates nothing; rows without an external id are never duplicates. Nothing holds
the whole input in memory: a CSV file is read row by row.

How the valid rows reach the table depends on the database:

- PostgreSQL: each valid row goes straight into a ``COPY`` to a temporary staging table, and
  one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` moves them all into the activity table (its
  statement-level summary trigger fires once). The insert takes the rows in (source,
  external_id, line) order: the first line of a repeated id is the one kept, and two imports
  that share ids meet them in the same order, so the later one waits for the earlier one to
  commit and counts its rows as duplicates, instead of failing or deadlocking.
- Other databases (SQLite): chunks of rows, a SELECT of the ids that exist, bulk_create; a
  chunk that runs into a concurrent import's rows on the unique constraint is retried.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.csv_import import russian_key
from courses.models import Enrollment

from .certification import BatchGate, Verdict
from .models import Activity
from .partitioning import duplicates_skipped
from .provenance import Arrival, Provenance
from .services import arrival_of, statements_schedule_recompute
from .validation import NOTE_MAX_LENGTH, activity_problems, dropped_enrollment_problem

CSV_COLUMNS = [
    "trainee_email",
    "kind",
    "occurred_at",
    "source",
    "external_id",
    "amount",
    "note",
    "decision_maker_reached",
]
REQUIRED_CSV_COLUMNS = ["trainee_email", "kind", "occurred_at"]
# The Russian names a 1C or Bitrix24 export gives the columns, and the Russian words for the
# kinds (keys written as ``russian_key`` folds them: lower case, ё without its dots, spaces as
# "_"). A file may name its columns in either language, but each column once (csv_rows). The
# first name of each column is the one the upload page shows in Russian (import_help).
RUSSIAN_CSV_COLUMNS = {
    "эл_почта": "trainee_email",
    "email_стажера": "trainee_email",
    "почта_стажера": "trainee_email",
    "вид": "kind",
    "дата_время": "occurred_at",
    "источник": "source",
    "внешний_id": "external_id",
    "сумма": "amount",
    "примечание": "note",
    "лпр": "decision_maker_reached",
}
RUSSIAN_KINDS = {
    "звонок": "call",
    "встреча": "meeting",
    "заявка": "application",
    "договор": "contract",
    "мероприятие": "event",
    "рекомендация": "referral",
}
# How the upload page writes the Russian names: with the letter ё where the word has it.
RUSSIAN_COLUMN_SHOWN = {"trainee_email": "эл_почта"}
CHUNK_SIZE = 1000
MAX_REPORTED_ERRORS = 1000
MAX_SOURCE_LENGTH = Activity._meta.get_field("source").max_length
MAX_EXTERNAL_ID_LENGTH = Activity._meta.get_field("external_id").max_length
# Kind.values builds a new list on every access: far too slow to ask once per row.
KINDS = frozenset(Activity.Kind.values)
MAX_AMOUNT = Decimal("1e12")
CHUNK_RETRIES = 3
LOOKAHEAD_ROWS = 1000
LOOKUP_BATCH = 200
# What a CSV cell or a JSON value may say for the decision-maker flag (lower-cased, stripped).
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "да", "д"})
FALSE_WORDS = frozenset({"", "false", "no", "n", "0", "нет", "н"})


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


class ValidRow(NamedTuple):
    """A row that passed every check, as the activity table stores it. A plain tuple: cheap
    to build a million times, and written to COPY as it is."""

    enrollment_id: int
    kind: str
    occurred_at: datetime  # in UTC
    source: str
    external_id: str
    amount: Decimal | None
    note: str
    decision_maker_reached: bool
    # Client work a connector sent before the certification (mentors/certification.py).
    before_certification: bool = False


class _Rollback(Exception):
    pass


class TraineeLookup:
    """E-mail → (enrollment id, hire date), cached: each distinct trainee is looked up once.

    ``prefetch`` looks up a block's new e-mails together; ``before_query`` runs before
    each query: the PostgreSQL writer uses it to pause its COPY, since a connection cannot
    run a query in the middle of one."""

    def __init__(self, enrollments, before_query: Callable[[], None] | None = None):
        self.enrollments = enrollments
        self.before_query = before_query
        self.cache: dict[str, tuple[int, object] | str | None] = {}
        # Longer e-mails match nobody, and SQLite refuses LIKE patterns over 50,000 characters.
        self.max_length = get_user_model()._meta.get_field("email").max_length

    def __call__(self, email: str):
        key = email.strip().lower()
        try:
            return self.cache[key]
        except KeyError:
            pass
        if len(key) > self.max_length:
            self.cache[key] = None
            return None
        if self.before_query is not None:
            self.before_query()
        return self._find(key)

    def prefetch(self, values: Iterable) -> None:
        """Look up the e-mails among these raw values that are not known yet.

        Two queries per LOOKUP_BATCH e-mails: the database's UPPER of each, then the
        enrollments whose trainee's UPPER(email) is among them. That is iexact's own test on
        PostgreSQL (UPPER = UPPER), and on SQLite too (LIKE and upper() both fold ASCII only)."""
        keys = self._unknown_keys(values)
        if not keys:
            return
        if self.before_query is not None:
            self.before_query()
        for start in range(0, len(keys), LOOKUP_BATCH):
            self._fetch(keys[start : start + LOOKUP_BATCH])

    def _unknown_keys(self, values: Iterable) -> list[str]:
        """The values' e-mails (stripped, lower case) not in the cache yet, sorted; those too
        long to match anybody are cached as unknown on the way."""
        distinct = set()
        for value in values:  # most rows repeat an e-mail: fold each spelling once
            try:
                distinct.add(value)
            except TypeError:  # a list or an object from JSON
                distinct.add(_text(value))
        wanted = set()
        for value in distinct:
            key = _text(value).lower()
            if not key or "\x00" in key or key in self.cache:
                continue
            if len(key) > self.max_length:
                self.cache[key] = None
            else:
                wanted.add(key)
        return sorted(wanted)

    def _fetch(self, batch: list[str]) -> None:
        """Look up one batch of keys and cache the answer for each."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["UPPER(%s)"] * len(batch)), batch)
            folded = cursor.fetchone()
        keys_of: dict[str, list[str]] = {}
        for key, upper in zip(batch, folded, strict=True):
            keys_of.setdefault(upper, []).append(key)
        found: dict[str, list[tuple]] = {key: [] for key in batch}
        rows = (
            self._candidates()
            .annotate(_email_folded=Upper("trainee__email"))
            .filter(_email_folded__in=list(keys_of))
            .values_list("_email_folded", "pk", "hire_date", "status", "trainee_id")
        )
        for upper, *row in rows:
            for key in keys_of.get(upper, ()):
                found[key].append(row)
        for key, matches in found.items():
            self.cache[key] = self._choose(matches)

    def _candidates(self):
        return self.enrollments.filter(trainee__is_active=True).order_by("-hire_date", "-pk")

    def _find(self, key: str):
        found = list(
            self._candidates()
            .filter(trainee__email__iexact=key)
            .values_list("pk", "hire_date", "status", "trainee_id")
        )
        self.cache[key] = self._choose(found)
        return self.cache[key]

    @staticmethod
    def _choose(found: list):
        """(pk, hire date, status, trainee id) rows, newest hire first → the answer."""

        if len({row[3] for row in found}) > 1:
            return "ambiguous"
        open_ = [r for r in found if r[2] != Enrollment.Status.DROPPED]
        if found and not open_:
            return "dropped"
        best = (open_ or [None])[0]
        return (best[0], best[1]) if best else None


def import_help(language: str) -> dict:
    """The column names and kinds the upload page documents, in the page's language: the
    Russian names for a Russian page (the importer reads both)."""
    if language.split("-")[0] != "ru":
        kinds = {kind: kind for kind in Activity.Kind.values}
        return {"columns": {c: c for c in CSV_COLUMNS}, "kinds": kinds, "yes": "yes"}
    columns = {}
    for russian, column in RUSSIAN_CSV_COLUMNS.items():
        columns.setdefault(column, RUSSIAN_COLUMN_SHOWN.get(column, russian))
    kinds = {kind: russian for russian, kind in RUSSIAN_KINDS.items()}
    return {"columns": columns, "kinds": kinds, "yes": "да"}


def _text(value) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    return str(value).strip()


def _nul_problem(name: str) -> tuple[str, str]:
    return (name, _("The value contains a NUL character, which cannot be stored."))


def parse_row(
    raw: dict, *, index: int, lookup: TraineeLookup, default_source: str, now: datetime
) -> tuple[ValidRow | None, list[tuple[str, str]]]:
    """One raw row (strings, or JSON values) → a ValidRow, or its problems.

    Called once per row of a file of a million: keep it free of model instances and of
    anything computed again for every row. A valid row's fields are read inline; only the
    time (always) and a non-empty amount take a helper, and the messages of the other fields
    are built out of line, when there is a problem to report."""
    problems: list[tuple[str, str]] = []
    get = raw.get
    if get("__error__"):
        problems.append(("row", raw["__error__"]))
    value = get("trainee")
    email = value.strip() if value.__class__ is str else _text(value)
    enrollment = lookup(email) if email and "\x00" not in email else None
    if enrollment.__class__ is not tuple:  # None (nobody), "ambiguous" or "dropped"
        problems.append(_trainee_problem(email, enrollment))
        enrollment = None
    value = get("kind")
    kind = (value.strip() if value.__class__ is str else _text(value)).lower()
    if kind not in KINDS:
        kind = _russian_kind(kind, problems)
    occurred_at = _occurred_at(get("occurred_at"), problems)
    value = get("source")
    source = (value.strip() if value.__class__ is str else _text(value)) or default_source
    if len(source) > MAX_SOURCE_LENGTH:
        problems.append(("source", _("At most %(n)s characters.") % {"n": MAX_SOURCE_LENGTH}))
    elif "\x00" in source:
        problems.append(_nul_problem("source"))
    value = get("external_id")
    external_id = value.strip() if value.__class__ is str else _text(value)
    if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
        problems.append(
            ("external_id", _("At most %(n)s characters.") % {"n": MAX_EXTERNAL_ID_LENGTH})
        )
    elif "\x00" in external_id:
        problems.append(_nul_problem("external_id"))
    value = get("amount")
    amount = None if value is None or value == "" else _amount(value, problems)
    value = get("note")
    note = value.strip() if value.__class__ is str else _text(value)
    if "\x00" in note:
        problems.append(_nul_problem("note"))
    elif len(note) > NOTE_MAX_LENGTH:
        problems.append(("note", _("At most %(n)s characters.") % {"n": NOTE_MAX_LENGTH}))
    value = get("decision_maker_reached")
    reached = value if value is True or value is False else _flag(value, problems)
    if kind in KINDS:
        problems += activity_problems(
            kind=kind,
            occurred_at=occurred_at,
            amount=amount,
            hire_date=enrollment[1] if enrollment else None,
            now=now,
            decision_maker_reached=reached,
        )
    if problems:
        return None, problems
    return (
        ValidRow(enrollment[0], kind, occurred_at, source, external_id, amount, note, reached),
        [],
    )


def _flag(raw, problems: list[tuple[str, str]]) -> bool:
    """A yes/no cell (absent or blank: no); a value that is neither is a problem."""
    if raw is None:
        return False
    text = _text(raw).lower()
    if text in FALSE_WORDS:
        return False
    if text in TRUE_WORDS:
        return True
    problems.append(
        (
            "decision_maker_reached",
            _("Say yes or no (true/false, 1/0), not “%(value)s”.") % {"value": _text(raw)},
        )
    )
    return False


def _trainee_problem(email: str, found: str | None) -> tuple[str, str]:
    """Why the row's e-mail (stripped) names no trainee; ``found`` is what the lookup said."""
    if not email:
        return ("trainee", _("The trainee's e-mail is required."))
    if "\x00" in email:
        return _nul_problem("trainee")
    if found == "ambiguous":
        return ("trainee", _("Several people have the e-mail %(email)s.") % {"email": email})
    if found == "dropped":
        return dropped_enrollment_problem()
    return ("trainee", _("No enrolled trainee has the e-mail %(email)s.") % {"email": email})


def _russian_kind(kind: str, problems: list[tuple[str, str]]) -> str:
    """The code a kind that is not one names in Russian; or the kind itself, with the
    problem added to ``problems``. Only for the rare rows not written in the codes."""
    code = RUSSIAN_KINDS.get(russian_key(kind), kind)
    if code not in KINDS:
        problems.append(_kind_problem(kind))
    return code


def _kind_problem(kind: str) -> tuple[str, str]:
    if not kind:
        return ("kind", _("The kind is required."))
    return (
        "kind",
        _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
        % {"kind": kind, "kinds": ", ".join(import_help(get_language() or "en")["kinds"].values())},
    )


def _occurred_at(raw, problems: list[tuple[str, str]]) -> datetime | None:
    """The row's time in UTC; or None, with the reason added to ``problems``."""
    text = raw.strip() if raw.__class__ is str else _text(raw)
    if not text:
        problems.append(("occurred_at", _("The time is required.")))
        return None
    if not isinstance(raw, str):
        problems.append(("occurred_at", _("Give the time as an ISO 8601 string.")))
        return None
    try:
        occurred_at = parse_datetime(text)
    except ValueError:
        occurred_at = None
    if occurred_at is None:
        problems.append(
            ("occurred_at", _("“%(value)s” is not an ISO 8601 date and time.") % {"value": raw})
        )
        return None
    if occurred_at.tzinfo is None:
        problems.append(
            (
                "occurred_at",
                _("The time has no UTC offset; add one, e.g. 2026-03-01T10:30:00+03:00."),
            )
        )
        return None
    try:
        # In UTC: PostgreSQL takes offsets only up to about 16 hours, Python up to 24.
        return occurred_at.astimezone(UTC)
    except OverflowError:
        problems.append(("occurred_at", _("The date is out of range.")))
        return None


def _amount(raw, problems: list[tuple[str, str]]) -> Decimal | None:
    """A given (not None, not "") amount as a Decimal, or None when it is blank or is not a
    number; its problems are added to ``problems``. Two decimal places at most, under
    MAX_AMOUNT: an amount that breaks those is still returned, for the rules that follow."""
    if isinstance(raw, float):
        problems.append(("amount", _('Send the amount as a decimal string, e.g. "125000.00".')))
        return None
    text = raw.strip() if raw.__class__ is str else _text(raw)
    if not text:
        return None
    try:
        amount = Decimal(text.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        problems.append(("amount", _("“%(value)s” is not a number.") % {"value": text}))
        return None
    if amount.as_tuple().exponent < -2:
        problems.append(("amount", _("At most two decimal places.")))
    elif amount.copy_abs() >= MAX_AMOUNT:
        problems.append(("amount", _("The amount is too large.")))
    return amount


def import_rows(
    rows: Iterable[tuple[int, dict]],
    *,
    enrollments,
    default_source: str,
    recorded_by=None,
    all_or_nothing: bool = True,
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
    channel: str = Provenance.API,
) -> ImportResult:
    """Validate and insert (row number, raw dict) pairs in one transaction; see the module
    docstring. Each row's provenance follows from ``channel`` (API or file) and who records
    it (``services.arrival_of``).

    Row numbers must increase: on PostgreSQL they decide which of two rows with the same
    external id is kept. When nothing is saved, ``created`` and ``duplicates`` are 0."""
    importer = RowImporter(
        enrollments=enrollments,
        default_source=default_source,
        recorded_by=recorded_by,
        now=now,
        chunk_size=chunk_size,
        channel=channel,
    )
    return importer.write(rows, all_or_nothing=all_or_nothing, before_commit=_schedule_recompute)


def _schedule_recompute(result: ImportResult) -> None:
    if result.enrollment_ids:
        statements_schedule_recompute(enrollment_ids=sorted(result.enrollment_ids))


class RowImporter:
    """Validates and writes rows for one import, in as many transactions as its caller wants.

    ``write`` imports the rows it is given in one transaction of its own and commits them;
    the trainee lookups and the certification gate are kept from one call to the next, so a
    background job (mentors/jobs.py) imports a file chunk after chunk with the same cost as
    in one go. Rows repeating an external id of an earlier chunk are duplicates all the same:
    that chunk is committed, and the writers skip ids that exist. ``check`` is the pass that
    writes nothing."""

    def __init__(
        self,
        *,
        enrollments,
        default_source: str,
        recorded_by=None,
        now: datetime | None = None,
        chunk_size: int = CHUNK_SIZE,
        channel: str = Provenance.API,
    ):
        self.default_source = default_source
        self.now = now or timezone.now()
        self.chunk_size = chunk_size
        self.recorded_by_id = recorded_by.pk if recorded_by is not None else None
        self.arrival = arrival_of(recorded_by, channel=channel)
        self.lookup = TraineeLookup(enrollments)
        self.gate = BatchGate()

    def unknown_identities(self) -> list[str]:
        """The e-mails of the rows read so far that name nobody, sorted."""
        return sorted(key for key, found in self.lookup.cache.items() if found is None)

    def check(self, rows: Iterable[tuple[int, dict]], result: ImportResult) -> None:
        """Validate the rows, writing nothing; their problems are added to ``result``."""
        self.lookup.before_query = self.gate.before_query = None
        for index, raw in _trainees_looked_up(rows, self.lookup, self.gate):
            result.rows += 1
            self._parsed(index, raw, result)

    def write(
        self,
        rows: Iterable[tuple[int, dict]],
        *,
        all_or_nothing: bool = False,
        before_commit: Callable[[ImportResult], None] | None = None,
    ) -> ImportResult:
        """Validate the rows and insert the valid ones in one transaction. With
        ``all_or_nothing`` an invalid row rolls everything back; ``before_commit`` runs in the
        transaction once the rows are written (a job records its progress there, so that
        progress and rows commit together)."""
        result = ImportResult()
        try:
            with transaction.atomic():
                writer = self._writer()
                self.lookup.before_query = self.gate.before_query = writer.pause
                with writer:
                    for index, raw in _trainees_looked_up(rows, self.lookup, self.gate):
                        result.rows += 1
                        row = self._parsed(index, raw, result)
                        if row is not None and not (all_or_nothing and result.invalid_rows):
                            writer.add(index, row)
                if all_or_nothing and not result.ok:
                    raise _Rollback  # before writing anything more: nothing will be kept
                writer.save(result)
                result.saved = True
                if before_commit is not None:
                    before_commit(result)
        except _Rollback:
            result.created = result.duplicates = 0
            result.enrollment_ids = set()
            result.saved = False
        finally:
            self.lookup.before_query = self.gate.before_query = None
        return result

    def _writer(self):
        if connection.vendor == "postgresql":
            return _PostgresWriter(
                recorded_by_id=self.recorded_by_id, created_at=self.now, arrival=self.arrival
            )
        return _ChunkWriter(
            recorded_by_id=self.recorded_by_id, chunk_size=self.chunk_size, arrival=self.arrival
        )

    def _parsed(self, index: int, raw: dict, result: ImportResult) -> ValidRow | None:
        """The row if it is valid; else None, with its problems added to ``result``."""
        row, problems = parse_row(
            raw,
            index=index,
            lookup=self.lookup,
            default_source=self.default_source,
            now=self.now,
        )
        if row is not None:
            row, problems = _gated(row, self.gate)
        if problems:
            result.invalid_rows += 1
            for field_name, message in problems:
                result.add_error(index, field_name, message)
        return row


def _gated(row: ValidRow, gate: BatchGate) -> tuple[ValidRow | None, list[tuple[str, str]]]:
    """A valid row through the certification gate: kept, flagged, or refused as a row error."""
    verdict, refusal = gate(
        enrollment_id=row.enrollment_id,
        kind=row.kind,
        source=row.source,
    )
    if verdict is Verdict.REFUSED:
        return None, [("kind", refusal)]
    if verdict is Verdict.FLAGGED:
        return row._replace(before_certification=True), []
    return row, []


def _trainees_looked_up(
    rows: Iterable[tuple[int, dict]], lookup: TraineeLookup, gate: BatchGate
) -> Iterator[tuple[int, dict]]:
    """The rows, read in blocks whose new trainees (and their certification) are looked up
    before the block is handed on: the PostgreSQL writer's COPY then pauses for lookups once
    per block at most, not once per new e-mail."""
    rows = iter(rows)
    while block := list(islice(rows, LOOKAHEAD_ROWS)):
        lookup.prefetch(raw.get("trainee") for _index, raw in block)
        gate.prefetch(found[0] for found in lookup.cache.values() if found.__class__ is tuple)
        yield from block


class _PostgresWriter:
    """Valid rows → COPY into a temporary table → one INSERT … SELECT … ON CONFLICT DO NOTHING.

    The COPY stays open while rows stream in; ``pause`` ends it before another query on the
    connection (a trainee lookup), and the next row starts a new one."""

    STAGING = "mentors_activity_import"
    COLUMNS = ("line", *ValidRow._fields)

    def __init__(self, *, recorded_by_id: int | None, created_at: datetime, arrival: Arrival):
        self.recorded_by_id = recorded_by_id
        self.created_at = created_at
        self.arrival = arrival
        self.staged = 0
        self._copy = None
        self._stack: ExitStack | None = None
        self._cursor = connection.cursor()
        # Dropped by save(); on a rollback, its creation is rolled back with the rest.
        self._cursor.execute(
            f"CREATE TEMPORARY TABLE {self.STAGING} (line bigint NOT NULL, "
            "enrollment_id bigint NOT NULL, kind text NOT NULL, "
            "occurred_at timestamptz NOT NULL, source text NOT NULL, "
            "external_id text NOT NULL, amount numeric, note text NOT NULL, "
            "decision_maker_reached boolean NOT NULL, "
            "before_certification boolean NOT NULL) ON COMMIT DROP"
        )

    def add(self, line: int, row: ValidRow) -> None:
        if self._copy is None:
            self._stack = ExitStack()
            with connection.wrap_database_errors:
                self._copy = self._stack.enter_context(
                    self._cursor.cursor.copy(
                        f"COPY {self.STAGING} ({', '.join(self.COLUMNS)}) FROM STDIN"
                    )
                )
        self._copy.write_row((line, *row))
        self.staged += 1

    def pause(self) -> None:
        if self._stack is not None:
            stack, self._stack, self._copy = self._stack, None, None
            with connection.wrap_database_errors:
                stack.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._stack is None:
            return
        if exc is None:
            self.pause()
        else:  # abort the COPY (psycopg sends CopyFail) and let the exception through
            stack, self._stack, self._copy = self._stack, None, None
            stack.__exit__(exc_type, exc, tb)

    def save(self, result: ImportResult) -> None:
        table = Activity._meta.db_table
        if self.staged:
            provenance, provenance_params = self.arrival.sql()
            # ON CONFLICT names the partial unique index (source, external_id) of the model;
            # on the partitioned table (mentors/partitioning.py) its key trigger skips them.
            with duplicates_skipped(self._cursor) as on_conflict:
                self._cursor.execute(
                    f"""
                WITH inserted AS (
                    INSERT INTO {table} (enrollment_id, kind, occurred_at, source, external_id,
                                         amount, note, decision_maker_reached,
                                         before_certification, recorded_by_id, created_at,
                                         provenance)
                    SELECT enrollment_id, kind, occurred_at, source, external_id, amount, note,
                           decision_maker_reached, before_certification, %s, %s, {provenance}
                    FROM {self.STAGING}
                    ORDER BY source, external_id, line
                    {on_conflict}
                    RETURNING enrollment_id
                )
                SELECT enrollment_id, count(*) FROM inserted GROUP BY enrollment_id
                """,  # noqa: S608 - the model's table and our staging table; values are parameters
                    [self.recorded_by_id, self.created_at, *provenance_params],
                )
                counts = self._cursor.fetchall()
            for enrollment_id, count in counts:
                result.created += count
                result.enrollment_ids.add(enrollment_id)
            result.duplicates = self.staged - result.created
        self._cursor.execute(f"DROP TABLE {self.STAGING}")
        self._cursor.close()


class _ChunkWriter:
    """Valid rows → chunks → SELECT of the ids that exist → bulk_create (SQLite)."""

    def __init__(self, *, recorded_by_id: int | None, chunk_size: int, arrival: Arrival):
        self.recorded_by_id = recorded_by_id
        self.arrival = arrival
        self.chunk_size = chunk_size
        self.pending: list[ValidRow] = []
        self.staged = 0
        self.created = 0
        self.enrollment_ids: set[int] = set()

    def add(self, line: int, row: ValidRow) -> None:
        self.pending.append(row)
        self.staged += 1
        if len(self.pending) >= self.chunk_size:
            self._flush()

    def pause(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        pass

    def save(self, result: ImportResult) -> None:
        self._flush()
        result.created = self.created
        result.duplicates = self.staged - self.created
        result.enrollment_ids |= self.enrollment_ids

    def _flush(self) -> None:
        """Insert the pending chunk, skipping rows whose (source, external_id) exist or repeat.

        In a savepoint: a concurrent import that commits the same ids between the SELECT and
        the INSERT makes the INSERT fail on the unique constraint; the chunk is then tried
        again and those rows are duplicates like any other."""
        if not self.pending:
            return
        for attempt in range(CHUNK_RETRIES):
            try:
                with transaction.atomic():
                    fresh = self._insert(self.pending)
                break
            except IntegrityError:
                if attempt == CHUNK_RETRIES - 1:
                    raise
        self.pending = []
        self.created += len(fresh)
        self.enrollment_ids.update(a.enrollment_id for a in fresh)

    def _insert(self, chunk: list[ValidRow]) -> list[Activity]:
        keyed: dict[str, set[str]] = {}
        for row in chunk:
            if row.external_id:
                keyed.setdefault(row.source, set()).add(row.external_id)
        existing: set[tuple[str, str]] = set()
        for source, ids in keyed.items():
            existing |= set(
                Activity.objects.filter(source=source, external_id__in=ids).values_list(
                    "source", "external_id"
                )
            )
        fresh = []
        for row in chunk:
            if row.external_id:
                key = (row.source, row.external_id)
                if key in existing:
                    continue
                existing.add(key)
            fresh.append(
                Activity(
                    **row._asdict(),
                    recorded_by_id=self.recorded_by_id,
                    provenance=self.arrival.of(row.enrollment_id, row.source),
                )
            )
        Activity.objects.bulk_create(fresh, batch_size=self.chunk_size)
        return fresh


def import_items(items: list[dict], *, enrollments, recorded_by) -> ImportResult:
    """The API's batch: indexes from 0."""
    return import_rows(
        enumerate(items),
        enrollments=enrollments,
        default_source=Activity.Source.API,
        recorded_by=recorded_by,
        channel=Provenance.API,
    )


class CsvFileError(ValueError):
    pass


def csv_rows(text_stream, *, delimiter: str = ",") -> Iterator[tuple[int, dict]]:
    """(line number, row dict) from a CSV text stream, streamed; the header is line 1."""
    reader = csv.reader(text_stream, delimiter=delimiter)
    try:
        header = [h.strip().lower().lstrip("\ufeff").strip() for h in next(reader)]
    except StopIteration:
        raise CsvFileError(_("The file is empty.")) from None
    # The header is mapped once: a Russian name becomes the English column it stands for.
    columns = [name if name in CSV_COLUMNS else _russian_column(name) for name in header]
    given: dict[str, str] = {}
    for name, column in zip(header, columns, strict=True):
        if column in given and column:
            raise CsvFileError(
                _("The header names the column %(column)s twice (“%(first)s” and “%(second)s”).")
                % {"column": column, "first": given[column], "second": name}
            )
        given[column] = name
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in given]
    unknown = [h for h, c in zip(header, columns, strict=True) if h and c not in CSV_COLUMNS]
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
    keys = ["trainee" if name == "trainee_email" else name for name in columns]
    width = len(header)
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
        if not (values and values[0].strip()) and not "".join(values).strip():
            continue  # a blank line
        row = dict(zip(keys, values, strict=False))
        if len(values) != width:
            row["__error__"] = _("The row has %(n)s cells; the header has %(m)s.") % {
                "n": len(values),
                "m": len(header),
            }
        yield line, row


def read_csv(binary, *, encoding: str = "utf-8-sig") -> Iterator[tuple[int, dict]]:
    """(line, raw dict) pairs from a binary CSV file: the reader of the background imports
    (mentors/jobs.py READERS). Raises CsvFileError when the file cannot be read as CSV."""
    stream = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        yield from csv_rows(stream)
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            _("The file is not UTF-8 text (byte %(pos)s); save it as CSV UTF-8.")
            % {"pos": exc.start}
        ) from exc
    finally:
        stream.detach()


def _russian_column(name: str) -> str:
    """The English column a header cell names in Russian; the cell itself when it names none
    (blank, or unknown: csv_rows reports it)."""
    return RUSSIAN_CSV_COLUMNS.get(russian_key(name), name) if name else ""


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
            channel=Provenance.FILE,
        )
    except UnicodeDecodeError as exc:
        raise CsvFileError(
            _("The file is not UTF-8 text (byte %(pos)s); save it as CSV UTF-8.")
            % {"pos": exc.start}
        ) from exc
    finally:
        if stream is not binary_or_text:
            stream.detach()
