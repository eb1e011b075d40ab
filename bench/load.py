"""Benchmark 5: the site under load, against a bare Django view in the same run.

gunicorn serves the real site (``bench.settings``: DEBUG off, persistent connections) with two
sync workers on a free loopback port; Locust, headless in a second process, sends requests back
to back from signed-in users, one scenario at a time: the bare view (the floor), a trainee's
home ("My onboarding"), the stage they work on, a mentor's grading queue, the mentor's home
("My mentees"), the director's dashboard, and the bare view again (the floor is the mean of the
two bare runs, so drift from other work on the machine shows). Every page is rendered on every
request: nothing but the dashboard keeps what it computed.

Throughput is reported as server time per request at saturation (1000 / requests per second):
the ratio to the bare view's is then "how many times slower than the bare view", and the
issue's "at least 40% of the bare view's throughput" is a ratio of at most 2.5. The dashboard's
p95 is reported against the bare view's p95, with the ratio target derived from the absolute
300 ms target so that the check reads the same. Each page's row also gives its p95 and what it
costs in this process through the test client (queries and CPU milliseconds per request). Any
failed request fails the benchmark, after every row is printed.

No one logs in during the run: Argon2 is slow on purpose, so the sessions are created here
with the session store and handed to Locust in a JSON file (and deleted afterwards).
"""

from __future__ import annotations

import csv
import http.client
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
from dataclasses import dataclass
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

from bench.common import report
from courses import selectors as course_selectors
from courses.models import Enrollment
from mentors.models import Mentorship
from people.roles import Role
from quizzes.models import Attempt

