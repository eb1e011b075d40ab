"""Benchmark 5's writers against the test server: each one's requests (the form, the POST with
its CSRF token, the page after it showing what was written) succeed through Locust, and the
cleanup leaves the data as it found it."""

import json
from datetime import date

import pytest

from bench import load, load_writes
from bench.loadgen import Options, generate
from courses.models import ChecklistTick, EnrollmentEvent, StageProgress
from demo import company
from mentors.models import Activity
from people.models import Notification
from quizzes.models import Attempt, Response

TODAY = date(2026, 11, 26)


def _company():
    """The demo company (its program with quizzes placed in stages) and generated trainees."""
    company.run(today=TODAY)
    generate(Options(trainees=12, months=6, activities=600, attempts=0, seed=5, today=TODAY))


def _state():
    return {
        "activities": Activity.objects.count(),
        "attempts": Attempt.objects.count(),
        "responses": Response.objects.count(),
        "ticks": set(ChecklistTick.objects.values_list("enrollment_id", "stage_id", "item_id")),
        "events": EnrollmentEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "progress": set(
            StageProgress.objects.values_list(
                "enrollment_id", "stage_id", "status", "started_at", "completed_at"
            )
        ),
    }


@pytest.mark.urls("bench.urls")
# The live server's flush would empty the tables the migrations fill (the page tree, the
# roles) for the tests that run next in this process; serialized_rollback puts them back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_writer_writes_through_the_forms_and_the_cleanup_undoes_it(live_server, tmp_path):
    _company()
    writers = load_writes.choose(2, exclude_users=set())
    trainees = [u.pk for key in (load_writes.TICK, load_writes.SUBMIT) for u in writers.users[key]]
    assert len(trainees) == len(set(trainees))  # nobody both ticks and submits
    for person in writers.people[load_writes.LOG_CALL]:
        assert person["marker"] == writers.marker
    for key, group in writers.people.items():
        for person, user in zip(group, writers.users[key], strict=True):
            person["session"] = load._sign_in(user)
    before = _state()
    snapshot = load_writes.Snapshot.take(writers)
    sessions = tmp_path / "sessions.json"
    sessions.write_text(
        json.dumps(
            {
                "cookie": "sessionid",
                "csrf_cookie": "csrftoken",
                "time_zone": "Europe/Moscow",
                **{
                    w.key: {"names": w.steps, "people": writers.people[w.key]} for w in load.WRITERS
                },
            }
        )
    )
    port = int(live_server.url.rsplit(":", 1)[1])
    assert load._get(port, "/bench/bare/") == 200  # the first request of a cold test server

    runs = {}
    for writer in load.WRITERS:  # one at a time: the test server's database is SQLite
        runs[writer.key] = load._run_locust(
            load.WRITES,
            port=port,
            users=1,
            seconds=4,
            timeout=20,
            sessions=sessions,
            workdir=tmp_path,
            run=writer.key,
            classes=(writer.user_class,),
            write_pace=0,
        )

    for writer in load.WRITERS:
        entries = runs[writer.key].entries
        log = (tmp_path / f"{writer.key}.log").read_text()
        for name in writer.steps.values():
            assert name in entries, (name, sorted(entries), log)
            assert entries[name].requests > 0
            assert entries[name].failures == 0, (name, entries[name].errors, log)
    written = _state()
    assert written["activities"] > before["activities"]
    assert written["attempts"] > before["attempts"]

    cleaned = snapshot.restore()

    assert cleaned["activities"] == written["activities"] - before["activities"]
    assert _state() == before
