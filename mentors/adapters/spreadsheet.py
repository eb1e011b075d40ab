"""Our own activity layout (importing.CSV_COLUMNS) as a Russian Excel saves it.

The delimiter (comma, semicolon, tab) and the encoding (UTF-8 with or without BOM, or
Windows-1251) are detected unless given; times may be ``DD.MM.YYYY``, ``DD.MM.YYYY HH:MM[:SS]``
or ISO 8601, and a time without an offset is the company's local time. A row without an
external id gets one made from its content, so the same row sent twice (or three identical
rows in one file) is one activity.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..importing import CsvFileError, csv_rows
from .base import SourceError, SourceReader, aware_iso, content_id
from .textfiles import open_text

DELIMITERS = ",;\t"
RUSSIAN_TIME = re.compile(
    r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)


def detect_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        return max(DELIMITERS, key=lines[0].count)


def local_time(value):
    """A cell's time as an ISO string with its offset; a value it cannot read is returned as
    it is, for the importer to report."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    match = RUSSIAN_TIME.match(text)
    try:
        if match:
            parts = {k: int(v) for k, v in match.groupdict(default="0").items()}
            moment = datetime(  # noqa: DTZ001 - local time, made aware by aware_iso
                parts["y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"]
            )
        else:
            moment = parse_datetime(text)
    except ValueError:
        return value
    return aware_iso(moment) if moment is not None else value


class SpreadsheetReader(SourceReader):
    source = "csv"
    source_kind = "csv"

    def __init__(self, binary, options=None, **kwargs):
        super().__init__(options, **kwargs)
        self.binary = binary

    def rows(self) -> Iterator[tuple[int, list[str], dict]]:
        stream, sample = open_text(self.binary, encoding=self.options.encoding)
        delimiter = self.options.delimiter or detect_delimiter(sample)
        try:
            for line, raw in csv_rows(stream, delimiter=delimiter):
                yield line, [], self._normalised(raw)
        except CsvFileError as exc:
            raise SourceError(str(exc)) from exc
        except UnicodeDecodeError as exc:
            raise SourceError(
                _("The file is neither UTF-8 nor Windows-1251 text (byte %(pos)s).")
                % {"pos": exc.start}
            ) from exc
        finally:
            stream.detach()

    @staticmethod
    def _normalised(raw: dict) -> dict:
        raw["occurred_at"] = local_time(raw.get("occurred_at"))
        if not (raw.get("external_id") or "").strip() and "__error__" not in raw:
            raw["external_id"] = content_id(
                (raw.get("trainee") or "").strip().lower(),
                (raw.get("kind") or "").strip().lower(),
                raw["occurred_at"],
                (raw.get("amount") or "").strip(),
                (raw.get("note") or "").strip(),
                (raw.get("decision_maker_reached") or "").strip().lower(),
            )
        return raw
