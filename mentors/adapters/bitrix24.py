"""Bitrix24 through an incoming webhook (``https://<portal>/rest/<user>/<code>/``).

Three streams, each paged with ``start``/``next`` (50 a page) and resumed from the
connector's cursor (the last modification time seen; ``>=`` so a row seen twice is a
duplicate, never a gap):

- calls: ``voximplant.statistic.get`` (CALL_ID, PORTAL_USER_ID, CALL_TYPE 1 outbound / 2
  inbound / 3 inbound redirected / 4 callback, CALL_DURATION, CALL_START_DATE,
  CALL_FAILED_CODE "200" = answered), counted by the connector's rule; the recording is
  CALL_RECORD_URL when given, else the Drive file RECORD_FILE_ID (its DOWNLOAD_URL from
  ``disk.file.get``), fetched after the sync (mentors/recording_fetch.py);
- meetings: ``crm.activity.list`` with TYPE_ID 1 (meeting), COMPLETED "Y", by RESPONSIBLE_ID;
- deals: ``crm.deal.list``: each deal is an application (DATE_CREATE), and a won one
  (STAGE_SEMANTIC_ID "S") a contract too (CLOSEDATE, OPPORTUNITY), by ASSIGNED_BY_ID.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .base import CallFacts, SourceError, SourceReader, aware_iso, recording_url
from .web import MAX_PAGES, get_json, secret

OUTBOUND_CALL_TYPES = {"1", "4"}
MEETING_TYPE = "1"
WON = "S"
# A call record kept on the portal's Drive, named by its file id (mentors/recording_fetch.py).
BITRIX24_FILE = "bitrix24-file:"


def _time(value) -> str | None:
    moment = parse_datetime(str(value or "").strip()) if value else None
    return aware_iso(moment) if isinstance(moment, datetime) else None


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def _amount(value) -> str:
    try:
        amount = Decimal(str(value or "").strip())
    except InvalidOperation:
        return ""
    return f"{amount:.2f}" if amount.is_finite() and amount > 0 else ""


class Bitrix24Reader(SourceReader):
    source = "bitrix24"
    source_kind = "bitrix24"
    STREAMS = (
        ("calls", "voximplant.statistic.get", "CALL_START_DATE"),
        ("meetings", "crm.activity.list", "LAST_UPDATED"),
        ("deals", "crm.deal.list", "DATE_MODIFY"),
    )

    def __init__(self, connector, options=None, **kwargs):
        super().__init__(options, **kwargs)
        self.base = connector.location.rstrip("/") + "/" + secret(connector.secret_env)
        self.cursor = dict(connector.cursor or {})

    def _params(self, method: str, field: str, since: str | None, start: int) -> dict:
        if method == "voximplant.statistic.get":  # this method spells its options in capitals
            params = {"SORT": field, "ORDER": "ASC", "start": start}
            if since:
                params[f"FILTER[>={field}]"] = since
            return params
        params = {f"order[{field}]": "ASC", "start": start, "select[]": ["*"]}
        if method == "crm.activity.list":
            params["filter[TYPE_ID]"] = MEETING_TYPE
        if since:
            params[f"filter[>={field}]"] = since
        return params

    def _pages(self, name: str, method: str, field: str) -> Iterator[dict]:
        since = self.cursor.get(name)
        start = 0
        for _page in range(MAX_PAGES):
            data = get_json(
                f"{self.base}/{method}.json", params=self._params(method, field, since, start)
            )
            items = data.get("result") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SourceError(
                    _("Bitrix24's answer to %(method)s has no result list.") % {"method": method}
                )
            for item in items:
                if isinstance(item, dict):
                    yield item
                    if item.get(field):
                        self.cursor[name] = max(self.cursor.get(name) or "", str(item[field]))
            following = data.get("next")
            if not isinstance(following, int) or following <= start:
                return
            start = following

    def rows(self) -> Iterator[tuple[int, list[str], dict]]:
        line = 0
        handlers = {"calls": self._call, "meetings": self._meeting, "deals": self._deal}
        for name, method, field in self.STREAMS:
            for item in self._pages(name, method, field):
                for identity, raw in handlers[name](item):
                    line += 1
                    yield line, [identity], raw

    def _call(self, item: dict):
        call = CallFacts(
            outbound=str(item.get("CALL_TYPE", "")).strip() in OUTBOUND_CALL_TYPES,
            answered=str(item.get("CALL_FAILED_CODE", "")).strip() == "200",
            seconds=_int(item.get("CALL_DURATION", 0)),
        )
        occurred_at = _time(item.get("CALL_START_DATE"))
        if not self.options.rule.counts(call) or not item.get("CALL_ID") or not occurred_at:
            self.not_counted += 1
            return
        raw = {
            "kind": "call",
            "occurred_at": occurred_at,
            "external_id": f"call:{item['CALL_ID']}",
            "note": _("%(seconds)s s of talk") % {"seconds": call.seconds},
        }
        url = recording_url(item.get("CALL_RECORD_URL"))
        file_id = str(item.get("RECORD_FILE_ID") or "").strip()
        if not url and file_id.isdigit():
            url = f"{BITRIX24_FILE}{file_id}"  # on the portal's Drive: disk.file.get gives it
        if url:
            raw["recording_url"] = url
            raw["seconds"] = call.seconds
        yield str(item.get("PORTAL_USER_ID", "")), raw

    def _meeting(self, item: dict):
        occurred_at = _time(item.get("START_TIME"))
        if str(item.get("COMPLETED", "")).upper() != "Y" or not occurred_at or not item.get("ID"):
            self.not_counted += 1
            return
        if str(item.get("TYPE_ID", MEETING_TYPE)) != MEETING_TYPE:
            return
        yield (
            str(item.get("RESPONSIBLE_ID", "")),
            {
                "kind": "meeting",
                "occurred_at": occurred_at,
                "external_id": f"activity:{item['ID']}",
                "note": str(item.get("SUBJECT") or "")[:200],
            },
        )

    def _deal(self, item: dict):
        person = str(item.get("ASSIGNED_BY_ID", ""))
        created = _time(item.get("DATE_CREATE"))
        if not item.get("ID") or not created:
            self.not_counted += 1
            return
        title = str(item.get("TITLE") or "")[:200]
        yield (
            person,
            {
                "kind": "application",
                "occurred_at": created,
                "external_id": f"deal:{item['ID']}:application",
                "note": title,
            },
        )
        closed = _time(item.get("CLOSEDATE")) or _time(item.get("DATE_MODIFY"))
        if str(item.get("STAGE_SEMANTIC_ID", "")).upper() == WON and closed:
            yield (
                person,
                {
                    "kind": "contract",
                    "occurred_at": closed,
                    "external_id": f"deal:{item['ID']}:contract",
                    "amount": _amount(item.get("OPPORTUNITY")),
                    "note": title,
                },
            )
