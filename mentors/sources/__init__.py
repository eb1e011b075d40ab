"""Where the activity comes from: one adapter per source, behind one interface.

A reader (``mentors/adapters/``) turns its input into the importer's (line, raw) pairs
(``adapters.base.SourceReader``), with a
stable external id and the identity resolved through the mappings; ``services`` imports them
and keeps the rows of unknown identities. See docs/sources.md.
"""

from __future__ import annotations

from ..adapters.amocrm import AmoCrmReader
from ..adapters.asterisk import AsteriskReader
from ..adapters.base import CountingRule, Options, SourceError, SourceReader
from ..adapters.bitrix24 import Bitrix24Reader
from ..adapters.ics import IcsReader
from ..adapters.spreadsheet import SpreadsheetReader

# A file format's name → callable(binary_stream, options) → a reader: iterable of
# (line, raw) pairs, with ``unknown`` ({identity: rows held}), ``held`` and ``not_counted``.
FILE_READERS = {
    "csv": SpreadsheetReader,
    "asterisk": AsteriskReader,
    "ics": IcsReader,
}
# A connector's kind → callable(connector, options) → a reader (the HTTP ones), or the file
# format its location holds.
API_READERS = {"bitrix24": Bitrix24Reader, "amocrm": AmoCrmReader}
FILE_CONNECTORS = {"asterisk": "asterisk", "ics": "ics"}

__all__ = [
    "API_READERS",
    "FILE_CONNECTORS",
    "FILE_READERS",
    "CountingRule",
    "Options",
    "SourceError",
    "SourceReader",
]
