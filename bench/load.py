"""Benchmark 5: the site under load, with writes going on, against a bare Django view in the
same run.

gunicorn serves the real site (``bench.settings``: DEBUG off, persistent connections) with two
sync workers on a free loopback port; Locust, headless in a second process, sends requests back
to back from signed-in users, one page at a time: the bare view (the floor), a trainee's home
("My onboarding"), the stage they work on, a mentor's grading queue, the mentor's home ("My
mentees"), the director's dashboard from its cache and computed afresh (``?refresh=1``), and
the writers alone. Beside every one of these runs (the bare view's too, so the floor pays the
same background) three writers go through the real forms with their CSRF tokens: a trainee
ticks and undoes a checklist item, a mentor logs a call, a trainee starts, answers, saves and
submits a quiz attempt (bench/load_writes.py chooses them, bench/locustfile.py is them); each
write is followed by the page it redirects to, which must show what was written. The trainees
who tick are also among the readers of the home and stage pages. Every page is rendered on
every request: nothing but the dashboard keeps what it computed. The runs are interleaved in
rounds (3; 1 at ``--quick``) with a bare run between rounds: each round's floor is the mean of
the bare runs either side of it, and every figure is the median of the rounds [min–max].

Throughput is reported as server time per request at saturation (1000 / requests per second):
the ratio to the bare view's is then "how many times slower than the bare view", and issue
#19's "at least 10% of the bare view's throughput" is a ratio of at most 10. The dashboard's
p95 (cached and afresh) and each write's throughput and p95 are reported, without a target.
Each page's row also gives its p95 and what it costs in this process through the test client
(queries and CPU milliseconds per request). Any failed request (an unexpected status, a
redirect where a page was expected, a page not showing the write) fails the benchmark, after
every row is printed. The writes are undone afterwards (``load_writes.Snapshot``).

No one logs in during the run: Argon2 is slow on purpose, so the sessions are created here
with the session store and handed to Locust in a JSON file (and deleted afterwards).
"""

from __future__ import annotations

import csv
import http.client
import itertools
import json
import math
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from environ import Env

from bench import load_writes
from bench.common import Timing, report
from courses import selectors as course_selectors
from courses.models import Enrollment
from mentors.models import Mentorship
from people.roles import Role
from quizzes.models import Attempt

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
THROUGHPUT_TARGET = 10.0  # issue #19: at least 10% of the bare view's requests per second
# Seconds per round of each writer beside the pages: a background of writes, not a second
# benchmark (a round is 3 to 7 requests; back to back, three writers would hold the two workers
# most of the time and every page's throughput would measure the writes' queue instead).
WRITE_PACE = 10.0


@dataclass(frozen=True)
class Scenario:
    key: str  # the key of the sessions file
    user_class: str  # the Locust user class in bench/locustfile.py
    name: str  # the request name in Locust's results and in the report


BARE = Scenario("bare", "BareView", "bare view")
TRAINEE_HOME = Scenario("trainee_home", "TraineeHome", "trainee home")
STAGE = Scenario("stage", "StagePage", "stage page")
GRADING = Scenario("grading", "GradingQueue", "grading queue")
MENTEES = Scenario("mentees", "MyMentees", "my mentees")
DASHBOARD = Scenario("dashboard", "Dashboard", "dashboard")
# The dashboard computed afresh (``?refresh=1``: the summary and the page recomputed, then kept).
DASHBOARD_FRESH = Scenario("dashboard_fresh", "DashboardFresh", "dashboard afresh")
PAGES = (TRAINEE_HOME, STAGE, GRADING, MENTEES)
SCENARIOS = (BARE, *PAGES, DASHBOARD, DASHBOARD_FRESH)


@dataclass(frozen=True)
class Writer:
    key: str  # bench/load_writes.py's key, and the sessions file's
    user_class: str
    steps: dict[str, str]  # the locustfile's step -> the request name in the results
    posts: tuple[str, ...]  # the steps that write


