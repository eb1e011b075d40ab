"""The program's pages in the reader's language (Wagtail's own locales).

A program is written once, the *original*, and translated with the admin's "Translate" action
(``wagtail.contrib.simple_translation``): each translated copy lives in its locale's tree and
shares the original's ``translation_key``. Everything a trainee does stays with the original:
the enrollment names the original program, stage progress and checklist ticks the original
stages (ticks by the checklist item's block id, which a translation keeps), signatures the
original job description's revisions. A page is served at the original's address; what the
reader sees is the original *shown in the translation's words*: a copy of the original page
object (same id, address, tree position, settings) whose words (title, summary, body, ...) are
the live translation's in the reader's language, when there is one, else the original's own.

What a stage requires (its checklist items, who is responsible for each, whether required, its
quizzes) is always the original's: a translation changes the words, not the rules. The
checklist shows each original item with the translation's text of the item with the same id.
"""

from __future__ import annotations

import copy

from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page


def reader_language() -> str | None:
    """The active language as one of ``WAGTAIL_CONTENT_LANGUAGES`` (None when it is none)."""
    language = get_language()
    if not language:
        return None
    try:
        return get_supported_content_language_variant(language)
    except LookupError:
        return None


def shown(original, translation):
    """``original`` in the words of ``translation`` (a specific page of the same type), or
    ``original`` itself without one. The copy is for reading: saving it raises."""
    if translation is None or translation.pk == original.pk:
        return original
    page = copy.copy(original)
    for name in type(original).translated_fields:
        setattr(page, name, getattr(translation, name))
    page.__dict__["shown_from"] = original
    page.__dict__["shown_translation"] = translation
    return page


def translations_in(pages, language: str | None) -> dict:
    """{translation key: the live translation of each page in ``language``}, specific, in one
    query; empty for pages already in that language."""
    pages = [p for p in pages if p is not None]
    if not pages or not language:
        return {}
    found = (
        Page.objects.live()
        .filter(
            translation_key__in=[p.translation_key for p in pages],
            locale__language_code=language,
        )
        .exclude(pk__in=[p.pk for p in pages])
        .specific()
    )
    return {p.translation_key: p for p in found}


def in_reader_language(page, language: str | None):
    """One page shown in ``language`` (usually ``reader_language()``), in one query: for a
    page read without the program's other pages (``courses.selectors.program_pages`` reads
    those together). None: the page as it is."""
    if page is None or not page.pk or not language:
        return page
    found = translations_in([page], language).get(page.translation_key)
    return shown(page, found if isinstance(found, type(page)) else None)


def title_in(language: str | None, *, page: str):
    """An expression for querysets that reach a page through ``page`` (a lookup path such as
    ``"stage"``): the title of its live translation in ``language``, else its own title. The
    lists that name a stage (HR's enrollments, My mentees, the dashboard) read it in the same
    query as the rest of their row."""
    own = F(f"{page}__title")
    if not language:
        return own
    found = (
        Page.objects.live()
        .filter(
            translation_key=OuterRef(f"{page}__translation_key"),
            locale__language_code=language,
        )
        .exclude(locale_id=OuterRef(f"{page}__locale_id"))
        .values("title")[:1]
    )
    return Coalesce(Subquery(found), own)


def originals(queryset):
    """Only the originals of a page queryset: no page of the same translation key is older.
    For the choice lists (enrolling, filtering), where a translation is the same program."""
    older = Page.objects.filter(translation_key=OuterRef("translation_key"), pk__lt=OuterRef("pk"))
    return queryset.filter(~Exists(older))
