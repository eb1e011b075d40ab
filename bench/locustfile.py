"""Benchmark 5's Locust users: one class per page, run one page at a time by bench/load.py
with the writers (TickItem, LogCall, SubmitAnswers, further down) beside it.

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

import html
import itertools
import json
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from locust import constant, constant_pacing, task
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
DashboardFresh = _user("DashboardFresh", "dashboard_fresh")


# --- The writers ------------------------------------------------------------------------------
#
# Each writer goes through a form as a browser does: the page with the form (its CSRF token and
# cookie), the POST, the redirect it answers and the page that redirect shows, which must show
# what was written (so the pages are the ones people get after a write, not a stale copy). One
# user per class (``fixed_count``), each taking the people of its scenario in turn; paced at one
# round per BENCH_LOAD_WRITE_PACE seconds (0: back to back). A request that answers anything
# but what the form answers a person (a redirect after a POST, 200 for a page) is a failure.

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_TEXTAREA = re.compile(r'<textarea\b[^>]*\bname="(q\d+)"', re.IGNORECASE)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
_PACE = float(os.environ.get("BENCH_LOAD_WRITE_PACE", "1") or 0)


class _WriteUser(FastHttpUser):
    abstract = True
    fixed_count = 1
    wait_time = constant_pacing(_PACE) if _PACE > 0 else constant(0)
    network_timeout = float(os.environ.get("BENCH_LOAD_TIMEOUT", "60"))
    connection_timeout = 10.0
    scenario = ""

    def on_start(self):
        scenario = sessions().get(self.scenario) or {"name": self.scenario, "people": []}
        self.names = scenario.get("names", {})
        self.people = [dict(person) for person in scenario["people"]]
        self.turn = 0
        self.csrf = ""

    def name(self, step: str) -> str:
        return self.names.get(step, f"{self.scenario} {step}")

    def next_person(self) -> dict | None:
        if not self.people:
            return None
        person = self.people[self.turn % len(self.people)]
        self.turn += 1
        return person

    def headers(self, person) -> dict:
        cookies = f"{sessions()['cookie']}={person['session']}"
        if self.csrf:
            cookies += f"; {sessions().get('csrf_cookie', 'csrftoken')}={self.csrf}"
        return {"Cookie": cookies}

    def _remember_csrf(self, response) -> None:
        name = sessions().get("csrf_cookie", "csrftoken")
        for cookie in self.client.cookiejar:
            if cookie.name == name:
                self.csrf = cookie.value
        header = response.headers.get("set-cookie") or "" if response.headers else ""
        found = re.search(rf"{name}=([^;,\s]+)", header)
        if found:
            self.csrf = found.group(1)

    def page(self, person, url: str, step: str, check=None) -> str | None:
        """GET a page, expect 200 (and ``check(text)`` to be true); its text, or None."""
        with self.client.get(
            url,
            headers=self.headers(person),
            name=self.name(step),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            self._remember_csrf(response)
            text = response.text or ""
            if check is not None and not check(text):
                response.failure(f"{step}: the page does not show what was written")
                return None
            return text

    def post(self, person, url: str, step: str, data: dict, expect: str) -> str | None:
        """POST a form with its CSRF token, expect a redirect to a path starting ``expect``."""
        body = {**data, "csrfmiddlewaretoken": person["token"]}
        with self.client.post(
            url,
            data=body,
            headers={**self.headers(person), "Content-Type": "application/x-www-form-urlencoded"},
            name=self.name(step),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = (response.headers or {}).get("location") or ""
            if response.status_code != 302 or not location.startswith(expect):
                response.failure(f"HTTP {response.status_code} to {location or '-'}")
                return None
            return location

    def form_page(self, person, url: str, step: str) -> str | None:
        """The page with the form; keeps the form's CSRF token on the person."""
        text = self.page(person, url, step)
        if text is None:
            return None
        token = _TOKEN.search(text)
        if token is None:
            return None
        person["token"] = html.unescape(token.group(1))
        return text


