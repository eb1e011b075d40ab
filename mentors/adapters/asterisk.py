"""Asterisk's cdr-csv ``Master.csv`` (FreePBX's CDR holds the same columns).

No header. Columns: accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
lastdata, start, answer, end, duration, billsec, disposition, amaflags, then optionally
uniqueid, userfield, peeraccount, linkedid, sequence. Times are ``%Y-%m-%d %H:%M:%S`` in the
PBX's local time (the company's time zone) unless the connector says UTC (usegmtime=yes).

Direction: the call is outbound when its calling channel is an internal extension's
(``PJSIP/101-0000002a``) and it dialled an outside number, or its context is an outbound one;
the person is that extension. An inbound call's person is the answering extension.

The recording: Master.csv has no column for it (FreePBX keeps ``recordingfile``, a file name,
in its database only), so a PBX that publishes its recordings over https names the file's
address in the record's ``userfield`` (``Set(CDR(userfield)=https://pbx.example/rec/…)`` in
the dialplan, beside MixMonitor); an absolute http(s) address there is fetched as the call's
recording (mentors/recording_fetch.py).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from django.utils.translation import gettext as _

from .base import CallFacts, SourceError, SourceReader, aware_iso, content_id, recording_url
from .textfiles import open_text

COLUMNS = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
    "peeraccount",
    "linkedid",
    "sequence",
]
REQUIRED = 16
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
EXTENSION = re.compile(r"^\d{2,5}$")
# The peer of a channel name: SIP/101-0000001a, PJSIP/101-00000012, Local/101@from-internal-…
CHANNEL_PEER = re.compile(r"^[A-Za-z0-9]+/([^-@/;]+)")
OUTBOUND_CONTEXTS = ("outbound", "outgoing", "out-", "from-internal", "macro-dialout")
INBOUND_CONTEXTS = ("from-trunk", "from-pstn", "ext-did", "from-did", "incoming")


def channel_extension(channel: str) -> str:
    match = CHANNEL_PEER.match(channel.strip())
    peer = match.group(1) if match else ""
    return peer if EXTENSION.match(peer) else ""


def direction(cells: dict) -> tuple[bool, str]:
    """(outbound?, the internal extension the call belongs to) of one record."""
    context = cells["dcontext"].strip().lower()
    caller = channel_extension(cells["channel"]) or (
        cells["src"].strip() if EXTENSION.match(cells["src"].strip()) else ""
    )
    callee = channel_extension(cells["dstchannel"]) or (
        cells["dst"].strip() if EXTENSION.match(cells["dst"].strip()) else ""
    )
    inbound_context = any(word in context for word in INBOUND_CONTEXTS)
    outbound_context = any(word in context for word in OUTBOUND_CONTEXTS)
    dialled_outside = not EXTENSION.match(cells["dst"].strip())
    if caller and not inbound_context and (dialled_outside or outbound_context) and not callee:
        return True, caller
    return False, callee or caller


class AsteriskReader(SourceReader):
    source = "asterisk"
    source_kind = "asterisk"

    def __init__(self, binary, options=None, **kwargs):
        super().__init__(options, **kwargs)
        self.binary = binary

    def rows(self) -> Iterator[tuple[int, list[str], dict]]:
        stream, _sample = open_text(self.binary, encoding=self.options.encoding)
        reader = csv.reader(stream)
        try:
            for values in reader:
                if not "".join(values).strip():
                    continue
                row = self._row(reader.line_num, values)
                if row is not None:
                    yield row
        except csv.Error as exc:
            raise SourceError(
                _("Line %(line)s cannot be read as CSV: %(error)s.")
                % {"line": reader.line_num, "error": exc}
            ) from exc
        except UnicodeDecodeError as exc:
            raise SourceError(
                _("The file is neither UTF-8 nor Windows-1251 text (byte %(pos)s).")
                % {"pos": exc.start}
            ) from exc
        finally:
            stream.detach()

    def _row(self, line: int, values: list[str]):
        if not REQUIRED <= len(values) <= len(COLUMNS):
            return line, [], {"__error__": self._width_error(len(values))}
        cells = dict(zip(COLUMNS, values, strict=False))
        cells.update((name, "") for name in COLUMNS[len(values) :])
        try:
            start = datetime.strptime(cells["start"].strip(), TIME_FORMAT)  # noqa: DTZ007
            seconds = int(cells["billsec"].strip() or 0)
        except ValueError:
            return line, [], {"__error__": _("The start time or billsec is not readable.")}
        if self.options.utc:
            start = start.replace(tzinfo=UTC)
        outbound, extension = direction(cells)
        call = CallFacts(
            outbound=outbound,
            answered=cells["disposition"].strip().upper() == "ANSWERED",
            seconds=seconds,
        )
        identity = extension or cells["src"].strip()
        if not identity or not self.options.rule.counts(call):
            self.not_counted += 1
            return None
        raw = {
            "kind": "call",
            "occurred_at": aware_iso(start),
            "external_id": self._external_id(cells),
            "note": _("%(seconds)s s of talk") % {"seconds": seconds},
        }
        url = recording_url(cells["userfield"])
        if url:
            raw["recording_url"] = url
            raw["seconds"] = seconds
        return line, [identity], raw

    @staticmethod
    def _external_id(cells: dict) -> str:
        uniqueid = cells["uniqueid"].strip()
        if uniqueid:
            sequence = cells["sequence"].strip()
            return f"{uniqueid}-{sequence}" if sequence else uniqueid
        return content_id(*(cells[name] for name in COLUMNS[:REQUIRED]))

    @staticmethod
    def _width_error(n: int) -> str:
        return _("The record has %(n)s columns; Master.csv has 16 to 21.") % {"n": n}
