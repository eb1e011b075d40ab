"""amoCRM / Kommo API v4 with a long-lived token (``Authorization: Bearer …``).

Streams, each ordered by ``updated_at`` from the connector's cursor (a Unix time, ``from``
inclusive) and paged by following ``_links.next.href`` (on the same host only: the token is
never sent elsewhere); an empty list is ``204 No Content``:

- calls: the call notes (``note_type`` call_out / call_in) of leads and of contacts,
  ``params.duration`` seconds, ``params.call_status`` 4 = the conversation took place; the
  person is the note's ``responsible_user_id`` (else ``created_by``); ``params.link``, the
  call's recording, is fetched after the sync (mentors/recording_fetch.py);
- leads: each lead is an application (``created_at``); a lead in status 142 ("won") a contract
  too (``closed_at``, ``price``), by ``responsible_user_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from .base import CallFacts, SourceError, SourceReader, aware_iso, recording_url
from .web import MAX_PAGES, get_json, secret

WON_STATUS = 142
ANSWERED_STATUS = 4
PAGE_SIZE = 250


def _time(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return aware_iso(datetime.fromtimestamp(value, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None


def _number(value) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _amount(value) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    return f"{amount:.2f}" if amount.is_finite() and amount > 0 else ""


class AmoCrmReader(SourceReader):
    source = "amocrm"
    source_kind = "amocrm"
    STREAMS = (
        ("lead_calls", "/api/v4/leads/notes", "notes"),
        ("contact_calls", "/api/v4/contacts/notes", "notes"),
        ("leads", "/api/v4/leads", "leads"),
    )

    def __init__(self, connector, options=None, **kwargs):
        super().__init__(options, **kwargs)
        self.base = connector.location.rstrip("/")
        self.host = urlsplit(self.base).netloc
        self.headers = {"Authorization": f"Bearer {secret(connector.secret_env)}"}
        self.cursor = dict(connector.cursor or {})

    def _first_params(self, name: str, path: str) -> dict:
        params = {"limit": PAGE_SIZE, "order[updated_at]": "asc"}
        if self.cursor.get(name):
            params["filter[updated_at][from]"] = self.cursor[name]
        if path.endswith("/notes"):
            params["filter[note_type][]"] = ["call_out", "call_in"]
        return params

    def _pages(self, name: str, path: str, key: str) -> Iterator[dict]:
        url, params = self.base + path, self._first_params(name, path)
        for _page in range(MAX_PAGES):
            data = get_json(url, params=params, headers=self.headers)
            if data is None:
                return
            embedded = data.get("_embedded") if isinstance(data, dict) else None
            items = embedded.get(key) if isinstance(embedded, dict) else None
            if not isinstance(items, list):
                raise SourceError(_("amoCRM's answer has no list of %(key)s.") % {"key": key})
            for item in items:
                if isinstance(item, dict):
                    yield item
                    stamp = _number(item.get("updated_at"))
                    if stamp:
                        self.cursor[name] = max(_number(self.cursor.get(name)), stamp)
            url, params = self._next(data), None
            if url is None:
                return

    def _next(self, data: dict) -> str | None:
        links = data.get("_links")
        following = links.get("next") if isinstance(links, dict) else None
        href = following.get("href") if isinstance(following, dict) else None
        if not isinstance(href, str) or not href:
            return None
        if urlsplit(href).netloc != self.host:
            raise SourceError(_("amoCRM's next page is on another host; it was not followed."))
        return href

    def rows(self) -> Iterator[tuple[int, list[str], dict]]:
        line = 0
        for name, path, key in self.STREAMS:
            handler = self._lead if key == "leads" else self._call
            for item in self._pages(name, path, key):
                for identity, raw in handler(item):
                    line += 1
                    yield line, [identity], raw

    def _call(self, item: dict):
        params = item.get("params") if isinstance(item.get("params"), dict) else {}
        seconds = _number(params.get("duration"))
        status = params.get("call_status")
        call = CallFacts(
            outbound=item.get("note_type") == "call_out",
            answered=_number(status) == ANSWERED_STATUS if status is not None else seconds > 0,
            seconds=seconds,
        )
        occurred_at = _time(item.get("created_at"))
        if item.get("note_type") not in ("call_out", "call_in"):
            return
        if not self.options.rule.counts(call) or not occurred_at or not item.get("id"):
            self.not_counted += 1
            return
        person = _number(item.get("responsible_user_id")) or _number(item.get("created_by"))
        raw = {
            "kind": "call",
            "occurred_at": occurred_at,
            "external_id": f"note:{item['id']}",
            "note": _("%(seconds)s s of talk") % {"seconds": seconds},
        }
        url = recording_url(params.get("link"))
        if url:
            raw["recording_url"] = url
            raw["seconds"] = seconds
        yield str(person or ""), raw

    def _lead(self, item: dict):
        created = _time(item.get("created_at"))
        if not item.get("id") or not created or item.get("is_deleted"):
            self.not_counted += 1
            return
        person = str(_number(item.get("responsible_user_id")) or "")
        title = str(item.get("name") or "")[:200]
        yield (
            person,
            {
                "kind": "application",
                "occurred_at": created,
                "external_id": f"lead:{item['id']}:application",
                "note": title,
            },
        )
        closed = _time(item.get("closed_at")) or _time(item.get("updated_at"))
        if _number(item.get("status_id")) == WON_STATUS and closed:
            yield (
                person,
                {
                    "kind": "contract",
                    "occurred_at": closed,
                    "external_id": f"lead:{item['id']}:contract",
                    "amount": _amount(item.get("price")),
                    "note": title,
                },
            )