class TickItem(_WriteUser):
    """A trainee ticks their own checklist item on the stage page, then undoes it, in turn."""

    scenario = "tick"

    def _shows(self, person, done: bool):
        pattern = re.compile(
            r'class="checklist-item( done)?" id="item-' + re.escape(person["item"]) + '"'
        )

        def check(text: str) -> bool:
            found = pattern.search(text)
            return found is not None and bool(found.group(1)) == done

        return check

    def on_start(self):
        super().on_start()
        for person in self.people:
            person["done"] = False

    @task
    def write(self):
        person = self.next_person()
        if person is None:
            return
        if "token" not in person and self.form_page(person, person["url"], "form") is None:
            return
        done = not person["done"]
        anchor = f"#item-{person['item']}"
        data = {"done": "1" if done else "0", "next": person["url"] + anchor}
        if self.post(person, person["post"], "post", data, expect=person["url"]) is None:
            return
        person["done"] = done
        self.page(person, person["url"], "after", check=self._shows(person, done))


class LogCall(_WriteUser):
    """A mentor logs a call for a mentee on the mentee's activity page."""

    scenario = "log_call"

    @task
    def write(self):
        person = self.next_person()
        if person is None:
            return
        if "token" not in person and self.form_page(person, person["url"], "form") is None:
            return
        self.turn_note = getattr(self, "turn_note", 0) + 1
        note = f"{person['marker']} {id(self)}-{self.turn_note}"
        data = {
            "kind": "call",
            # The form takes the site's local time, as a person's browser there sends it.
            "occurred_at": datetime.now(ZoneInfo(sessions().get("time_zone", "UTC"))).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "decision_maker_reached": "on",
            "note": note,
        }
        if self.post(person, person["url"], "post", data, expect=person["url"]) is None:
            return
        self.page(person, person["url"], "after", check=lambda text: note in text)


def _answers(text: str) -> dict:
    """A trainee's answers to the sheet: the first choice of each choice question, a number or
    a sentence for the others, every field the form names q<question id>."""
    data: dict[str, str] = {}
    for tag in _INPUT.findall(text):
        attrs = dict(_ATTR.findall(tag))
        name, kind = attrs.get("name", ""), attrs.get("type", "text").lower()
        if name == "all_answers":
            data[name] = attrs.get("value", "1")
        if not re.fullmatch(r"q\d+", name) or name in data:
            continue
        if kind in ("radio", "checkbox"):
            data[name] = html.unescape(attrs.get("value", ""))
        elif kind == "number" or attrs.get("inputmode") in ("decimal", "numeric"):
            data[name] = "1"
        elif kind not in ("hidden", "submit", "file"):
            data[name] = "An answer typed under load."
    for name in _TEXTAREA.findall(text):
        data.setdefault(name, "An answer typed under load.")
    return data


class SubmitAnswers(_WriteUser):
    """A trainee starts an attempt at a quiz, answers, saves and submits it. A trainee whose
    quiz page offers no start (they passed it under an earlier round's answers) leaves the
    round to the next one."""

    scenario = "submit"

    @task
    def write(self):
        for _tries in range(len(self.people)):
            person = self.next_person()
            if person.get("finished"):
                continue
            text = self.form_page(person, person["url"], "quiz")
            if text is None:
                return
            if person["post"] not in text:  # nothing to start: passed, or out of attempts
                person["finished"] = True
                continue
            break
        else:
            return
        attempt = self.post(person, person["post"], "start", {}, expect="/attempts/")
        if attempt is None:
            return
        attempt = attempt.split("#")[0]
        sheet = self.form_page(person, attempt, "sheet")
        if sheet is None:
            return
        data = {**_answers(sheet), "next": "submit"}
        submit = self.post(person, f"{attempt}save/", "save", data, expect=f"{attempt}submit/")
        if submit is None or self.form_page(person, submit, "confirm") is None:
            return
        if self.post(person, submit, "submit", {}, expect=attempt) is None:
            return
        self.page(person, attempt, "result", check=lambda text: 'name="q' not in text)
