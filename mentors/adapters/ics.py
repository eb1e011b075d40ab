"""Meetings from a calendar export (RFC 5545 ``.ics``), read with the icalendar library.

Each VEVENT that took place is a meeting of the person its ORGANIZER (else its first ATTENDEE
that maps to somebody) names by e-mail. A recurring event (RRULE, RDATE, less EXDATE) is one
meeting per past occurrence; a VEVENT with a RECURRENCE-ID replaces that occurrence. The
external id is the UID, and for an occurrence the UID with the occurrence's original start
(its RECURRENCE-ID) in UTC. Cancelled events, all-day entries and events still to come are
not meetings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime

import icalendar
from dateutil.rrule import rruleset, rrulestr
from django.utils.translation import gettext as _

from .base import SourceError, SourceReader, aware_iso, company_zone

logger = logging.getLogger(__name__)
MAX_BYTES = 20 * 1024 * 1024
MAX_OCCURRENCES = 2000  # per recurring event: a daily meeting over five years


def _email(address) -> str:
    text = str(address or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()


def _moment(prop) -> datetime | None:
    """A DTSTART/RECURRENCE-ID value as an aware datetime; None for a date (all day)."""
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=company_zone())
    if isinstance(value, date):
        return None
    raise ValueError("no date")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _dates(event, name: str) -> list[datetime]:
    values = event.get(name)
    if values is None:
        return []
    found = []
    for group in values if isinstance(values, list) else [values]:
        for item in group.dts:
            moment = _moment(item)
            if moment is not None:
                found.append(moment)
    return found


class IcsReader(SourceReader):
    source = "ics"
    source_kind = "ics"
    resolve_emails = True

    def __init__(self, binary, options=None, **kwargs):
        super().__init__(options, **kwargs)
        self.binary = binary

    def _calendar(self):
        data = self.binary.read(MAX_BYTES + 1)
        if not isinstance(data, bytes) or len(data) > MAX_BYTES:
            raise SourceError(_("The calendar file is too large (20 MB at most)."))
        try:
            return icalendar.Calendar.from_ical(data)
        except Exception as exc:  # the library raises ValueError, KeyError, IndexError...
            raise SourceError(_("The file is not an iCalendar (.ics) file.")) from exc

    def rows(self) -> Iterator[tuple[int, list[str], dict]]:
        calendar = self._calendar()
        try:
            events = list(calendar.walk("VEVENT"))
            overridden = {
                (str(e.get("UID", "")), _stamp(_moment(e["RECURRENCE-ID"])))
                for e in events
                if e.get("RECURRENCE-ID") is not None and _moment(e["RECURRENCE-ID"])
            }
            found = []
            for event in events:
                found.extend(self._meetings(event, overridden))
        except SourceError:
            raise
        except Exception as exc:
            # The library's message may quote the file: it goes to the log, not to the page.
            logger.info("Unreadable calendar event", exc_info=True)
            raise SourceError(_("An event of the calendar cannot be read.")) from exc
        for line, (identities, raw) in enumerate(found, start=1):
            yield line, identities, raw

    def _meetings(self, event, overridden) -> list[tuple[list[str], dict]]:
        uid = str(event.get("UID", "")).strip()
        start = _moment(event["DTSTART"]) if event.get("DTSTART") is not None else None
        if not uid or start is None or str(event.get("STATUS", "")).upper() == "CANCELLED":
            self.not_counted += 1
            return []
        identities = self._identities(event)
        summary = str(event.get("SUMMARY", "")).strip()[:200]
        recurrence_id = event.get("RECURRENCE-ID")
        if recurrence_id is not None:
            original = _moment(recurrence_id)
            occurrences = [(start, f"{uid}/{_stamp(original or start)}")]
        elif event.get("RRULE") is not None or event.get("RDATE") is not None:
            occurrences = [
                (moment, f"{uid}/{_stamp(moment)}")
                for moment in self._expanded(event, start)
                if (uid, _stamp(moment)) not in overridden
            ]
        else:
            occurrences = [(start, uid)]
        now = self.now
        meetings = []
        for moment, external_id in occurrences:
            if moment > now:
                continue
            raw = {
                "kind": "meeting",
                "occurred_at": aware_iso(moment),
                "external_id": external_id,
                "note": summary,
            }
            meetings.append((identities, raw))
        return meetings

    def _expanded(self, event, start: datetime) -> list[datetime]:
        rules = rruleset()
        for rule in (
            event.get("RRULE") if isinstance(event.get("RRULE"), list) else [event.get("RRULE")]
        ):
            if rule is not None:
                rules.rrule(rrulestr(rule.to_ical().decode(), dtstart=start))
        if event.get("RRULE") is None:
            rules.rdate(start)
        for moment in _dates(event, "RDATE"):
            rules.rdate(moment)
        for moment in _dates(event, "EXDATE"):
            rules.exdate(moment)
        now = self.now
        found = []
        for moment in rules:
            if moment > now or len(found) >= MAX_OCCURRENCES:
                break
            found.append(moment)
        return found

    @staticmethod
    def _identities(event) -> list[str]:
        attendees = event.get("ATTENDEE") or []
        if not isinstance(attendees, list):
            attendees = [attendees]
        return [_email(event.get("ORGANIZER")), *(_email(a) for a in attendees)]
