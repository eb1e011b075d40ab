"""Call recordings fetched from the URL a connector's source gives (docs/coaching.md,
"Recordings from the connectors"): the readers note the URL, the sync records a download, the
task fetches it within the limits and attaches it through the same checks, idempotently; a
failure shows on the connector's status page. A local HTTP server stands in for the CRM and
the PBX's recording store: no internet."""

from __future__ import annotations

import io
import json
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from mentors import recording_fetch
from mentors.adapters.asterisk import AsteriskReader
from mentors.adapters.base import Options
from mentors.adapters.bitrix24 import Bitrix24Reader
from mentors.models import CallRecording, CallRecordingFetch, Connector, IdentityMapping
from mentors.sources.services import connector_sync

from .sources_support import AMO_TOKEN, NOW, anna

pytestmark = pytest.mark.django_db


def wav(seconds: int, rate=8000) -> bytes:
    frames = bytes((i * 7) % 256 for i in range(rate * seconds * 2))
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


class Server:
    """amoCRM's call notes (one call with ``params.link``) and the recordings behind them."""

    def __init__(self):
        self.hits: list[str] = []
        self.link = "/rec/call.wav"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urlsplit(self.path).path
                server.hits.append(path)
                status, headers, body = server.answer(path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.http.server_port}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def answer(self, path):
        audio = wav(3)
        if path == "/api/v4/leads/notes":
            note = {
                "id": 777,
                "created_at": int(NOW.timestamp()) - 3600,
                "updated_at": int(NOW.timestamp()) - 3600,
                "responsible_user_id": 504141,
                "note_type": "call_out",
                "params": {"duration": 95, "call_status": 4, "link": self.base + self.link},
            }
            body = json.dumps({"_embedded": {"notes": [note]}}).encode()
            return 200, {"Content-Type": "application/json"}, body
        if path.startswith("/api/"):
            return 204, {}, b""
        if path == "/rec/call.wav":
            return 200, {"Content-Type": "audio/wav", "Content-Length": str(len(audio))}, audio
        if path == "/rec/page.html":
            return 200, {"Content-Type": "text/html"}, b"<html>login</html>"
        if path == "/rec/huge.wav":
            return 200, {"Content-Type": "audio/wav", "Content-Length": str(3 * 2**20)}, b""
        if path == "/rec/endless.wav":  # no Content-Length: the limit stops the reading
            return 200, {"Content-Type": "audio/wav"}, audio * 200
        if path == "/rec/away":
            return 302, {"Location": "ftp://elsewhere.example/rec.wav"}, b""
        if path == "/rec/moved":
            return 302, {"Location": "/rec/call.wav"}, b""
        return 404, {"Content-Type": "text/plain"}, b"missing"

    def close(self):
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RECORDING_MAX_MB = 1
    monkeypatch.setenv("TEST_AMO_TOKEN", AMO_TOKEN)
    with time_machine.travel(NOW, tick=False):
        yield


def amo(server) -> Connector:
    return Connector.objects.create(
        name="amo", kind="amocrm", location=server.base, secret_env="TEST_AMO_TOKEN"
    )


def _sync(server, django_capture_on_commit_callbacks):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="amocrm", identity="504141", person=enrollment.trainee
    )
    connector = amo(server)
    with django_capture_on_commit_callbacks(execute=True):
        run = connector_sync(connector=connector, now=NOW)
    assert run.created == 1, run.errors
    return connector, enrollment.activities.get(external_id="note:777")


