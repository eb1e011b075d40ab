"""Signed-in pages kept whole in the cache, per session, until something they show changes.

The trainee's home, their stage pages and the grading queue are read far more often than what
they show changes, and rendering them costs tens of milliseconds (the onboarding overview, the
stage's StreamField, Wagtail's routing, the template). So the rendered page is kept in Django's
cache and served again to the same session, without routing, view or template, for as long as
nothing it shows has changed.

*What a page shows* is a set of **topics** (``site``, ``grading``, ``user:<id>``,
``enrollment:<id>``, ...). Each topic has a token in the cache. A view that opts in calls
``depends_on(request, topic, ...)`` before it reads what it shows; that reads the topics' current
tokens, which are stored with the page. A write bumps its topics (new random tokens) through
the model signals wired below and through ``bump()`` in the few bulk writes that send no
signal. A kept page is served only while every token it was rendered under is still current,
so a change is seen on the next request, not after a time to live. Tokens are read before the
data and bumped both when written and again after the transaction commits, so a page rendered
while a write was in flight is never kept under the newer token.

Every kept page also depends on ``site`` (any write this module does not map to a narrower
topic: Wagtail pages, quizzes, groups, settings, people's names...) and on its viewer's
``user:<id>`` (their roles, enrollments and notifications). It is keyed by the user, the
session, the host, the full path, the language, the time zone and the local date (pages say
"due in 2 days"), and served only with the CSRF secret its forms were made with; a view whose
page goes stale at a moment of the day (a grading lease that runs out) calls ``expires_at``.
A served page does not load the user (see ``_signed_in``).
``PAGE_CACHE_SECONDS`` bounds every entry and turns the cache off at 0.

The cache must be shared by every process that writes or serves (Redis in production: the
default in-memory cache is per process, so a write in one gunicorn worker would not reach the
other's pages). ``settings`` turn it on by default only then, and in development and tests,
which run in one process.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

SITE = "site"
GRADING = "grading"
BONUSES = "bonuses"

_TOPIC = "lms:page:topic:"
_ENTRY = "lms:page:entry:"


def user(pk) -> str:
    return f"user:{pk}"


def enrollment(pk) -> str:
    return f"enrollment:{pk}"


def attempt(pk) -> str:
    return f"attempt:{pk}"


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


# --- Rendering a page that may be kept ----------------------------------------------------


@dataclass
class _Render:
    """What the page being rendered depends on: topic -> token read before its data."""

    tokens: dict[str, str | None] = field(default_factory=dict)
    expires: float | None = None
    opted_in: bool = False


def depends_on(request, *topics: str) -> None:
    """Keep this page, and serve it again while ``topics`` are unchanged.

    Call before reading what the page shows. ``site`` and the viewer's ``user:<id>`` are
    always included: the middleware reads their tokens before the request is routed (Wagtail
    loads the page before the view runs). Outside the middleware (the cache off, a POST, a
    view called directly) nothing happens.
    """
    render = getattr(request, "_page_cache", None)
    if render is None:
        return
    render.opted_in = True
    missing = [t for t in dict.fromkeys(topics) if t not in render.tokens]
    if missing:
        render.tokens.update(_tokens(missing))


def expires_at(request, when: datetime) -> None:
    """The page goes stale at ``when`` even if nothing is written (a lease running out)."""
    render = getattr(request, "_page_cache", None)
    if render is None:
        return
    moment = when.timestamp()
    render.expires = moment if render.expires is None else min(render.expires, moment)


def _new_token() -> str:
    return secrets.token_hex(8)


def _tokens(topics: list[str]) -> dict[str, str | None]:
    """Current tokens; a topic never bumped (or evicted) gets one now. None: the cache failed."""
    keys = {_TOPIC + t: t for t in topics}
    try:
        found = cache.get_many(list(keys))
        absent = [k for k in keys if k not in found]
        if absent:
            for key in absent:
                # add, not set: a bump that lands meanwhile keeps its token.
                cache.add(key, _new_token(), timeout=None)
            found.update(cache.get_many(absent))
    except Exception:
        logger.warning("page cache: topic tokens not read", exc_info=True)
        found = {}
    return {topic: found.get(key) for key, topic in keys.items()}


# --- Bumping topics -----------------------------------------------------------------------


def bump(*topics: str) -> None:
    """Make every kept page that shows ``topics`` stale: now, and again after the commit.

    The second bump closes the window in which a page could read the data as it was before
    this transaction commits and be kept under the token set by the first."""
    topics = tuple(dict.fromkeys(t for t in topics if t))
    if not topics:
        return
    _set_new(topics)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _set_new(topics))


def _set_new(topics) -> None:
    try:
        cache.set_many({_TOPIC + t: _new_token() for t in topics}, timeout=None)
    except Exception:
        # A cache that is down keeps no page either; the write must not fail for it.
        logger.warning("page cache: topics %s not bumped", topics, exc_info=True)


# What each model's writes change, from the row alone (no query), for the models whose
# writes are frequent; any other model bumps `site`. A page showing responses, scores or grade
# changes would depend on `attempt:<id>`; none of the kept pages does.
def _of_user(instance, update_fields) -> list[str]:
    # Logging in saves last_login and nothing else: the person's own topic, not the site.
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return [user(instance.pk)]
    return [SITE, user(instance.pk)]


def _of_response(response_id) -> list[str]:
    from quizzes.models import Response

    attempt_id = Response.objects.filter(pk=response_id).values_list("attempt_id", flat=True)
    return [attempt(pk) for pk in attempt_id[:1]]


TOPICS = {
    "lms.notification": lambda n, _: [user(n.recipient_id)],
    "courses.enrollment": lambda e, _: [user(e.trainee_id), enrollment(e.pk), GRADING],
    "courses.stageprogress": lambda p, _: [enrollment(p.enrollment_id)],
    "courses.checklisttick": lambda t, _: [enrollment(t.enrollment_id)],
    "courses.jobdescriptionsignature": lambda s, _: [enrollment(s.enrollment_id)],
    "courses.readinesssignoff": lambda s, _: [enrollment(s.enrollment_id)],
    "courses.enrollmentevent": lambda e, _: [enrollment(e.enrollment_id)],
    "quizzes.attempt": lambda a, _: [enrollment(a.enrollment_id), GRADING],
    "quizzes.extraattemptgrant": lambda g, _: [enrollment(g.enrollment_id)],
    "quizzes.response": lambda r, _: [attempt(r.attempt_id)],
    "quizzes.criterionscore": lambda s, _: _of_response(s.response_id),
    "quizzes.gradechange": lambda c, _: _of_response(c.response_id),
    "mentors.mentorship": lambda m, _: [user(m.mentor_id), enrollment(m.enrollment_id), GRADING],
    "mentors.bonusstatement": lambda s, _: [BONUSES],
    "wagtailusers.userprofile": lambda p, _: [user(p.user_id)],
}

# Writes no page shows, or that follow another write which bumps already: sessions and login
# records, scheduler bookkeeping, logs, search and reference indexes, derived caches made
# while rendering (image renditions, embeds), the activity stream and its summary (no kept
# page shows activities; the CRM writes them all day).
IGNORED_APPS = {"sessions", "axes", "django_celery_beat", "contenttypes", "authtoken"}
IGNORED = {
    "admin.logentry",
    "mentors.activity",
    "mentors.activityday",
    "wagtailadmin.editingsession",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.referenceindex",
    "wagtailcore.uploadedfile",
    "wagtailsearch.indexentry",
    "wagtailsearch.sqliteftsindexentry",
    "wagtailimages.rendition",
    "wagtailembeds.embed",
}


def _ignored(model) -> bool:
    meta = model._meta
    return meta.app_label in IGNORED_APPS or meta.label_lower in IGNORED


def topics_of(instance, update_fields=None) -> list[str]:
    from django.contrib.auth import get_user_model

    label = instance._meta.label_lower
    if label == get_user_model()._meta.label_lower:
        return _of_user(instance, update_fields)
    resolve = TOPICS.get(label)
    return resolve(instance, update_fields) if resolve else [SITE]


def _saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if not raw:
        bump(*topics_of(instance, update_fields))


def _deleted(sender, instance, **kwargs):
    bump(*topics_of(instance))


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_") or _ignored(type(instance)):
        return
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    if isinstance(instance, Group) and model is get_user_model():
        # Members added to or removed from a role: their menus and access change.
        bump(*([user(pk) for pk in pk_set] if pk_set is not None else [SITE]))
    elif isinstance(instance, get_user_model()) and model is Group:
        bump(user(instance.pk))
    else:
        bump(*topics_of(instance))


def connect_signals() -> None:
    """Bump on every write of every model that is not ignored (called from LmsConfig.ready).

    Per model rather than for all senders: a post_delete receiver makes Django load the rows
    of a cascading delete to send it, which the activity tables must not pay."""
    from django.apps import apps

    for model in apps.get_models():
        if _ignored(model):
            continue
        uid = model._meta.label_lower
        post_save.connect(_saved, sender=model, dispatch_uid=f"lms.pagecache.save.{uid}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"lms.pagecache.delete.{uid}")
    m2m_changed.connect(_m2m_changed, dispatch_uid="lms.pagecache.m2m")


# --- The middleware -----------------------------------------------------------------------


class PersonalPageCacheMiddleware:
    """Serve a kept page when its tokens are current; keep a page whose view opted in.

    Placed after the session, CSRF, authentication and messages middleware, so what they add
    to a response (Vary, the CSRF cookie, the policy headers of the outer middleware) is added
    to a served page as to a rendered one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = self._may_serve(request)
        if signed_in is None:
            return self.get_response(request)
        key = _entry_key(request, signed_in)
        always = [SITE, user(signed_in[0])]
        entry, tokens = _current_entry(key, request, signed_in, always)
        if entry is not None and not _hard_reload(request):
            return _replay(request, entry)
        request._page_cache = _Render(tokens=tokens)
        response = self.get_response(request)
        if _may_keep(request, response, signed_in):
            _keep(request, key, response, signed_in)
        return response

    @staticmethod
    def _may_serve(request) -> tuple[str, str, str] | None:
        """Who the session says is signed in, if a kept page may be served to this request."""
        if not (
            enabled()
            and request.method == "GET"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return None
        signed_in = _signed_in(request.session)
        # A message waiting to be shown (after a form was sent) needs a fresh page.
        if signed_in is None or len(messages.get_messages(request)):
            return None
        return signed_in


def _hard_reload(request) -> bool:
    """A browser's hard reload (and any client sending ``Cache-Control: no-cache``) asks for
    the page rendered afresh, which is then kept in place of the old one."""
    return "no-cache" in request.headers.get("Cache-Control", "") or (
        "no-cache" in request.headers.get("Pragma", "")
    )


def _signed_in(session) -> tuple[str, str, str] | None:
    """The user id, authentication backend and password hash digest the session holds.

    A kept page is served without loading the user: it was rendered for this session after
    Django authenticated the same three, and any write to that user (a new password, made
    inactive, deleted, another role) bumps ``user:<id>``, which every kept page depends on."""
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    return str(user_id), session.get(BACKEND_SESSION_KEY, ""), session.get(HASH_SESSION_KEY, "")


def _entry_key(request, signed_in) -> str:
    parts = [
        signed_in[0],
        request.session.session_key or "",
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        timezone.localdate().isoformat(),
    ]
    return _ENTRY + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# The topics of the pages this process kept or served, so that a page and its topics' tokens
# are read in one round trip to the cache. Bounded by emptying it; a page not in it costs a
# second round trip.
_topics_of: dict[str, tuple[str, ...]] = {}
_TOPICS_REMEMBERED = 10_000


def _remember(key: str, topics) -> None:
    if len(_topics_of) >= _TOPICS_REMEMBERED:
        _topics_of.clear()
    _topics_of[key] = tuple(topics)


def _current_entry(
    key: str, request, signed_in, always: list[str]
) -> tuple[dict | None, dict[str, str | None]]:
    """The page kept under ``key`` if every token it was rendered under is still current, and
    the current tokens of the ``always`` topics, for a page rendered now: one round trip."""
    known = [t for t in _topics_of.get(key, ()) if t not in always]
    try:
        found = cache.get_many([key, *(_TOPIC + t for t in [*always, *known])])
        entry = found.get(key)
        if entry is not None and not set(entry["tokens"]) <= {*always, *known}:
            _remember(key, entry["tokens"])
            found.update(cache.get_many([_TOPIC + t for t in entry["tokens"]]))
    except Exception:
        logger.warning("page cache: page not read", exc_info=True)
        return None, dict.fromkeys(always)
    tokens = {t: found[_TOPIC + t] for t in always if _TOPIC + t in found}
    if len(tokens) < len(always):  # never bumped, or evicted
        tokens.update(_tokens([t for t in always if t not in tokens]))
    if entry is None or not _still_current(entry, request, signed_in, found):
        return None, tokens
    return entry, tokens


def _still_current(entry: dict, request, signed_in, found: dict) -> bool:
    if entry["expires"] <= time.time() or entry["signed_in"] != signed_in:
        return False
    secret = request.META.get("CSRF_COOKIE")
    if entry["csrf"] and secret and secret != entry["csrf"]:
        # The page's forms were made for another CSRF cookie than the one sent now (cleared
        # cookies, another browser on this session): render them for this one.
        return False
    return all(found.get(_TOPIC + t) == token for t, token in entry["tokens"].items())


def _replay(request, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        response.headers[name] = value
    if entry["csrf"]:
        # The page's forms carry a token made from this secret: send the cookie with it, as
        # the rendering did (a client that had no cookie then gets the same one now).
        request.META["CSRF_COOKIE"] = entry["csrf"]
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return response


def _may_keep(request, response, signed_in) -> bool:
    render = request._page_cache
    return (
        # Rendered for the user the session names (Django checked the password digest).
        request.user.is_authenticated
        and str(request.user.pk) == signed_in[0]
        and _signed_in(request.session) == signed_in
        and render.opted_in
        and None not in render.tokens.values()
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and not request.session.modified
        and not len(messages.get_messages(request))
    )


def _keep(request, key: str, response, signed_in) -> None:
    render = request._page_cache
    now = time.time()
    expires = now + settings.PAGE_CACHE_SECONDS
    if render.expires is not None:
        expires = min(expires, render.expires)
    if expires - now < 1:
        return
    entry = {
        "signed_in": signed_in,
        "tokens": render.tokens,
        "expires": expires,
        "status": response.status_code,
        "headers": list(response.items()),
        "content": response.content,
        "csrf": (
            request.META.get("CSRF_COOKIE")
            if request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            else None
        ),
    }
    try:
        cache.set(key, entry, timeout=int(expires - now))
        _remember(key, render.tokens)
    except Exception:
        logger.warning("page cache: page not kept", exc_info=True)
