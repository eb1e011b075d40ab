"""Recordings as files: what is accepted (format, size, length) and how one is served.

Files go through Django's storage API (``default_storage``: local files under MEDIA_ROOT by
default, S3 with django-storages where STORAGES says so, docs/coaching.md), and are served only
by permission-checked views through ``serve``, which answers HTTP range requests (206 Partial
Content) so that a player can scrub. The mentors app uses the same checks for calls.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from people import formatting

CHUNK = 64 * 1024
# The containers a browser plays, recognised by their first bytes: (family, audio type, video).
_SIGNATURES = (
    (b"\x1a\x45\xdf\xa3", "webm", "audio/webm", "video/webm"),
    (b"OggS", "ogg", "audio/ogg", "video/ogg"),
    (b"ID3", "mp3", "audio/mpeg", None),
    (b"\xff\xfb", "mp3", "audio/mpeg", None),
    (b"\xff\xf3", "mp3", "audio/mpeg", None),
    (b"\xff\xf2", "mp3", "audio/mpeg", None),
)
EXTENSIONS = {
    "audio/webm": "webm",
    "video/webm": "webm",
    "audio/ogg": "ogg",
    "video/ogg": "ogv",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "video/mp4": "mp4",
    "audio/wav": "wav",
}


def max_bytes() -> int:
    return int(getattr(settings, "RECORDING_MAX_MB", 50)) * 2**20


@dataclass(frozen=True)
class CheckedRecording:
    content_type: str
    size: int
    duration_seconds: int
    extension: str


def _sniff(head: bytes, declared: str) -> str | None:
    """The content type the file's first bytes show, or None for anything else."""
    wants_video = declared.startswith("video/")
    for magic, _family, audio, video in _SIGNATURES:
        if head.startswith(magic):
            return video if wants_video and video else audio
    if head[4:8] == b"ftyp":
        return "video/mp4" if wants_video else "audio/mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def _wav_seconds(head: bytes, size: int) -> float | None:
    """A plain PCM WAV's length from its header (the one format whose length the server can
    read without a media library)."""
    match = re.search(rb"fmt (.{4})(.{16})", head, re.DOTALL)
    if match is None:
        return None
    _fmt, channels, rate, byte_rate, _align, _bits = struct.unpack("<HHIIHH", match.group(2))
    if not byte_rate or not channels or not rate:
        return None
    data = head.find(b"data")
    return (size - (data + 8 if data >= 0 else 44)) / byte_rate


def _parse_duration(raw) -> float | None:
    try:
        value = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 and value == value and value != float("inf") else None


def check(upload, *, duration, max_seconds: int, allow_video: bool) -> CheckedRecording:
    """Refuse with a clear message a file that is empty, too large, not a recording a browser
    plays (WebM, Ogg, MP3, MP4/M4A, WAV), video where only audio is asked, of unknown length or
    longer than ``max_seconds``. ``duration`` is the length the browser measured (the recorder,
    or the player reading an uploaded file); a WAV file's own header wins over it."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The recording is empty: record again or choose another file."))
    if size > max_bytes():
        raise ValidationError(
            _("The recording is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": formatting.number(round(size / 2**20, 1)),
                "limit": formatting.number(max_bytes() // 2**20),
            }
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    content_type = _sniff(head, declared)
    if content_type is None:
        raise ValidationError(
            _(
                "This file is not an audio or video recording that can be played here: "
                "use WebM, Ogg, MP3, MP4 (M4A) or WAV."
            )
        )
    if content_type.startswith("video/") and not allow_video:
        raise ValidationError(_("Only audio is accepted for this question: record sound only."))
    seconds = _wav_seconds(head, size) if content_type == "audio/wav" else None
    if seconds is None:
        seconds = _parse_duration(duration)
    if seconds is None:
        raise ValidationError(
            _("The length of the recording could not be read; record it again on this page.")
        )
    if seconds > max_seconds + 1:
        raise ValidationError(
            _("The recording lasts %(length)s; the limit is %(limit)s.")
            % {"length": clock(round(seconds)), "limit": clock(max_seconds)}
        )
    return CheckedRecording(
        content_type=content_type,
        size=size,
        duration_seconds=round(seconds),
        extension=EXTENSIONS[content_type],
    )


def comment_text(text, *, at_seconds, recording) -> str:
    """A comment pinned to a moment of ``recording`` (an answer's or a call's), checked: its
    text stripped, or a ValidationError naming the text or the moment."""
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write the comment.")
    elif len(text) > settings.ANSWER_MAX_LENGTH:
        errors["text"] = _("Keep the comment shorter.")
    if at_seconds is None or at_seconds < 0 or at_seconds > recording.duration_seconds:
        errors["at_seconds"] = _("Give a moment within the recording (minutes:seconds).")
    if errors:
        raise ValidationError(errors)
    return text


def clock(seconds: int) -> str:
    """m:ss, as the player shows it."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def delete_file(field_file) -> None:
    """Remove a recording's file from storage (a file already gone is not an error)."""
    name = field_file.name
    if name and field_file.storage.exists(name):
        field_file.storage.delete(name)


def remove_file_on_delete(sender, instance, **kwargs) -> None:
    """post_delete of a recording row, however it goes (a cascade from a deleted activity or
    enrollment too): its file is removed once the deletion is committed."""
    field_file = instance.file
    transaction.on_commit(lambda: delete_file(field_file))


# --- Serving with range requests --------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) of a single range header; None without a usable header (the whole file);
    False when it cannot be satisfied (416)."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def _stream(handle, start: int, length: int):
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def serve(request, recording) -> HttpResponse:
    """The recording's bytes, whole (200) or the requested range (206 Partial Content), never
    cached by shared caches. The caller has already checked that ``request.user`` may hear it."""
    storage = recording.file.storage or default_storage
    size = storage.size(recording.file.name)
    wanted = _byte_range(request.headers.get("Range", ""), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, end = wanted if wanted else (0, size - 1)
    length = end - start + 1 if size else 0
    handle = storage.open(recording.file.name, "rb")
    response = StreamingHttpResponse(
        _stream(handle, start, length),
        status=206 if wanted else 200,
        content_type=recording.content_type,
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
