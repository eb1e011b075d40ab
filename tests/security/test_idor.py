"""IDOR probes: every URL that names an object, requested with trainee A's ids by people who may
not see A (trainee B, B's mentor), by GET and by POST. Each answers exactly as it does for an id
that does not exist (404, or the same 403 a role check gives for any id), shows none of A's
data, and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionSignature,
    ReadinessSignOff,
    StageProgress,
)
from mentors.models import (
    Activity,
    BonusStatement,
    CallComment,
    CallRecording,
    CallReview,
    Mentorship,
)
from people.models import Notification
from quizzes.models import (
    Attempt,
    ExtraAttemptGrant,
    GradeChange,
    Recording,
    RecordingComment,
    Response,
)

from .matrix import client_for, request_rolled_back
from .world import A_NAME, A_SECRET

MISSING = 999_999

# name -> builder(world, id_of) where id_of(obj) gives A's id, or MISSING for the control request.
OBJECT_URLS = {
    "drill-down": lambda w, i: reverse("ramp_drilldown", args=[i(w.enrollment_a)]),
    "drill-down sign-off": lambda w, i: reverse("ramp_sign_off", args=[i(w.enrollment_a)]),
    "enrollment": lambda w, i: reverse("courses:enrollment_detail", args=[i(w.enrollment_a)]),
    "enrollment drop": lambda w, i: reverse("courses:enrollment_drop", args=[i(w.enrollment_a)]),
    "enrollment reactivate": lambda w, i: reverse(
        "courses:enrollment_reactivate", args=[i(w.enrollment_a)]
    ),
    "checklist tick": lambda w, i: reverse(
        "courses:checklist_tick", args=[i(w.enrollment_a), w.stage1.pk, w.item_id]
    ),
    "job description sign": lambda w, i: reverse(
        "courses:job_description_sign", args=[i(w.enrollment_a)]
    ),
    "readiness sign-off": lambda w, i: reverse(
        "courses:readiness_sign_off", args=[i(w.enrollment_a)]
    ),
    "extra attempt": lambda w, i: reverse(
        "quizzes:extra_attempt", args=[w.quiz.slug, i(w.enrollment_a)]
    ),
    "role-play booking": lambda w, i: reverse(
        "quizzes:roleplay_schedule", args=[w.quiz.slug, i(w.enrollment_a)]
    ),
    "oral survey start": lambda w, i: reverse(
        "quizzes:oral_start", args=[w.quiz.slug, i(w.enrollment_a)]
    ),
    "attempt review": lambda w, i: reverse("quizzes:attempt_review", args=[i(w.attempt_a)]),
    "attempt": lambda w, i: reverse("quizzes:attempt", args=[i(w.attempt_a)]),
    "attempt save": lambda w, i: reverse("quizzes:attempt_save", args=[i(w.attempt_a)]),
    "attempt submit": lambda w, i: reverse("quizzes:attempt_submit", args=[i(w.attempt_a)]),
    "grading page": lambda w, i: reverse("quizzes:grade", args=[i(w.attempt_a)]),
    "response override": lambda w, i: reverse(
        "quizzes:override", args=[i(w.attempt_a), i(w.response_a)]
    ),
    "activity log": lambda w, i: reverse("mentors:mentee_activity", args=[i(w.enrollment_a)]),
    "activity delete": lambda w, i: reverse("mentors:activity_delete", args=[i(w.activity_a)]),
    "mentorship end": lambda w, i: reverse("mentors:mentorship_end", args=[i(w.mentorship_a)]),
    "API ramp": lambda w, i: reverse("api-enrollment-ramp", args=[i(w.enrollment_a)]),
    "recorded answer": lambda w, i: reverse(
        "quizzes:recording_upload", args=[i(w.attempt_a), i(w.response_a)]
    ),
    "live recording": lambda w, i: reverse("quizzes:live_recording_upload", args=[i(w.attempt_a)]),
    "recording comment": lambda w, i: reverse("quizzes:recording_comment", args=[i(w.recording_a)]),
    "recording file": lambda w, i: reverse("quizzes:recording_file", args=[i(w.recording_a)]),
    "call page": lambda w, i: reverse("mentors:call", args=[i(w.activity_a)]),
    "call recording file": lambda w, i: reverse("mentors:call_file", args=[i(w.activity_a)]),
    "stage page for A": lambda w, i: f"{w.stage1.url}?enrollment={i(w.enrollment_a)}",
}


def _rows(queryset, *fields):
    return sorted(queryset.values_list("pk", *fields))


def _snapshot(w):
    """Every row a successful write through one of these URLs would add, change or remove: the
    enrollment and its events, stage progress, checklist ticks, signatures and sign-off; the
    attempts, responses, grade changes, leases and extra attempts; the activity, mentorship and
    statement; and the notifications any of them sends."""
    enrollment = w.enrollment_a
    return {
        "enrollment": _rows(Enrollment.objects.filter(pk=enrollment.pk), "status"),
        "events": _rows(EnrollmentEvent.objects.filter(enrollment=enrollment), "kind"),
        "progress": _rows(
            StageProgress.objects.filter(enrollment=enrollment), "stage_id", "status"
        ),
        "ticks": _rows(ChecklistTick.objects.filter(enrollment=enrollment), "stage_id", "item_id"),
        "signatures": _rows(JobDescriptionSignature.objects.filter(enrollment=enrollment)),
        "sign-off": _rows(ReadinessSignOff.objects.filter(enrollment=enrollment)),
        "attempts": _rows(
            Attempt.objects.filter(enrollment=enrollment), "status", "leased_to_id", "passed"
        ),
        "responses": _rows(
            Response.objects.filter(attempt__enrollment=enrollment),
            "answer_text",
            "awarded_points",
        ),
        "grade changes": _rows(
            GradeChange.objects.filter(response__attempt__enrollment=enrollment)
        ),
        "extra attempts": _rows(ExtraAttemptGrant.objects.filter(enrollment=enrollment)),
        "activity": _rows(Activity.objects.filter(enrollment=enrollment)),
        "mentorships": _rows(Mentorship.objects.filter(enrollment=enrollment), "ended_on"),
        "statements": _rows(
            BonusStatement.objects.filter(mentorship__enrollment=enrollment), "status"
        ),
        "recordings": _rows(Recording.objects.filter(attempt__enrollment=enrollment), "file"),
        "recording comments": _rows(
            RecordingComment.objects.filter(recording__attempt__enrollment=enrollment)
        ),
        "call recordings": _rows(
            CallRecording.objects.filter(activity__enrollment=enrollment),
            "file",
            "review_requested_at",
        ),
        "call comments": _rows(
            CallComment.objects.filter(recording__activity__enrollment=enrollment)
        ),
        "call reviews": _rows(CallReview.objects.filter(activity__enrollment=enrollment)),
        "notifications": Notification.objects.count(),
    }


def test_the_snapshot_sees_the_writes_the_probes_try(world):
    """The "nothing changed" check would catch each write: A's own tick and signature, HR's
    drop, a grade saved on A's attempt."""
    before = _snapshot(world)
    a = client_for(world, "trainee_a")
    a.post(
        reverse(
            "courses:checklist_tick", args=[world.enrollment_a.pk, world.stage1.pk, world.item_id]
        ),
        {"done": "1"},
    )
    ticked = _snapshot(world)
    assert ticked["ticks"] != before["ticks"]
    a.post(reverse("courses:job_description_sign", args=[world.enrollment_a.pk]))
    signed = _snapshot(world)
    assert signed["signatures"] != ticked["signatures"]
    hr = client_for(world, "hr")
    hr.post(
        reverse("quizzes:grade", args=[world.attempt_a.pk]),
        {f"r{world.response_a.pk}-points": "1", "action": "save"},
    )
    graded = _snapshot(world)
    assert graded["responses"] != signed["responses"]
    assert graded["attempts"] != signed["attempts"]  # the save took the lease
    hr.post(reverse("courses:enrollment_drop", args=[world.enrollment_a.pk]), {"reason": "probe"})
    dropped = _snapshot(world)
    assert dropped["enrollment"] != graded["enrollment"]
    assert dropped["events"] != graded["events"]


