"""The demo's coached calls (docs/coaching.md): for the first trainees with a mentor, two recent
calls carry a recording (a generated tone, no real voice); the older one is reviewed by the
mentor with comments at three moments and the call scorecard, the newer one waits in "Calls to
review". Idempotent: a trainee whose calls already carry recordings is left as they are."""

from __future__ import annotations

import math
import struct

from django.core.files.base import ContentFile

from courses.models import Enrollment
from mentors import call_reviews
from mentors.models import Activity, CallRecording, Mentorship

COACHED_TRAINEES = 3
SECONDS = 12
RATE = 8000
SCORES = (
    {"greeting": 2, "needs_found": 2, "decision_maker": 1, "objections": 1, "next_step": 0},
    {"greeting": 2, "needs_found": 1, "decision_maker": 2, "objections": 2, "next_step": 1},
    {"greeting": 1, "needs_found": 1, "decision_maker": 0, "objections": 1, "next_step": 1},
)


def tone_wav(seconds: int = SECONDS, rate: int = RATE, pitch: float = 440.0) -> bytes:
    """A quiet sine tone as a 16-bit mono WAV: something a player can play and scrub."""
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * pitch * i / rate)))
        for i in range(seconds * rate)
    )
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


def seed(ctx) -> None:
    mentorships = list(
        Mentorship.objects.active()
        .filter(enrollment__status=Enrollment.Status.ACTIVE)
        .select_related("enrollment__trainee", "mentor")
        .order_by("enrollment__hire_date", "pk")[:COACHED_TRAINEES]
    )
    text = ctx.content.mentoring
    for n, mentorship in enumerate(mentorships):
        enrollment = mentorship.enrollment
        if CallRecording.objects.filter(activity__enrollment=enrollment).exists():
            continue
        calls = list(
            Activity.objects.filter(
                enrollment=enrollment, kind=Activity.Kind.CALL, before_certification=False
            ).order_by("-occurred_at", "-pk")[:2]
        )
        if len(calls) < 2:
            continue
        newer, older = calls
        for call in (older, newer):
            call_reviews.call_recording_attach(
                activity=call,
                file=ContentFile(tone_wav(pitch=330.0 + 55 * n), name="call.wav"),
                by=enrollment.trainee,
            )
            call_reviews.call_review_request(activity=call, by=enrollment.trainee)
            ctx.count("call recordings")
        recording = CallRecording.objects.get(activity=older)
        for i, comment in enumerate(text.call_comments):
            call_reviews.call_comment_add(
                recording=recording, author=mentorship.mentor, at_seconds=2 + 4 * i, text=comment
            )
        call_reviews.call_review_save(
            activity=older,
            reviewer=mentorship.mentor,
            scores=SCORES[n % len(SCORES)],
            comment=text.call_review_comment,
        )
        ctx.count("call reviews")
