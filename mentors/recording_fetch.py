"""Call recordings that a source gives as a URL (docs/coaching.md, "Recordings from the
connectors"): the sync notes the URL (a CallRecordingFetch per call), a background task
(``tasks.call_recording_import``, queue "imports") downloads it and attaches it as the call's
CallRecording through the quizzes' checks (``quizzes.recordings.check``).

The download is bounded: RECORDING_MAX_MB (checked on Content-Length and again while
reading), a connect and read timeout, https only (http too when the connector itself is
reached over http), at most three redirects each checked the same way, and an ``audio/*``
content type. A failure is kept on the row with its reason and shown on the connector's
status page; running the task again for a finished row changes nothing.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import requests
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people import queue
from quizzes import recordings

from . import call_reviews
from .adapters.base import SourceError, recording_url
from .adapters.bitrix24 import BITRIX24_FILE
from .adapters.web import get_json, secret
from .models import Activity, CallRecording, CallRecordingFetch, Connector

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = (5, 60)
MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class FetchError(Exception):
    """Why a recording could not be fetched (shown on the connector's status page)."""


def allowed_schemes(connector: Connector | None) -> set[str]:
    """https always; http only where the connector itself is reached over http."""
    if connector is not None and connector.location.lower().startswith("http://"):
        return {"https", "http"}
    return {"https"}


def fetches_record(
    *, rows: Iterable[tuple[int, dict]], connector: Connector | None, now: datetime
) -> int:
    """After a sync's rows are imported: a CallRecordingFetch for every imported call whose row
    gives a recording URL and that has neither a recording nor a fetch yet; each is queued
    once committed. Returns how many were noted."""
    wanted = {}
    for _line, raw in rows:
        url = raw.get("recording_url")
        if url and raw.get("kind") == "call" and raw.get("external_id"):
            wanted[(raw.get("source") or "", raw["external_id"])] = (url, raw.get("seconds"))
    if not wanted:
        return 0
    calls = Activity.objects.filter(
        kind=Activity.Kind.CALL,
        source__in={source for source, _id in wanted},
        external_id__in={external_id for _source, external_id in wanted},
        recording__isnull=True,
        recording_fetch__isnull=True,
    ).values_list("pk", "source", "external_id")
    fetches = []
    for pk, source, external_id in calls:
        found = wanted.get((source, external_id))
        if found is not None:
            url, seconds = found
            fetches.append(
                CallRecordingFetch(
                    activity_id=pk,
                    connector=connector,
                    url=url,
                    duration_seconds=_seconds(seconds),
                    created_at=now,
                )
            )
    created = CallRecordingFetch.objects.bulk_create(fetches, ignore_conflicts=True)
    noted = CallRecordingFetch.objects.filter(
        activity_id__in=[f.activity_id for f in created], status=CallRecordingFetch.Status.PENDING
    )
    ids = list(noted.values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


def _enqueue(ids: list[int]) -> None:
    for pk in ids:
        queue.task("mentors.tasks.call_recording_import").delay(pk)


def _seconds(value) -> int | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _resolve(fetch: CallRecordingFetch) -> str:
    """The URL to download: the row's, or a Bitrix24 Drive file's DOWNLOAD_URL."""
    if not fetch.url.startswith(BITRIX24_FILE):
        return fetch.url
    connector = fetch.connector
    if connector is None or connector.kind != Connector.Kind.BITRIX24:
        raise FetchError(_("The Bitrix24 connector of this recording is gone."))
    base = connector.location.rstrip("/") + "/" + secret(connector.secret_env)
    data = get_json(f"{base}/disk.file.get.json", params={"id": fetch.url[len(BITRIX24_FILE) :]})
    result = data.get("result") if isinstance(data, dict) else None
    url = recording_url(result.get("DOWNLOAD_URL")) if isinstance(result, dict) else ""
    if not url:
        raise FetchError(_("Bitrix24 gave no download address for the call's record."))
    return url


def download(url: str, *, schemes: set[str], max_bytes: int) -> tuple[File, str]:
    """The recording at ``url`` as a temporary file and its content type, within the limits."""
    for _hop in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme.lower() not in schemes:
            raise FetchError(
                _("The recording's address must start with %(schemes)s.")
                % {"schemes": " / ".join(f"{s}://" for s in sorted(schemes, reverse=True))}
            )
        try:
            response = requests.get(
                url, stream=True, timeout=TIMEOUT_SECONDS, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise FetchError(
                _("The recording could not be downloaded: %(error)s")
                % {"error": type(exc).__name__}
            ) from exc
        if response.is_redirect and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            response.close()
            continue
        with response:
            return _read(response, max_bytes=max_bytes)
    raise FetchError(_("The recording's address redirects too often."))


def _read(response, *, max_bytes: int) -> tuple[File, str]:
    if response.status_code != 200:
        raise FetchError(
            _("The recording's server answered %(status)s.") % {"status": response.status_code}
        )
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if not content_type.startswith("audio/"):
        raise FetchError(
            _("The recording's server sent %(type)s, not audio.") % {"type": content_type or "—"}
        )
    too_large = FetchError(
        _("The recording is larger than %(limit)s MB.") % {"limit": max_bytes // 2**20}
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    spool = tempfile.SpooledTemporaryFile(max_size=2 * 2**20)  # noqa: SIM115 - returned open
    size = 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            spool.write(chunk)
    except requests.RequestException as exc:
        spool.close()
        raise FetchError(
            _("The recording could not be downloaded: %(error)s") % {"error": type(exc).__name__}
        ) from exc
    except FetchError:
        spool.close()
        raise
    spool.seek(0)
    file = File(spool, name="call")
    file.content_type = content_type
    file.size = size
    return file, content_type


def recording_fetch_run(*, fetch_id: int, now: datetime | None = None) -> CallRecordingFetch | None:
    """Download one noted recording and attach it; the outcome kept on the row. Idempotent: a
    finished row, or a call that meanwhile got a recording, is left as it is."""
    now = now or timezone.now()
    fetch = CallRecordingFetch.objects.select_related("connector").filter(pk=fetch_id).first()
    if fetch is None or fetch.status == CallRecordingFetch.Status.DONE:
        return fetch
    if CallRecording.objects.filter(activity_id=fetch.activity_id).exists():
        return _finish(fetch, status=CallRecordingFetch.Status.DONE, now=now)
    fetch.tries += 1
    file = None
    try:
        url = _resolve(fetch)
        file, _type = download(
            url, schemes=allowed_schemes(fetch.connector), max_bytes=recordings.max_bytes()
        )
        activity = Activity.objects.get(pk=fetch.activity_id)
        call_reviews.call_recording_attach_from_source(
            activity=activity, file=file, duration=fetch.duration_seconds, now=now
        )
    except (FetchError, SourceError) as error:
        return _finish(fetch, status=CallRecordingFetch.Status.FAILED, now=now, error=str(error))
    except ValidationError as error:
        return _finish(
            fetch, status=CallRecordingFetch.Status.FAILED, now=now, error=" ".join(error.messages)
        )
    except Exception:
        logger.exception("Fetching the recording of call %s failed", fetch.activity_id)
        return _finish(
            fetch,
            status=CallRecordingFetch.Status.FAILED,
            now=now,
            error=_("An unexpected error stopped the download; the server log has the details."),
        )
    finally:
        if file is not None:
            file.close()
    return _finish(fetch, status=CallRecordingFetch.Status.DONE, now=now)


def _finish(fetch: CallRecordingFetch, *, status: str, now: datetime, error: str = ""):
    fetch.status = status
    fetch.error = error[:2000]
    fetch.finished_at = now
    fetch.save(update_fields=["status", "error", "finished_at", "tries"])
    return fetch


def fetches_retry(*, connector: Connector) -> int:
    """Queue the connector's failed downloads again (the status page's button)."""
    ids = list(
        connector.recording_fetches.filter(status=CallRecordingFetch.Status.FAILED).values_list(
            "pk", flat=True
        )
    )
    CallRecordingFetch.objects.filter(pk__in=ids).update(
        status=CallRecordingFetch.Status.PENDING, error=""
    )
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)