ROOT = Path(__file__).resolve().parents[1]
WORKERS = 2
THROUGHPUT_TARGET = 2.5  # at least 40% of the bare view's requests per second
DASHBOARD_P95_TARGET_MS = 300.0


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
PAGES = (TRAINEE_HOME, STAGE, GRADING, MENTEES)
SCENARIOS = (BARE, *PAGES, DASHBOARD)


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
        DASHBOARD.key: [{"session": _sign_in(director), "url": reverse("dashboard")}],
    }


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
) -> Stats:
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
        "--exit-code-on-error=0",
        "--loglevel=WARNING",
        scenario.user_class,
    ]
    env = {
        **os.environ,
        "BENCH_LOAD_SESSIONS": str(sessions),
        "BENCH_LOAD_TIMEOUT": str(timeout),
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
    stats = _parse(prefix, scenario.name, log.read_text(errors="replace"))
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


def _parse(prefix: Path, name: str, log: str) -> Stats:
    """Figures of one run from Locust's JSON (written at exit, so complete; its CSV is refreshed
    once a second and misses the last one), error messages from the failures CSV."""
    with open(f"{prefix}.json") as handle:
        entries = {entry["name"]: entry for entry in json.load(handle)}
    entry = entries.get(name)
    if entry is None:
        nothing = float("nan")
        return Stats(0, 0, 0.0, nothing, nothing, nothing, ["no request completed"], False)
    # Locust keeps response times rounded (to 2 significant digits above 100 ms) in a histogram.
    histogram = {float(ms): count for ms, count in entry["response_times"].items()}
    elapsed = (entry["last_request_timestamp"] or entry["start_time"]) - entry["start_time"]
    errors = []
    with open(f"{prefix}_failures.csv", newline="") as handle:
        for failure in csv.DictReader(handle):
            errors.append(f"{failure['Occurrences']}x {failure['Error']}")
    return Stats(
        requests=entry["num_requests"],
        failures=entry["num_failures"],
        rps=entry["num_requests"] / elapsed if elapsed > 0 else 0.0,
        p50=_percentile(histogram, 0.50),
        p95=_percentile(histogram, 0.95),
        p99=_percentile(histogram, 0.99),
        errors=errors,
        cpu_warning="CPU usage" in log,
    )


# --- the benchmark ------------------------------------------------------------------------


def bench_load(args) -> None:
    quick = getattr(args, "quick", False)
    seconds = getattr(args, "load_seconds", None) or (5 if quick else 60)
    users = getattr(args, "load_users", None) or 2 * WORKERS
    dashboard_users = getattr(args, "load_dashboard_users", None) or WORKERS
    timeout = float(getattr(args, "load_timeout", None) or 60)

    people = _people(10 if quick else 40)
    print(
        f"load: gunicorn {WORKERS} sync workers, Locust {users} users back to back "
        f"({dashboard_users} on the dashboard), {seconds} s per scenario; "
        f"{len(people[TRAINEE_HOME.key])} trainees, {len(people[GRADING.key])} mentors; "
        "every page rendered on every request",
        flush=True,
    )
    try:
        cache_url = _shared_cache()
        costs = _in_process(people, cache_url, requests=5 if quick else 10)
        if cache_url:
            _shared_cache()  # the server starts with nothing kept from the lines above
        results = _measure(
            people,
            cache_url=cache_url,
            seconds=seconds,
            users=users,
            dashboard_users=dashboard_users,
            timeout=timeout,
        )
    finally:
        _forget([p["session"] for group in people.values() for p in group if p["session"]])

    _report(results, costs, users=users, dashboard_users=dashboard_users)
    failed = {
        run: f"{stats.failures} of {stats.requests} failed: {'; '.join(stats.errors[:3])}"
        for run, stats in results.items()
        if stats.failures or not stats.requests
    }
    if failed:
        raise RuntimeError(f"load: requests failed: {failed}")


def _measure(
    people: dict[str, list[dict]],
    *,
    cache_url: str | None,
    seconds: int,
    users: int,
    dashboard_users: int,
    timeout: float,
) -> dict[str, Stats]:
    """Start gunicorn, warm it up, run every scenario through Locust, stop gunicorn."""
    results: dict[str, Stats] = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        sessions = workdir / "sessions.json"
        sessions.write_text(
            json.dumps(
                {
                    "cookie": settings.SESSION_COOKIE_NAME,
                    **{s.key: {"name": s.name, "people": people[s.key]} for s in SCENARIOS},
                }
            )
        )
        port = _free_port()
        server_log = workdir / "gunicorn.log"
        server = _start_server(port, timeout, server_log, cache_url)
        try:
            _wait_ready(server, port, server_log)
            _warm_up(port, people, timeout)
            measured = (*PAGES, DASHBOARD)
            runs = [("bare-1", BARE), *[(s.key, s) for s in measured], ("bare-2", BARE)]
            for run, scenario in runs:
                cpu_before = _workers_cpu(server)
                stats = results[run] = _run_locust(
                    scenario,
                    port=port,
                    users=dashboard_users if scenario is DASHBOARD else users,
                    seconds=seconds,
                    timeout=timeout,
                    sessions=sessions,
                    workdir=workdir,
                    run=run,
                )
                if stats.requests:
                    used = _workers_cpu(server) - cpu_before
                    stats.server_cpu_ms = 1000 * used / stats.requests
                print(
                    f"  {run:<22} {stats.requests:>7} requests {stats.rps:>8.1f} req/s  "
                    f"{stats.latencies()}  {stats.failures} failed; server CPU "
                    f"{stats.server_cpu_ms:.1f} ms/request, Locust {stats.locust_cores:.2f} cores",
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


def _report(
    results: dict[str, Stats], costs: dict[str, Cost], *, users: int, dashboard_users: int
) -> None:
    first, last = results["bare-1"], results["bare-2"]
    bare_rps = statistics.mean([first.rps, last.rps])
    bare_ms = 1000 / bare_rps
    cpu = " Locust CPU-bound (its own warning)" if first.cpu_warning or last.cpu_warning else ""
    report(
        "load: bare view (floor), ms/request",
        bare_ms,
        bare_ms,
        unit="ms",
        extra=f"{bare_rps:.0f} req/s (first {first.rps:.0f}, last {last.rps:.0f}); "
        f"{first.latencies()} with {users} users; server CPU {first.server_cpu_ms:.1f} ms/request; "
        f"Locust used {first.locust_cores:.2f} of the 2 cores.{cpu}",
    )
    for scenario in (*PAGES, DASHBOARD):
        stats = results[scenario.key]
        share = 100 * stats.rps / bare_rps
        if scenario in PAGES:
            extra = (
                f"{stats.rps:.1f} req/s = {share:.1f}% of the bare view (target >= 40%, i.e. "
                f"ratio <= {THROUGHPUT_TARGET}), rendered on every request; p95 "
                f"{stats.p95:.0f} ms ({stats.latencies()}) with {users} users; "
                f"{stats.server_cpu_ms:.1f} ms of server CPU per request. In process: "
                f"{costs[scenario.key]}"
            )
        else:
            extra = (
                f"{stats.rps:.2f} req/s = {share:.1f}% of the bare view, {dashboard_users} users; "
                f"{stats.server_cpu_ms:.0f} ms of server CPU per request"
            )
        report(
            f"load: {scenario.name}, ms/request",
            stats.ms_per_request,
            bare_ms,
            unit="ms",
            target=THROUGHPUT_TARGET if scenario in PAGES else None,
            extra=extra,
        )
    dashboard = results[DASHBOARD.key]
    floor = max(first.p95, 1.0)
    report(
        "load: dashboard p95",
        dashboard.p95,
        floor,
        unit="ms",
        target=round(DASHBOARD_P95_TARGET_MS / floor, 2),
        extra=f"target p95 < {DASHBOARD_P95_TARGET_MS:.0f} ms (absolute); floor: the bare view's "
        f"p95; {dashboard.latencies()}, {dashboard.requests} requests, {dashboard_users} users",
    )
