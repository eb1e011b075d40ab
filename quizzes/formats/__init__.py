"""Moodle's question text formats: GIFT, Aiken and Moodle XML.

Each format module has ``parse(text) -> ParseResult`` and ``write(questions) -> WriteResult``
and knows nothing about the database: it reads text into ``ParsedQuestion`` dataclasses and
writes them back. ``quizzes.question_bank`` maps them to and from the question models. What a
format holds that the bank cannot (matching, cloze, calculated questions, ...) becomes a
``Skipped`` entry with the reason, never a silent drop.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

from django.utils.translation import gettext_lazy as _

# The question kinds the bank holds (Moodle's qtype names).
MULTICHOICE = "multichoice"
TRUEFALSE = "truefalse"
SHORTANSWER = "shortanswer"
NUMERICAL = "numerical"
ESSAY = "essay"
KINDS = (MULTICHOICE, TRUEFALSE, SHORTANSWER, NUMERICAL, ESSAY)

FORMATS = {
    "gift": _("GIFT"),
    "aiken": _("Aiken"),
    "moodle-xml": _("Moodle XML"),
}


@dataclass
class ParsedAnswer:
    text: str
    fraction: Decimal = Decimal(0)  # percent of the points, -100..100
    feedback: str = ""


@dataclass
class ParsedFile:
    name: str
    content: bytes


@dataclass
class ParsedQuestion:
    kind: str
    text: str
    name: str = ""
    category: tuple[str, ...] = ()
    points: Decimal = Decimal(1)
    general_feedback: str = ""
    answers: list[ParsedAnswer] = field(default_factory=list)
    single: bool = True  # multichoice: one answer to pick
    correct: bool | None = None  # truefalse
    feedback_true: str = ""
    feedback_false: str = ""
    value: Decimal | None = None  # numerical
    tolerance: Decimal = Decimal(0)
    unit: str = ""
    case_sensitive: bool = False  # shortanswer
    grader_info: str = ""  # essay
    tags: list[str] = field(default_factory=list)  # Moodle XML's <tags>
    files: list[ParsedFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the conversion lost
    source: str = ""  # "line 12", "question 3": where in the file

    @property
    def label(self) -> str:
        return self.name or shorten(self.text)


@dataclass
class Skipped:
    source: str
    name: str
    reason: str

    @property
    def label(self) -> str:
        return self.name or self.source


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # Categories named in the file, in order (also those without questions).
    categories: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class WriteResult:
    text: str
    skipped: list[Skipped] = field(default_factory=list)


def shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Encodings ---------------------------------------------------------------------------

CYRILLIC = re.compile("[\u0400-\u04ff]")
LATIN = re.compile("[A-Za-z]")
WORD = re.compile(r"\w+")


def decode(data: bytes, encoding: str | None = None) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1251 or Windows-1252: the one
    whose non-ASCII letters make sense (Cyrillic for 1251, Latin accents for 1252)."""
    if encoding:
        return data.decode(encoding)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Both code pages put letters at 0xC0-0xFF: in Russian text whole words are Cyrillic,
    # while French or German read as 1251 gives words that mix Latin and Cyrillic letters.
    as_1251 = data.decode("cp1251", errors="replace")
    words = [w for w in WORD.findall(as_1251) if CYRILLIC.search(w)]
    mixed = sum(1 for w in words if LATIN.search(w))
    if words and mixed * 2 <= len(words) - mixed:
        return as_1251
    return data.decode("cp1252", errors="replace")


# --- Text formats ------------------------------------------------------------------------

BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
PLUGINFILE = "@@PLUGINFILE@@/"


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []
        self.dropped_markup = False

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "img":
            src = dict(attrs).get("src") or ""
            if src.startswith(PLUGINFILE):
                self.images.append(src[len(PLUGINFILE) :])
            else:
                self.dropped_markup = True
        elif tag not in {"span", "b", "i", "strong", "em", "u"}:
            self.dropped_markup = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value: str) -> tuple[str, list[str], bool]:
    """(plain text, embedded image file names, whether markup beyond emphasis was dropped)."""
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.images, parser.dropped_markup


def to_plain(value: str, fmt: str, notes: list[str] | None = None) -> str:
    """The bank stores plain text: HTML is reduced to its text (line breaks kept); Markdown,
    plain and Moodle's auto format are kept as written."""
    fmt = (fmt or "").lower()
    if fmt in {"html", "1"} or (fmt in {"moodle", "moodle_auto_format", "0"} and "<" in value):
        text, _images, dropped = html_to_text(value)
        if dropped and notes is not None:
            notes.append(str(_("HTML formatting was reduced to plain text.")))
        return text
    return (
        html.unescape(value).strip() if fmt in {"moodle", "moodle_auto_format"} else value.strip()
    )


def text_to_html(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


# --- Categories --------------------------------------------------------------------------

CONTEXT_PREFIX = re.compile(r"^\$(course|system|module|cat\d*|coursecategory)\$$", re.I)


def category_path(value: str) -> tuple[str, ...]:
    """ "$course$/top/Default for X/Sub" -> ("Default for X", "Sub"): Moodle's context prefix
    and its "top" level dropped; "//" is a "/" inside a name."""
    placeholder = "\ufffe"
    parts = [
        p.replace(placeholder, "/").strip() for p in value.replace("//", placeholder).split("/")
    ]
    parts = [p for p in parts if p]
    if parts and CONTEXT_PREFIX.match(parts[0]):
        parts = parts[1:]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return tuple(parts)


def category_text(path: tuple[str, ...]) -> str:
    return "$course$/top/" + "/".join(p.replace("/", "//") for p in path)


def number(value) -> str:
    """A Decimal as Moodle writes it: no exponent, no trailing zeros."""
    value = Decimal(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
