"""Benchmark 5's Locust users: one class per page, run one class at a time by bench/load.py.

    BENCH_LOAD_SESSIONS=sessions.json locust -f bench/locustfile.py --headless \
        --host http://127.0.0.1:PORT -u 8 -r 8 -t 60s TraineeHome

The sessions file (written by bench/load.py, which imports nothing from here: importing Locust
patches the process for gevent) holds the session cookie name and, per scenario, the name to
report the requests under and the signed-in sessions with the URL each one visits; logging in
here would measure Argon2 instead of the pages. Every user sends requests back to back (no
think time): the run measures throughput at saturation. A redirect counts as a failure, so an
expired session cannot pass for a page served by the login form.
"""

from __future__ import annotations

import itertools
import json
import os

from locust import constant
from locust.contrib.fasthttp import FastHttpUser

_sessions: dict | None = None


def sessions() -> dict:
    global _sessions
    if _sessions is None:
        path = os.environ.get("BENCH_LOAD_SESSIONS")
        if path:
            with open(path) as handle:
                _sessions = json.load(handle)
        else:  # `locust --list` and a run without sessions: anonymous requests to "/"
            _sessions = {"cookie": "sessionid"}
    return _sessions


class _PageUser(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    # The dashboard at full scale takes seconds; bench/load.py gives gunicorn a longer timeout.
    network_timeout = float(os.environ.get("BENCH_LOAD_TIMEOUT", "60"))
    connection_timeout = 10.0
    scenario = ""
    _turns = itertools.count()

    def on_start(self):
        scenario = sessions().get(self.scenario) or {"name": self.scenario, "people": []}
        people = scenario["people"] or [{"session": "", "url": "/"}]
        # Users take the sessions in turn, so the load is spread over many trainees/mentors.
        person = people[next(_PageUser._turns) % len(people)]
        self.request_name = scenario["name"]
        self.url = person["url"]
        self.headers = (
            {"Cookie": f"{sessions()['cookie']}={person['session']}"} if person["session"] else {}
        )

    def fetch(self):
        with self.client.get(
            self.url,
            headers=self.headers,
            name=self.request_name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


def _user(class_name: str, scenario: str):
    def task(self):
        self.fetch()

    return type(
        class_name,
        (_PageUser,),
        {"scenario": scenario, "tasks": [task], "__module__": __name__},
    )


# One class per scenario of bench/load.py (SCENARIOS there names these classes).
BareView = _user("BareView", "bare")
TraineeHome = _user("TraineeHome", "trainee_home")
StagePage = _user("StagePage", "stage")
GradingQueue = _user("GradingQueue", "grading")
MyMentees = _user("MyMentees", "mentees")
Dashboard = _user("Dashboard", "dashboard")