@pytest.mark.parametrize("persona", ["trainee_b", "mentor_b"])
def test_other_peoples_ids_answer_like_missing_ones(world, persona):
    client = client_for(world, persona)
    before = _snapshot(world)
    problems = []
    for name, build in OBJECT_URLS.items():
        for method in ("GET", "POST"):
            data = (
                {"answer": "changed", "reason": "probe", "note": "probe"}
                if method == "POST"
                else None
            )
            real = request_rolled_back(client, method, build(world, lambda o: o.pk), data)
            missing = request_rolled_back(client, method, build(world, lambda o: MISSING), data)
            if real.status_code not in (403, 404, 405):
                problems.append(f"{name} {method}: {real.status_code}")
            if real.status_code != missing.status_code:
                problems.append(
                    f"{name} {method}: {real.status_code} for A's id, "
                    f"{missing.status_code} for a missing id (an existence oracle)"
                )
            body = real.content.decode("utf-8", "replace")
            if A_NAME in body or A_SECRET in body:
                problems.append(f"{name} {method}: shows A's data")
    # Outside the rolled-back probes too: the same POSTs for real change nothing.
    for build in OBJECT_URLS.values():
        client.post(build(world, lambda o: o.pk), {"reason": "probe", "note": "probe"})
    assert problems == []
    assert _snapshot(world) == before


@pytest.mark.parametrize("persona", ["trainee_b", "mentor_b", "anonymous"])
def test_api_lists_hold_nothing_of_trainee_a(world, persona):
    client = client_for(world, persona)
    for url in (
        reverse("api-activities") + "?trainee=trainee_a@example.com",
        reverse("api-activities"),
        reverse("api-bonus-statements"),
        reverse("api-enrollments"),
    ):
        body = client.get(url).content.decode()
        assert A_NAME not in body, url
        assert A_SECRET not in body, url
        assert "trainee_a@" not in body, url


def test_a_mentor_sees_only_their_own_statements(world):
    client = client_for(world, "mentor_b")
    data = client.get(reverse("api-bonus-statements")).json()
    ids = {row["id"] for row in data["results"]}
    assert ids == {world.statement_b.pk}
    assert BonusStatement.objects.count() == 2


# (An id of "integration" would make conftest skip the test as an integration test.)
@pytest.mark.parametrize(
    "persona", ["mentor_a", "director", "integration"], ids=["mentor_a", "director", "crm"]
)
def test_refused_activity_delete_keeps_the_entry(world, persona):
    """Those who see A's hand-logged entry but did not log it get a refusal, not a deletion."""
    client = client_for(world, persona)
    response = client.post(reverse("mentors:activity_delete", args=[world.activity_a.pk]))
    assert response.status_code == 302
    assert Activity.objects.filter(pk=world.activity_a.pk).exists()
