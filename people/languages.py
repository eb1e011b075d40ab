"""The language each person reads the product in.

A person's choice is kept in Wagtail's user profile (``preferred_language``), so the Wagtail
admin follows it too. The site reads no row for it on each request: the choice is also kept
in Django's language cookie, which ``LocaleMiddleware`` reads; logging in sets the cookie from
the profile, so the choice survives a new browser. Without a choice, the browser's
Accept-Language decides, then ``LANGUAGE_CODE``.

Messages to someone else (notifications, their e-mail) are written in the recipient's
language: build them inside ``with language_of(recipient):``.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation
from wagtail.users.models import UserProfile


def supported(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def preferred_language(user) -> str:
    """The language the person chose, or "" (never chose; an anonymous visitor)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    cached = getattr(user, "_preferred_language", None)
    if cached is None:
        code = (
            UserProfile.objects.filter(user=user)
            .values_list("preferred_language", flat=True)
            .first()
            or ""
        )
        cached = code if supported(code) else ""
        user._preferred_language = cached
    return cached


def languages_of(user_ids) -> dict[int, str]:
    """{user id: the language to write to them in} for many people, in one query."""
    chosen = dict(
        UserProfile.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "preferred_language"
        )
    )
    return {
        pk: chosen.get(pk) if supported(chosen.get(pk)) else settings.LANGUAGE_CODE
        for pk in user_ids
    }


def language_for(user) -> str:
    """The language to write to this person in when they are not the one asking."""
    return preferred_language(user) or settings.LANGUAGE_CODE


@contextmanager
def language_of(user):
    with translation.override(language_for(user)):
        yield


def remember_in_response(response, code: str) -> None:
    """Keep the choice in the language cookie, read by LocaleMiddleware on every request."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
