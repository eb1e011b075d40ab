"""What the source adapters' tests share: the fixtures' clock, Anna the trainee, and a local
HTTP server standing in for Bitrix24 and amoCRM with their documented answers."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from people.roles import Role
from tests.conftest import make_user

from .factories import make_enrollment, make_mentorship, make_rule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
MSK = ZoneInfo("Europe/Moscow")
# The fixtures' records are of the week of 23 November 2026; "now" is the Monday after.
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=MSK)
HIRED = date(2026, 11, 2)
BITRIX_CODE = "k3y5ecr3tc0de"
AMO_TOKEN = "long-lived-token-for-tests"


def anna(**kwargs):
    """Anna, enrolled since 2 November, coached under a one-tier rule (a call minimum)."""
    trainee = make_user(Role.TRAINEE, email="anna@example.com", first_name="Anna")
    enrollment = make_enrollment(trainee=trainee, hire_date=HIRED, **kwargs)
    rule = make_rule(
        name="Calls",
        period_days=60,
        tiers=[
            {"name": "Base", "amount": "1000.00"},
            {"name": "Two calls", "amount": "3000.00", "min_call": 2},
        ],
    )
    mentorship = make_mentorship(enrollment=enrollment, rule=rule)
    return enrollment, mentorship


class FakeCrm:
    """A threaded local server answering as Bitrix24's webhook and amoCRM's API v4 do."""

    def __init__(self):
        self.requests: list[tuple[str, dict, dict]] = []
        self.fail_with: int | None = None
        crm = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                crm.requests.append((parts.path, query, dict(self.headers)))
                status, body = crm.answer(parts.path, query, self.headers)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                if body is not None:
                    self.wfile.write(body.encode("utf-8"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path: str, query: dict, headers) -> tuple[int, str | None]:
        if self.fail_with:
            return self.fail_with, json.dumps(
                {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
            )
        if path.startswith("/rest/"):
            return self._bitrix(path, query)
        if path.startswith("/api/v4/"):
            return self._amo(path, query, headers)
        return 404, json.dumps({"error": "NOT_FOUND"})

    def _bitrix(self, path: str, query: dict):
        _rest, _user, code, method = path.strip("/").split("/", 3)
        if code != BITRIX_CODE:
            return 401, json.dumps(
                {"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"}
            )
        start = query.get("start", ["0"])[0]
        file = FIXTURES / "bitrix24" / f"{method.removesuffix('.json')}.{start}.json"
        if not file.exists():
            return 200, json.dumps({"result": [], "total": 0})
        return 200, file.read_text(encoding="utf-8")

    def _amo(self, path: str, query: dict, headers):
        if headers.get("Authorization") != f"Bearer {AMO_TOKEN}":
            return 401, json.dumps(
                {"title": "Unauthorized", "status": 401, "detail": "Invalid token"}
            )
        name = path.removeprefix("/api/v4/").replace("/", "_")
        page = query.get("page", ["1"])[0]
        file = FIXTURES / "amocrm" / f"{name}.{page}.json"
        if not file.exists():
            return 204, None
        return 200, file.read_text(encoding="utf-8").replace("{base}", self.base)
