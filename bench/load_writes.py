"""Benchmark 5's writers: the people who tick checklist items, log calls and submit quiz
answers while the pages are measured, and the cleanup that leaves the benchmark database as
the run found it.

The writers go through the real views with the CSRF token of the form they were shown, as a
browser does (bench/locustfile.py). What they may write is chosen here so that every write is
one the site accepts and none of them ends a stage (a completed stage stays completed, which no
cleanup should have to undo):

- **Ticking**: a trainee's own open checklist item on the stage they work on, where another
  requirement (an item of HR or the head of department, a sign-off, a quiz) stays open, so the
  tick cannot complete the stage; the user ticks and undoes it in turn.
- **Logging calls**: a mentor logs a call for an active mentee cleared for client work (before
  the role-play certification a typed call is refused), with a note carrying the run's marker.
- **Submitting answers**: a trainee with a quiz they may start on an open stage starts an
  attempt, answers it, saves and submits it.

``Snapshot.take`` records, before the run, the highest ids of the tables these writes add rows
to and the stage progress of every writer's enrollment; ``Snapshot.restore`` deletes what was
added (the activities by their marker, the attempts of the writers' enrollments with their
responses, the ticks, the enrollment events and the notifications that came with them) and
puts the stage progress back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from courses import selectors as course_selectors
from courses.blocks import Responsible
from courses.models import ChecklistTick, Enrollment, EnrollmentEvent, StageProgress
from mentors import certification
from mentors.models import Activity, BonusStatement, Mentorship
from mentors.services import statements_schedule_recompute
from people.models import Notification
from quizzes import selectors as quiz_selectors
from quizzes.models import Attempt

TICK = "tick"
LOG_CALL = "log_call"
SUBMIT = "submit"
WRITE_KEYS = (TICK, LOG_CALL, SUBMIT)
MARKER_PREFIX = "bench-load"


def new_marker() -> str:
    """The note every call logged by this run starts with (its cleanup deletes by it)."""
    return f"{MARKER_PREFIX} {uuid.uuid4().hex[:12]}"


@dataclass
class Writers:
    """People per write scenario (each a dict for the sessions file, without the session) and
    the enrollments they write to."""

    people: dict[str, list[dict]] = field(default_factory=dict)
    users: dict[str, list] = field(default_factory=dict)  # the User per person, same order
    enrollment_ids: set[int] = field(default_factory=set)
    marker: str = ""


def _open_trainee_enrollments(limit: int, offset: int = 0) -> list[Enrollment]:
    return list(
        Enrollment.objects.open()
        .filter(status=Enrollment.Status.ACTIVE, trainee__username__startswith="load-")
        .select_related("trainee", "program")
        .order_by("-pk")[offset : offset + limit]
    )


def _tick_target(enrollment: Enrollment) -> dict | None:
    """The trainee's own open item on the stage they work on, if another requirement of that
    stage stays open whatever the load does (so a tick cannot complete the stage)."""
    overview = course_selectors.overview(enrollment)
    for view in overview.stages:
        if view.is_locked or view.progress.status == StageProgress.Status.COMPLETED:
            continue
        done = {r.key for r in view.requirements if r.done}
        items = view.stage.checklist_items()
        own = [
            item_id
            for item_id, item in items
            if item["responsible"] == Responsible.TRAINEE and f"checklist:{item_id}" not in done
        ]
        others_open = [
            r
            for r in view.requirements
            if not r.done
            and not any(r.key == f"checklist:{item_id}" for item_id in own)
            and not r.key.startswith("quiz:")  # the quiz writers could pass a quiz
        ]
        if own and others_open:
            stage_url = urlsplit(view.stage.get_url()).path
            item_id = own[0]
            return {
                "url": stage_url,
                "item": item_id,
                "post": reverse(
                    "courses:checklist_tick", args=[enrollment.pk, view.stage.pk, item_id]
                ),
            }
    return None


def _quiz_target(enrollment: Enrollment) -> dict | None:
    for item in quiz_selectors.my_quizzes(enrollment):
        quiz = item.state.quiz
        if item.stage_open and item.state.can_start and not quiz.is_oral:
            return {
                "url": reverse("quizzes:quiz", args=[quiz.slug]),
                "post": reverse("quizzes:attempt_start", args=[quiz.slug]),
            }
    return None


def _trainee_writers(n: int, taken: set[int]) -> tuple[list, list]:
    """Up to ``n`` (enrollment, target) pairs who tick and ``n`` who submit, none in ``taken``
    (which gains them)."""
    ticks, submits = [], []
    for batch in range(20):
        enrollments = _open_trainee_enrollments(10 * n, offset=batch * 10 * n)
        if not enrollments or (len(ticks) >= n and len(submits) >= n):
            break
        for enrollment in enrollments:
            if enrollment.trainee_id in taken:
                continue
            if len(ticks) < n and (target := _tick_target(enrollment)):
                ticks.append((enrollment, target))
                taken.add(enrollment.trainee_id)
            elif len(submits) < n and (target := _quiz_target(enrollment)):
                submits.append((enrollment, target))
                taken.add(enrollment.trainee_id)
    return ticks, submits


def choose(n: int, *, exclude_users: set[int]) -> Writers:
    """Up to ``n`` people for each write scenario (the trainees of one are not those of
    another, nor the page readers in ``exclude_users``)."""
    writers = Writers(marker=new_marker())
    taken = set(exclude_users)
    ticks, submits = _trainee_writers(n, taken)
    writers.people[TICK] = [target for _e, target in ticks]
    writers.users[TICK] = [e.trainee for e, _t in ticks]
    writers.people[SUBMIT] = [target for _e, target in submits]
    writers.users[SUBMIT] = [e.trainee for e, _t in submits]

    calls, mentors = [], []
    mentorships = (
        Mentorship.objects.active()
        .filter(
            enrollment__status=Enrollment.Status.ACTIVE,
            enrollment__trainee__username__startswith="load-",
        )
        .select_related("mentor", "enrollment__program")
        .order_by("-pk")
    )
    for mentorship in mentorships[: 20 * n]:
        if len(calls) >= n:
            break
        if mentorship.mentor_id in taken:
            continue
        verdict, _refusal = certification.gate(
            clearance=certification.clearance_of(mentorship.enrollment),
            kind=Activity.Kind.CALL,
            source=Activity.Source.MANUAL,
        )
        if verdict is not certification.Verdict.ALLOWED:
            continue
        # Not a mentorship with an approved or paid statement: a call logged there would flag it
        # for review (a difference kept beside it), which deleting the call does not undo.
        if BonusStatement.objects.filter(
            mentorship=mentorship, status__in=BonusStatement.FROZEN_STATUSES
        ).exists():
            continue
        taken.add(mentorship.mentor_id)
        calls.append(
            {
                "url": reverse("mentors:mentee_activity", args=[mentorship.enrollment_id]),
                "marker": writers.marker,
            }
        )
        mentors.append(mentorship.mentor)
        writers.enrollment_ids.add(mentorship.enrollment_id)
    writers.people[LOG_CALL] = calls
    writers.users[LOG_CALL] = mentors
    writers.enrollment_ids |= {e.pk for e, _t in ticks} | {e.pk for e, _t in submits}
    for key in WRITE_KEYS:
        if not writers.people[key]:
            raise RuntimeError(f"load: nobody to write as for {key!r}; is the load data there?")
    return writers


def _max_pk(model) -> int:
    return model.objects.aggregate(top=Max("pk"))["top"] or 0


@dataclass
class Snapshot:
    enrollment_ids: set[int]
    marker: str
    top: dict[str, int]
    progress: list[dict]

    @classmethod
    def take(cls, writers: Writers) -> Snapshot:
        return cls(
            enrollment_ids=set(writers.enrollment_ids),
            marker=writers.marker,
            top={
                model.__name__: _max_pk(model)
                for model in (
                    Activity,
                    Attempt,
                    ChecklistTick,
                    EnrollmentEvent,
                    Notification,
                    StageProgress,
                )
            },
            progress=list(
                StageProgress.objects.filter(enrollment_id__in=writers.enrollment_ids).values(
                    "pk", "status", "available_at", "started_at", "completed_at"
                )
            ),
        )

    def restore(self) -> dict[str, int]:
        """Delete what the writers added, put the stage progress back and recompute the
        statements their calls changed; {what: how many}. Nobody else writes to the benchmark
        database during the run, so every notification since the snapshot came from the
        writers (a result, a statement recomputed; the last ones by the recomputation that
        follows the cleanup, whose tasks run when it commits)."""
        done = self._restore_rows()
        since = Notification.objects.filter(pk__gt=self.top["Notification"])
        done["notifications"] = since.delete()[0]
        return done

    @transaction.atomic
    def _restore_rows(self) -> dict[str, int]:
        top, ids = self.top, self.enrollment_ids
        done: dict[str, int] = {}
        activities = Activity.objects.filter(
            pk__gt=top["Activity"], note__startswith=self.marker, enrollment_id__in=ids
        )
        call_enrollments = set(activities.values_list("enrollment_id", flat=True))
        done["activities"] = activities.delete()[1].get("mentors.Activity", 0)
        attempts = Attempt.objects.filter(pk__gt=top["Attempt"], enrollment_id__in=ids)
        done["attempts"] = attempts.count()
        attempts.delete()
        done["checklist ticks"] = ChecklistTick.objects.filter(
            pk__gt=top["ChecklistTick"], enrollment_id__in=ids
        ).delete()[0]
        done["enrollment events"] = EnrollmentEvent.objects.filter(
            pk__gt=top["EnrollmentEvent"], enrollment_id__in=ids
        ).delete()[0]
        done["stage progress rows added"] = StageProgress.objects.filter(
            pk__gt=top["StageProgress"], enrollment_id__in=ids
        ).delete()[0]
        rows = [StageProgress(**row) for row in self.progress]
        fields = ["status", "available_at", "started_at", "completed_at"]
        done["stage progress rows restored"] = StageProgress.objects.bulk_update(rows, fields)
        if call_enrollments:
            statements_schedule_recompute(enrollment_ids=sorted(call_enrollments))
        return done
