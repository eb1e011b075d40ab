"""What every source adapter shares: the counting rule, identities, local times, ids.

A reader is an iterable of ``(line, raw)`` pairs in the shape ``importing.parse_row`` reads
(``trainee`` already resolved to the trainee's e-mail, ``occurred_at`` an ISO string with its
UTC offset, ``external_id`` never blank). Rows of identities that map to nobody are not
yielded: the reader keeps them in ``held`` and counts them in ``unknown``, and
``services.source_import`` stores both, so the rows are imported once the identity is mapped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from courses.models import Enrollment

from ..models import IdentityMapping


class SourceError(Exception):
    """The input cannot be read at all (a broken file, an unreachable or refusing API): the
    message says why, in the reader's language. Nothing of it is saved."""


@dataclass(frozen=True)
class CallFacts:
    outbound: bool
    answered: bool
    seconds: int


@dataclass(frozen=True)
class CountingRule:
    """Which calls count as activity (a connector's setting; docs/sources.md)."""

    outbound_only: bool = True
    answered_only: bool = True
    min_seconds: int = 0

    @classmethod
    def of(cls, connector) -> CountingRule:
        return cls(
            outbound_only=connector.outbound_only,
            answered_only=connector.answered_only,
            min_seconds=connector.min_call_seconds,
        )

    def counts(self, call: CallFacts) -> bool:
        if self.outbound_only and not call.outbound:
            return False
        if self.answered_only and not call.answered:
            return False
        return call.seconds >= self.min_seconds


@dataclass
class Options:
    """How a reader reads: the file formats' choices and the counting rule."""

    rule: CountingRule = field(default_factory=CountingRule)
    utc: bool = False  # Asterisk: the file's times are UTC (cdr.conf usegmtime=yes)
    encoding: str | None = None  # CSV: None detects UTF-8 or Windows-1251
    delimiter: str | None = None  # CSV: None detects , ; or tab
    now: datetime | None = None

    @classmethod
    def of(cls, connector, *, now: datetime | None = None) -> Options:
        return cls(rule=CountingRule.of(connector), utc=connector.asterisk_utc, now=now)


def company_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def aware_iso(moment: datetime, *, zone: ZoneInfo | None = None) -> str:
    """A time as the importer reads it: ISO 8601 with its offset; a naive one is read in the
    company's time zone (or ``zone``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or company_zone())
    return moment.isoformat()


def recording_url(value) -> str:
    """A source's cell as a call recording's address (absolute http or https with a host, at
    most 1000 characters), else "": the sync fetches it (mentors/recording_fetch.py)."""
    text = str(value or "").strip()
    if not text or len(text) > 1000:
        return ""
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def content_id(*parts) -> str:
    """A stable external id for a row that carries none: the same content, the same id."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return "h:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


class IdentityResolver:
    """A source's identity (extension, CRM user id, e-mail) → the person's e-mail.

    The source's mappings are read once (one query); with ``emails`` an identity that is itself
    the e-mail of an enrolled trainee needs no mapping (one query per distinct e-mail)."""

    def __init__(self, source_kind: str, *, emails: bool = False):
        self.source_kind = source_kind
        self.emails = emails
        self._mapped: dict[str, str] | None = None
        self._trainees: dict[str, bool] = {}

    def _mapping(self) -> dict[str, str]:
        if self._mapped is None:
            self._mapped = {
                identity.strip().lower(): email
                for identity, email in IdentityMapping.objects.filter(
                    source_kind=self.source_kind
                ).values_list("identity", "person__email")
                if email
            }
        return self._mapped

    def __call__(self, identity: str) -> str | None:
        key = identity.strip().lower()
        if not key:
            return None
        found = self._mapping().get(key)
        if found or not self.emails or "@" not in key:
            return found
        if key not in self._trainees:
            self._trainees[key] = Enrollment.objects.filter(
                trainee__email__iexact=key, trainee__is_active=True
            ).exists()
        return key if self._trainees[key] else None


class SourceReader:
    """The base of every reader: ``rows()`` yields (line, identities, raw) candidates."""

    source = ""
    source_kind = ""
    resolve_emails = False

    def __init__(self, options: Options | None = None, *, resolver: IdentityResolver | None = None):
        self.options = options or Options()
        self.resolver = resolver or IdentityResolver(self.source_kind, emails=self.resolve_emails)
        self.unknown: dict[str, int] = {}  # identity → rows held
        self.held: list[tuple[str, dict]] = []
        self.not_counted = 0
        self.cursor: dict = {}

    @property
    def now(self) -> datetime:
        return self.options.now or timezone.now()

    def rows(self) -> Iterator[tuple[int, Iterable[str], dict]]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        for line, identities, raw in self.rows():
            identities = [i for i in identities if i]
            email = next(filter(None, map(self.resolver, identities)), None)
            if email is None and identities:
                self._hold(identities[0], raw)
                continue
            raw.setdefault("source", self.source)
            yield line, {**raw, "trainee": email or raw.get("trainee", "")}

    def _hold(self, identity: str, raw: dict) -> None:
        raw.setdefault("source", self.source)
        self.unknown[identity] = self.unknown.get(identity, 0) + 1
        self.held.append((identity, raw))