def test_a_call_note_s_link_is_fetched_and_attached_once(
    server, django_capture_on_commit_callbacks
):
    connector, call = _sync(server, django_capture_on_commit_callbacks)
    recording = CallRecording.objects.get(activity=call)
    assert (recording.content_type, recording.duration_seconds) == ("audio/wav", 3)
    assert recording.uploaded_by is None  # attached by the connector itself
    fetch = CallRecordingFetch.objects.get(activity=call)
    assert (fetch.status, fetch.tries, fetch.connector) == ("done", 1, connector), fetch.error
    assert server.hits.count("/rec/call.wav") == 1
    # Idempotent: the task delivered again, and the next sync, fetch nothing more.
    recording_fetch.recording_fetch_run(fetch_id=fetch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        connector_sync(connector=connector, now=NOW.replace(hour=13))
    assert server.hits.count("/rec/call.wav") == 1
    assert CallRecordingFetch.objects.count() == 1
    assert CallRecording.objects.get(activity=call).pk == recording.pk


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("/rec/page.html", "sent text/html, not audio"),
        ("/rec/huge.wav", "larger than 1 MB"),
        ("/rec/endless.wav", "larger than 1 MB"),
        ("/rec/away", "must start with https:// / http://"),
        ("/rec/gone.wav", "answered 404"),
    ],
)
def test_a_refused_download_is_kept_with_its_reason_on_the_status_page(
    server, django_capture_on_commit_callbacks, client, hr, link, message
):
    server.link = link
    connector, call = _sync(server, django_capture_on_commit_callbacks)
    fetch = CallRecordingFetch.objects.get(activity=call)
    assert fetch.status == "failed"
    assert message in fetch.error
    assert not CallRecording.objects.filter(activity=call).exists()
    client.force_login(hr)
    page = client.get(reverse("mentors_connector_status", args=[connector.pk])).content.decode()
    assert "recording-fetch-failed" in page
    assert message.split(" ")[0] in page
    server.link = "/rec/call.wav"
    CallRecordingFetch.objects.filter(pk=fetch.pk).update(url=server.base + server.link)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("mentors_connector_status", args=[connector.pk]),
            {"action": "retry_recordings"},
        )
    fetch.refresh_from_db()
    assert (fetch.status, fetch.tries) == ("done", 2), fetch.error
    assert CallRecording.objects.filter(activity=call).exists()


def test_redirects_are_followed_within_the_schemes(server):
    file, content_type = recording_fetch.download(
        server.base + "/rec/moved", schemes={"https", "http"}, max_bytes=2**20
    )
    assert content_type == "audio/wav"
    assert file.read(4) == b"RIFF"
    file.close()
    with pytest.raises(recording_fetch.FetchError, match="https://"):
        recording_fetch.download(server.base + "/rec/call.wav", schemes={"https"}, max_bytes=1)


def test_http_only_where_the_connector_itself_is_http():
    https = Connector(kind="amocrm", location="https://example.amocrm.ru")
    http = Connector(kind="amocrm", location="http://crm.local")
    assert recording_fetch.allowed_schemes(https) == {"https"}
    assert recording_fetch.allowed_schemes(None) == {"https"}  # a file connector (Asterisk)
    assert recording_fetch.allowed_schemes(http) == {"https", "http"}


def test_the_readers_give_the_recording_url(monkeypatch):
    monkeypatch.setenv("TEST_BITRIX", "code")
    bitrix = Bitrix24Reader(
        Connector(
            kind="bitrix24", location="https://x.bitrix24.ru/rest/1", secret_env="TEST_BITRIX"
        )
    )
    item = {
        "CALL_ID": "c1",
        "CALL_TYPE": "1",
        "CALL_FAILED_CODE": "200",
        "CALL_DURATION": "95",
        "CALL_START_DATE": "2026-11-23T10:00:00+03:00",
    }
    with_url = {
        **item,
        "CALL_RECORD_URL": "https://x.bitrix24.ru/rec/c1.mp3",
        "RECORD_FILE_ID": "5",
    }
    [(_who, raw)] = list(bitrix._call(with_url))
    assert (raw["recording_url"], raw["seconds"]) == ("https://x.bitrix24.ru/rec/c1.mp3", 95)
    [(_who, raw)] = list(bitrix._call({**item, "RECORD_FILE_ID": "5"}))
    assert raw["recording_url"] == "bitrix24-file:5"
    [(_who, raw)] = list(bitrix._call({**item, "CALL_RECORD_URL": "javascript:alert(1)"}))
    assert "recording_url" not in raw
    line = (
        '"","101","84951234567","from-internal","","PJSIP/101-0000002a","PJSIP/trunk-01","Dial",'
        '"","2026-11-23 10:00:00","2026-11-23 10:00:05","2026-11-23 10:02:00","120","115",'
        '"ANSWERED","3","1700000000.1","https://pbx.example.ru/rec/1700000000.1.wav"\n'
    )
    reader = AsteriskReader(io.BytesIO(line.encode()), Options())
    [(_line, _ids, raw)] = list(reader.rows())
    assert (raw["recording_url"], raw["seconds"]) == (
        "https://pbx.example.ru/rec/1700000000.1.wav",
        115,
    )
