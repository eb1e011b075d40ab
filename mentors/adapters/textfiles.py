"""Reading a text file whose encoding a spreadsheet or a PBX chose: UTF-8 or Windows-1251."""

from __future__ import annotations

import codecs
import io

from django.utils.translation import gettext as _

from .base import SourceError

SAMPLE_BYTES = 64 * 1024


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, else Windows-1251 (a
    Russian Excel's "CSV (разделители — запятые)")."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is fine
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8-sig"


class _Rewound(io.RawIOBase):
    """The sample already read, then the rest of a stream that cannot seek."""

    def __init__(self, sample: bytes, rest):
        self._sample = sample
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._sample:
            n = min(len(buffer), len(self._sample))
            buffer[:n] = self._sample[:n]
            self._sample = self._sample[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_text(binary, *, encoding: str | None = None) -> tuple[io.TextIOWrapper, str]:
    """A text stream over a binary one, and the first SAMPLE_BYTES of it decoded (for the
    delimiter); the encoding is detected from that sample unless given."""
    sample = binary.read(SAMPLE_BYTES)
    if not isinstance(sample, bytes):
        raise SourceError(_("The file could not be read."))
    try:
        encoding = codecs.lookup(encoding or detect_encoding(sample)).name
    except LookupError:
        raise SourceError(_("Unknown encoding “%(name)s”.") % {"name": encoding}) from None
    if getattr(binary, "seekable", lambda: False)():
        binary.seek(0)
        raw = binary
    else:
        raw = io.BufferedReader(_Rewound(sample, binary))
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
    text = sample.decode(encoding, errors="ignore")
    return stream, text
