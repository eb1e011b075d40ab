"""Where the activity comes from: one adapter per source, behind one interface.

A reader turns its input into the importer's (line, raw) pairs (``base.SourceReader``), with a
stable external id and the identity resolved through the mappings; ``services`` imports them
and keeps the rows of unknown identities. See docs/sources.md.
"""

from __future__ import annotations

from .amocrm import AmoCrmReader
from .asterisk import AsteriskReader
from .base import CountingRule, Options, SourceError, SourceReader
from .bitrix24 import Bitrix24Reader
from .ics import IcsReader
from .spreadsheet import SpreadsheetReader

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
