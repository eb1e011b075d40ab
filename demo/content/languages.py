"""The demo languages: each language's content, chosen by a language code."""

from __future__ import annotations

from . import en, ru
from .base import DemoContent

BY_LANGUAGE: dict[str, DemoContent] = {
    en.CONTENT.language: en.CONTENT,
    ru.CONTENT.language: ru.CONTENT,
}
LANGUAGES = tuple(BY_LANGUAGE)


class UnknownLanguage(LookupError):
    def __init__(self, code: str):
        super().__init__(
            f"There is no demo company in {code!r}: choose one of {', '.join(LANGUAGES)}."
        )
        self.code = code


def language_of(code: str | None) -> str:
    """The demo language for a language code: "ru", "ru-RU" and "RU" all give "ru"."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    if base not in BY_LANGUAGE:
        raise UnknownLanguage(code or "")
    return base


def for_language(code: str | None) -> DemoContent:
    return BY_LANGUAGE[language_of(code)]
