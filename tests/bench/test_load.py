"""Benchmark 5's moving parts that need no PostgreSQL: the bare view, the Locust users, and the
reading of Locust's results from a real (four-second) run. The load test itself runs in CI's
small-scale benchmark pass."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from bench import load

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.urls("bench.urls")
def test_bare_view_is_in_front_of_the_real_site(client):
    response = client.get("/bench/bare/")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert reverse("courses:my_onboarding") == "/onboarding/"


def test_locustfile_has_one_user_class_per_scenario():
    listed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", "bench/locustfile.py", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout

    classes = {line.strip() for line in listed.splitlines()[1:] if line.strip()}
    assert classes == {scenario.user_class for scenario in load.SCENARIOS} | set(
        load.WRITER_CLASSES
    )


@pytest.mark.urls("bench.urls")
# The live server's flush would empty the tables the migrations fill (the page tree, the
# roles) for the tests that run next in this process; serialized_rollback puts them back.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_short_locust_run_is_read_back_from_its_csv(live_server, tmp_path):
    sessions = tmp_path / "sessions.json"
    sessions.write_text(
        json.dumps(
            {
                "cookie": "sessionid",
                "bare": {
                    "name": load.BARE.name,
                    "people": [{"session": "", "url": "/bench/bare/"}],
                },
                # Anonymous: the page redirects to the login form, which must count as failed.
                "trainee_home": {
                    "name": load.TRAINEE_HOME.name,
                    "people": [{"session": "", "url": "/onboarding/"}],
                },
            }
        )
    )
    port = int(live_server.url.rsplit(":", 1)[1])
    assert load._get(port, "/bench/bare/") == 200  # the first request of a cold test server

    def locust(scenario, run):
        return load._run_locust(
            scenario,
            port=port,
            users=1,
            seconds=4,
            timeout=10,
            sessions=sessions,
            workdir=tmp_path,
            run=run,
        )

    bare = locust(load.BARE, "bare")
    refused = locust(load.TRAINEE_HOME, "home")

    assert bare.requests > 0, (tmp_path / "bare.log").read_text()
    assert bare.failures == 0
    assert bare.rps > 0
    assert bare.p50 <= bare.p95 <= bare.p99
    assert refused.requests > 0
    assert refused.failures == refused.requests
    assert any("HTTP 302" in error for error in refused.errors)