WRITERS = (
    Writer(
        load_writes.TICK,
        "TickItem",
        {
            "form": "tick: stage page (the form)",
            "post": "tick: POST the checklist item",
            "after": "tick: stage page after the tick",
        },
        ("post",),
    ),
    Writer(
        load_writes.LOG_CALL,
        "LogCall",
        {
            "form": "call: mentee's activity page (the form)",
            "post": "call: POST the call",
            "after": "call: activity page after the call",
        },
        ("post",),
    ),
    Writer(
        load_writes.SUBMIT,
        "SubmitAnswers",
        {
            "quiz": "quiz: quiz page",
            "start": "quiz: POST start an attempt",
            "sheet": "quiz: answer sheet",
            "save": "quiz: POST save the answers",
            "confirm": "quiz: confirm the submission",
            "submit": "quiz: POST submit",
            "result": "quiz: result page",
        },
        ("start", "save", "submit"),
    ),
)
WRITER_CLASSES = tuple(writer.user_class for writer in WRITERS)
WRITE_NAMES = tuple(writer.steps[step] for writer in WRITERS for step in writer.posts)
# The writers alone, back to back: the writes' throughput (named after the first write).
WRITES = Scenario("writes", "", WRITE_NAMES[0])


@dataclass
class Stats:
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: list[str]
    cpu_warning: bool
    server_cpu_ms: float = float("nan")  # gunicorn workers' CPU time per request
    locust_cores: float = float("nan")  # Locust's CPU time per second of the run
    histogram: dict[float, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Every request name of the run (the writers' beside the measured page), by name.
    entries: dict[str, Stats] = field(default_factory=dict)

    @property
    def ms_per_request(self) -> float:
        return 1000 / self.rps if self.rps else float("inf")

    def latencies(self) -> str:
        return f"p50/p95/p99 {self.p50:.0f}/{self.p95:.0f}/{self.p99:.0f} ms"


# --- the people and their sessions ------------------------------------------------------------


def _sign_in(user) -> str:
    """A session as django.contrib.auth.login would leave it, without checking a password."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _spread(items: list, n: int) -> list:
    """``n`` items taken evenly through ``items`` (trainees hired over the months, not one week)."""
    step = max(1, len(items) // max(1, n))
    return items[::step][:n]


def _people(n: int) -> dict[str, list[dict]]:
    """Sessions and URLs per scenario: trainees with an unlocked stage, mentors with grading
    (the same mentors for their home page, where their mentees are)."""
    User = get_user_model()
    home = reverse("courses:my_onboarding")
    enrollments = _spread(
        list(
            Enrollment.objects.open()
            .filter(trainee__username__startswith="load-")
            .select_related("trainee", "program")
            .order_by("pk")
        ),
        n,
    )
    trainees = []  # (user, URL of the stage they work on: the last one opened)
    for enrollment in enrollments:
        overview = course_selectors.overview(enrollment)
        unlocked = [view for view in overview.stages if not view.is_locked]
        if unlocked:
            trainees.append((enrollment.trainee, urlsplit(unlocked[-1].stage.get_url()).path))

    graders = (
        Mentorship.objects.active()
        .filter(enrollment__quiz_attempts__status=Attempt.Status.AWAITING_GRADING)
        .values("mentor_id")
    )
    mentors = _spread(
        list(User.objects.filter(pk__in=graders, groups__name=Role.MENTOR).order_by("pk")), n
    )
    director = User.objects.filter(username="director").first()
    for who, found in [("trainees with an open stage", trainees), ("mentors", mentors)]:
        if not found:
            raise RuntimeError(f"load: no {who} to sign in as; is the load data there?")
    if director is None:
        raise RuntimeError("load: no user 'director'; is the demo company there (seed_demo)?")

    trainee_sessions = [(_sign_in(user), url) for user, url in trainees]
    mentor_sessions = [_sign_in(mentor) for mentor in mentors]
    director_session = _sign_in(director)
    return {
        BARE.key: [{"session": "", "url": "/bench/bare/"}],
        TRAINEE_HOME.key: [{"session": key, "url": home} for key, _url in trainee_sessions],
        STAGE.key: [{"session": key, "url": url} for key, url in trainee_sessions],
        GRADING.key: [
            {"session": key, "url": reverse("quizzes:grading_queue")} for key in mentor_sessions
        ],
        MENTEES.key: [
            {"session": key, "url": reverse("mentors:mentees")} for key in mentor_sessions
        ],
        DASHBOARD.key: [{"session": director_session, "url": reverse("dashboard")}],
        DASHBOARD_FRESH.key: [
            {"session": director_session, "url": reverse("dashboard") + "?refresh=1"}
        ],
    }


def _writer_people(n: int, people: dict[str, list[dict]]) -> load_writes.Writers:
    """The writers (bench/load_writes.py), signed in; the trainees who tick are also among the
    page readers of the home and stage pages, so some pages read are ones being written."""
    readers = set()
    engine = import_module(settings.SESSION_ENGINE)
    for group in people.values():
        for person in group:
            if person["session"]:
                data = engine.SessionStore(session_key=person["session"]).load()
                readers.add(int(data[SESSION_KEY]))
    writers = load_writes.choose(n, exclude_users=readers)
    home = reverse("courses:my_onboarding")
    for key, group in writers.people.items():
        for person, user in zip(group, writers.users[key], strict=True):
            person["session"] = _sign_in(user)
    ticking = writers.people[load_writes.TICK]
    people[TRAINEE_HOME.key] = [
        *({"session": p["session"], "url": home} for p in ticking),
        *people[TRAINEE_HOME.key],
    ]
    people[STAGE.key] = [
        *({"session": p["session"], "url": p["url"]} for p in ticking),
        *people[STAGE.key],
    ]
    return writers


@dataclass
class Cost:
    """One page in this process through the test client, with the server's cache and session
    settings: queries per request (the fewest and the most over the people asked) and CPU
    milliseconds per request (the median of the rounds)."""

    min_queries: int
    max_queries: int
    cpu_ms: float

    @property
    def queries(self) -> str:
        if self.min_queries == self.max_queries:
            return str(self.max_queries)
        return f"{self.min_queries}-{self.max_queries}"

    def __str__(self) -> str:
        return f"{self.queries} queries, {self.cpu_ms:.1f} ms CPU per request"


def _in_process(
    people: dict[str, list[dict]], cache_url: str | None, requests: int = 10, rounds: int = 3
) -> dict[str, Cost]:
    """What each page costs rendered, for the report, through the test client: with the
    server's cache and sessions (Redis, cached_db) when there is a shared cache, after one
    request per person (templates compiled, the person's session in the cache)."""
    served = {}
    if cache_url:
        served = {
            "CACHES": {"default": Env.cache_url_config(cache_url)},
            "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
        }

    def measure(scenario) -> Cost:
        clients = []
        for person in people[scenario.key][:requests]:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = person["session"]
            clients.append((client, person["url"]))
        counts, cpu_per_round = [], []
        with override_settings(**served):
            for client, url in clients:
                client.get(url)
            for _round in range(rounds):
                cpu = 0.0
                for i in range(requests):
                    client, url = clients[i % len(clients)]
                    started = time.process_time()
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                    cpu += time.process_time() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"load: {scenario.name} answered {response.status_code}")
                    counts.append(len(queries))
                cpu_per_round.append(1000 * cpu / requests)
        return Cost(min(counts), max(counts), statistics.median(cpu_per_round))

    return {scenario.key: measure(scenario) for scenario in PAGES}


# --- the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, session: str = "", timeout: float = 60) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"} if session else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _shared_cache() -> str | None:
    """The cache both workers share, as in production: Redis (``BENCH_CACHE_URL``, emptied
    first so that no dashboard kept by an earlier run is served). It holds the sessions
    (``cached_db``), the dashboard's figures and Wagtail's site root paths; without it each
    worker has its own in-memory cache and the sessions are read from the database."""
    url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except Exception as error:  # any failure means: no shared cache
        print(f"load: no shared cache at {url} ({error}); caches are per process", flush=True)
        return None
    return url


def _start_server(port: int, timeout: float, log: Path, cache_url: str | None) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    if cache_url:
        env["CACHE_URL"] = cache_url
    else:
        env.pop("CACHE_URL", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "lms.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=sync",
        # Longer than Locust's own timeout, so a slow page is a slow response, not a killed
        # worker and a reset connection.
        f"--timeout={int(timeout) + 30}",
        "--graceful-timeout=5",
        "--log-level=warning",
        f"--error-logfile={log}",
    ]
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)


def _wait_ready(server: subprocess.Popen, port: int, log: Path, deadline: float = 90) -> None:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"load: gunicorn exited ({server.returncode}):\n{_tail(log)}")
        try:
            if _get(port, "/bench/bare/", timeout=5) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"load: gunicorn not ready after {deadline:.0f} s:\n{_tail(log)}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # graceful: the workers finish their request
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _workers_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the gunicorn master's worker processes have used so far (Linux /proc; 0
    elsewhere). Less sensitive to other work on the machine than the wall-clock figures."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == server.pid:  # ppid; utime and stime follow at 11 and 12
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _warm_up(port: int, people: dict[str, list[dict]], timeout: float) -> None:
    """A few requests per page, concurrently so that both workers compile their templates and
    open their database connection before anything is measured. A page that does not answer
    200 here stops the benchmark before the long runs."""
    jobs = []
    for scenario in SCENARIOS:
        if scenario is DASHBOARD_FRESH:  # the first dashboard request computes it already
            continue
        group = people[scenario.key]
        n = WORKERS if scenario is DASHBOARD else 2 * WORKERS
        jobs += [(scenario, group[i % len(group)]) for i in range(n)]

    def fetch(job):
        scenario, person = job
        try:
            return scenario, _get(port, person["url"], person["session"], timeout)
        except OSError as error:  # a timeout: raise --load-timeout for a slow page
            return scenario, repr(error)

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(fetch, jobs))
    bad = {scenario.name: status for scenario, status in results if status != 200}
    if bad:
        raise RuntimeError(f"load: warm-up requests did not answer 200: {bad}")


# --- Locust -------------------------------------------------------------------------------


def _run_locust(
    scenario: Scenario,
    *,
    port: int,
    users: int,
    seconds: int,
    timeout: float,
    sessions: Path,
    workdir: Path,
    run: str,
    classes: tuple[str, ...] | None = None,
    write_pace: float = 1.0,
) -> Stats:
    """One Locust run of ``classes`` (the scenario's user class by default; the writers'
    classes take one user each); the scenario's figures, with every request name's in
    ``entries``."""
    classes = classes or (scenario.user_class,)
    prefix = workdir / run
    log = workdir / f"{run}.log"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        f"--host=http://127.0.0.1:{port}",
        f"--users={users}",
        f"--spawn-rate={users}",
        f"--run-time={seconds}s",
        f"--csv={prefix}",
        f"--json-file={prefix}",
        "--only-summary",
        # Let the request in flight at the end finish (a dashboard computed afresh at 10,000
        # trainees takes seconds: cut off, it would not be counted at all).
        f"--stop-timeout={int(timeout)}",
        "--exit-code-on-error=0",
        "--loglevel=WARNING",
        *classes,
    ]
    env = {
        **os.environ,
        "BENCH_LOAD_SESSIONS": str(sessions),
        "BENCH_LOAD_TIMEOUT": str(timeout),
        "BENCH_LOAD_WRITE_PACE": str(write_pace),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open(log, "wb") as out:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=seconds * 3 + 120,
        )
    if done.returncode != 0:
        raise RuntimeError(f"load: locust exited {done.returncode}:\n{_tail(log)}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = log.read_text(errors="replace")
    entries = _parse_all(prefix, text)
    stats = entries.get(scenario.name) or _nothing(scenario.name)
    stats.entries = entries
    used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    stats.locust_cores = used / (time.monotonic() - started)
    return stats


def _percentile(histogram: dict[float, int], fraction: float) -> float:
    """The response time that ``fraction`` of the requests finished within (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return float("nan")
    rank = math.ceil(fraction * total)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def _nothing(name: str) -> Stats:
    nan = float("nan")
    return Stats(0, 0, 0.0, nan, nan, nan, [f"{name}: no request completed"], False)


def _of(histogram: dict[float, int], requests: int, failures: int, seconds: float, errors, cpu):
    return Stats(
        requests=requests,
        failures=failures,
        rps=requests / seconds if seconds > 0 else 0.0,
        p50=_percentile(histogram, 0.50),
        p95=_percentile(histogram, 0.95),
        p99=_percentile(histogram, 0.99),
        errors=errors,
        cpu_warning=cpu,
        histogram=histogram,
        seconds=seconds,
    )


def _parse_all(prefix: Path, log: str) -> dict[str, Stats]:
    """Figures of one run per request name from Locust's JSON (written at exit, so complete;
    its CSV is refreshed once a second and misses the last one), error messages from the
    failures CSV. Each name's throughput is over the run's whole span (its first to last
    request of any name), so a name asked rarely is not credited with a short span of its
    own."""
    with open(f"{prefix}.json") as handle:
        entries = {entry["name"]: entry for entry in json.load(handle)}
    errors: dict[str, list[str]] = {}
    with open(f"{prefix}_failures.csv", newline="") as handle:
        for failure in csv.DictReader(handle):
            errors.setdefault(failure["Name"], []).append(
                f"{failure['Occurrences']}x {failure['Error']}"
            )
    starts = [e["start_time"] for e in entries.values()]
    ends = [e["last_request_timestamp"] or e["start_time"] for e in entries.values()]
    span = (max(ends) - min(starts)) if entries else 0.0
    result = {}
    for name, entry in entries.items():
        # Locust keeps response times rounded (2 significant digits above 100 ms) in a histogram.
        histogram = {float(ms): count for ms, count in entry["response_times"].items()}
        result[name] = _of(
            histogram,
            entry["num_requests"],
            entry["num_failures"],
            span,
            errors.get(name, []),
            "CPU usage" in log,
        )
    return result


def _merged(runs: list[Stats]) -> Stats:
    """Several runs' figures of one request name as one: requests over the summed spans, the
    percentiles of the summed histograms."""
    histogram: dict[float, int] = {}
    for stats in runs:
        for ms, count in stats.histogram.items():
            histogram[ms] = histogram.get(ms, 0) + count
    return _of(
        histogram,
        sum(s.requests for s in runs),
        sum(s.failures for s in runs),
        sum(s.seconds for s in runs),
        [error for s in runs for error in s.errors],
        any(s.cpu_warning for s in runs),
    )


# --- the benchmark ------------------------------------------------------------------------


def bench_load(args) -> None:
    quick = getattr(args, "quick", False)
    seconds = getattr(args, "load_seconds", None) or (5 if quick else 60)
    users = getattr(args, "load_users", None) or 2 * WORKERS
    dashboard_users = getattr(args, "load_dashboard_users", None) or WORKERS
    timeout = float(getattr(args, "load_timeout", None) or 60)
    rounds = getattr(args, "load_rounds", None) or (1 if quick else 3)
    pace = getattr(args, "load_write_pace", None)
    pace = WRITE_PACE if pace is None else pace

    people = _people(10 if quick else 40)
    writers = None
    snapshot = None
    try:
        writers = _writer_people(5 if quick else 20, people)
        snapshot = load_writes.Snapshot.take(writers)
        print(
            f"load: gunicorn {WORKERS} sync workers, Locust {users} users back to back "
            f"({dashboard_users} on the dashboard, 1 on the dashboard afresh), {seconds} s per "
            f"scenario, {rounds} round(s); {len(people[TRAINEE_HOME.key])} trainees, "
            f"{len(people[GRADING.key])} mentors; beside every scenario one user per write "
            f"({', '.join(WRITER_CLASSES)}), one round of each per {pace:g} s; every page "
            "rendered on every request",
            flush=True,
        )
        cache_url = _shared_cache()
        costs = _in_process(people, cache_url, requests=5 if quick else 10)
        if cache_url:
            _shared_cache()  # the server starts with nothing kept from the lines above
        results = _measure(
            people,
            writers,
            cache_url=cache_url,
            seconds=seconds,
            users=users,
            dashboard_users=dashboard_users,
            timeout=timeout,
            rounds=rounds,
            pace=pace,
        )
    finally:
        if snapshot is not None:
            cleaned = snapshot.restore()
            print(
                "load: cleanup: " + ", ".join(f"{n} {what}" for what, n in cleaned.items()),
                flush=True,
            )
        keys = [p["session"] for group in people.values() for p in group if p["session"]]
        if writers is not None:
            keys += [p["session"] for group in writers.people.values() for p in group]
        _forget(keys)

    _report(results, costs, users=users, dashboard_users=dashboard_users, pace=pace)
    failed = {}
    for run, stats in results.items():
        for name, entry in stats.entries.items():
            if entry.failures:
                failed[f"{run}: {name}"] = (
                    f"{entry.failures} of {entry.requests} failed: {'; '.join(entry.errors[:3])}"
                )
        if not stats.requests:
            failed[run] = "no request completed"
        if run != "writes" and not run.startswith("bare"):
            # Every write went on beside every page (a writer without a round fails it).
            for name in WRITE_NAMES:
                if name not in stats.entries:
                    failed[f"{run}: {name}"] = "no write completed"
    if failed:
        raise RuntimeError(f"load: requests failed: {failed}")


def _runs(rounds: int) -> list[tuple[str, Scenario]]:
    """Interleaved: each round the bare view, every page, the dashboard cached and afresh, the
    writers alone; the bare view once more at the end, so each round's floor is the mean of
    the bare runs either side of it."""
    runs = []
    for r in range(1, rounds + 1):
        runs.append((f"bare-{r}", BARE))
        runs += [(f"{s.key}-{r}", s) for s in (*PAGES, DASHBOARD, DASHBOARD_FRESH)]
        runs.append((f"writes-{r}", WRITES))
    runs.append((f"bare-{rounds + 1}", BARE))
    return runs


def _measure(
    people: dict[str, list[dict]],
    writers: load_writes.Writers,
    *,
    cache_url: str | None,
    seconds: int,
    users: int,
    dashboard_users: int,
    timeout: float,
    rounds: int = 1,
    pace: float = 1.0,
) -> dict[str, Stats]:
    """Start gunicorn, warm it up, run every scenario through Locust with the writers beside
    it (the bare view too, so its floor pays the same background), stop gunicorn."""
    results: dict[str, Stats] = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        sessions = workdir / "sessions.json"
        sessions.write_text(
            json.dumps(
                {
                    "cookie": settings.SESSION_COOKIE_NAME,
                    "csrf_cookie": settings.CSRF_COOKIE_NAME,
                    "time_zone": settings.TIME_ZONE,
                    **{s.key: {"name": s.name, "people": people[s.key]} for s in SCENARIOS},
                    **{w.key: {"names": w.steps, "people": writers.people[w.key]} for w in WRITERS},
                }
            )
        )
        port = _free_port()
        server_log = workdir / "gunicorn.log"
        server = _start_server(port, timeout, server_log, cache_url)
        try:
            _wait_ready(server, port, server_log)
            _warm_up(port, people, timeout)
            for run, scenario in _runs(rounds):
                if scenario is WRITES:
                    classes, n, run_pace = WRITER_CLASSES, len(WRITERS), 0.0
                else:
                    readers = 1 if scenario is DASHBOARD_FRESH else users
                    if scenario is DASHBOARD:
                        readers = dashboard_users
                    classes = (scenario.user_class, *WRITER_CLASSES)
                    n, run_pace = readers + len(WRITERS), pace
                cpu_before = _workers_cpu(server)
                stats = results[run] = _run_locust(
                    scenario,
                    port=port,
                    users=n,
                    seconds=seconds,
                    timeout=timeout,
                    sessions=sessions,
                    workdir=workdir,
                    run=run,
                    classes=classes,
                    write_pace=run_pace,
                )
                if stats.requests:
                    used = _workers_cpu(server) - cpu_before
                    stats.server_cpu_ms = 1000 * used / stats.requests
                writes = sum(stats.entries[w].requests for w in WRITE_NAMES if w in stats.entries)
                print(
                    f"  {run:<22} {stats.requests:>7} requests {stats.rps:>8.1f} req/s  "
                    f"{stats.latencies()}  {stats.failures} failed; {writes} writes beside; "
                    f"server CPU {stats.server_cpu_ms:.1f} ms/request (writes included), "
                    f"Locust {stats.locust_cores:.2f} cores",
                    flush=True,
                )
        finally:
            _stop(server)
            if server.returncode not in (0, -signal.SIGTERM):
                print(f"load: gunicorn exited {server.returncode}:\n{_tail(server_log)}")
    return results


def _forget(session_keys: list[str]) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    for key in session_keys:
        engine.SessionStore(session_key=key).delete()


def _rounds_of(results: dict[str, Stats], key: str) -> list[Stats]:
    return [stats for run, stats in results.items() if run.rsplit("-", 1)[0] == key]


def _report(
    results: dict[str, Stats],
    costs: dict[str, Cost],
    *,
    users: int,
    dashboard_users: int,
    pace: float = 1.0,
) -> None:
    bare = _rounds_of(results, "bare")
    # Round r's floor: the mean of the bare runs before and after it.
    floor_rps = [statistics.mean([a.rps, b.rps]) for a, b in itertools.pairwise(bare)]
    floor_ms = Timing.of([1000 / rps for rps in floor_rps])
    cpu = " Locust CPU-bound (its own warning)" if any(b.cpu_warning for b in bare) else ""
    report(
        "load: bare view (floor), ms/request",
        floor_ms,
        floor_ms,
        unit="ms",
        extra=f"{1000 / floor_ms.median:.0f} req/s (each bare run: "
        f"{', '.join(f'{b.rps:.0f}' for b in bare)}); p95 "
        f"{', '.join(f'{b.p95:.0f}' for b in bare)} ms with {users} users and the writers "
        f"beside; server CPU {bare[0].server_cpu_ms:.1f} ms/request (writes included); "
        f"Locust used {bare[0].locust_cores:.2f} of the 2 cores.{cpu}",
    )
    for scenario in PAGES:
        runs = _rounds_of(results, scenario.key)
        ms = Timing.of([s.ms_per_request for s in runs])
        p95 = Timing.of([s.p95 for s in runs])
        shares = [100 * s.rps / f for s, f in zip(runs, floor_rps, strict=False)]
        report(
            f"load: {scenario.name}, ms/request",
            ms,
            floor_ms,
            unit="ms",
            target=THROUGHPUT_TARGET,
            extra=f"{1000 / ms.median:.1f} req/s = {statistics.median(shares):.1f}% "
            f"[{min(shares):.1f}–{max(shares):.1f}] of the bare view (target >= 10%, i.e. "
            f"ratio <= {THROUGHPUT_TARGET:g}), rendered on every request, writes beside; p95 "
            f"{p95} ms with {users} users; server CPU "
            f"{statistics.median(s.server_cpu_ms for s in runs):.1f} ms/request (writes "
            f"included). In process: {costs[scenario.key]}",
        )
    bare_p95 = Timing.of([max(b.p95, 1.0) for b in bare])
    for scenario, n in ((DASHBOARD, dashboard_users), (DASHBOARD_FRESH, 1)):
        runs = _rounds_of(results, scenario.key)
        p95 = Timing.of([s.p95 for s in runs])
        what = "from the cache" if scenario is DASHBOARD else "computed afresh (?refresh=1)"
        report(
            f"load: {scenario.name} p95, ms",
            p95,
            bare_p95,
            unit="ms",
            extra=f"the page {what}, {n} user(s) back to back, writes beside; floor: the bare "
            f"view's p95; {', '.join(s.latencies() for s in runs)}; "
            f"{sum(s.requests for s in runs)} requests, "
            f"{statistics.median(s.rps for s in runs):.2f} req/s",
        )
    for name in WRITE_NAMES:
        beside = [
            stats.entries[name]
            for run, stats in results.items()
            if not run.startswith(("bare", "writes")) and name in stats.entries
        ]
        alone = [s.entries[name] for s in _rounds_of(results, "writes") if name in s.entries]
        if not alone:
            continue
        ms = Timing.of([s.ms_per_request for s in alone])
        mixed = _merged(beside) if beside else None
        during = (
            f"beside the pages (one round per {pace:g} s per writer): {mixed.requests} "
            f"requests, p95 {mixed.p95:.0f} ms ({mixed.latencies()}); "
            if mixed
            else ""
        )
        report(
            f"load: {name}, ms/request",
            ms,
            floor_ms,
            unit="ms",
            extra=f"{during}the writers alone, back to back: {1000 / ms.median:.1f} req/s of this "
            f"write, p95 {Timing.of([s.p95 for s in alone])} ms",
        )
