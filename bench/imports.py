"""Benchmarks 4 and 6: importing activities (CSV and API) against COPY of the resolved rows,
with and without the summary trigger, and its memory."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import django
from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.common import (
    ROUNDS,
    Timing,
    report,
    report_memory_growth,
    sql,
    timed,
)
from courses.models import Enrollment
from mentors import jobs
from mentors.activity_summary import ACTIVITY, SUMMARY
from mentors.importing import import_csv
from mentors.models import Activity, BonusStatement, ImportJob

ROOT = Path(__file__).resolve().parents[1]


HEADER = ["trainee_email", "kind", "occurred_at", "source", "external_id", "amount", "note"]


def _csv_rows(n: int, emails: list[str], source: str = "bench"):
    zone = django.conf.settings.TIME_ZONE
    from zoneinfo import ZoneInfo

    now = timezone.now().astimezone(ZoneInfo(zone)).replace(microsecond=0)
    run = uuid.uuid4().hex[:8]
    for i in range(n):
        yield [
            emails[i % len(emails)],
            "call",
            (now - timezone.timedelta(minutes=1 + i % 20000)).isoformat(),
            source,
            f"{run}-{i}",
            "",
            "",
        ]


def _write_csv(rows) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
        return handle.name


class _RolledBack(Exception):
    pass


RESOLVED_COLUMNS = (
    "enrollment_id, kind, occurred_at, source, external_id, note, decision_maker_reached, "
    "before_certification, created_at"
)


def resolve_file(path: str) -> str:
    """The floor's input, written before it is timed: the CSV's rows already resolved to what
    the activity table holds (e-mail → the open enrollment's id), as COPY reads them."""
    open_ids = dict(
        Enrollment.objects.open().values_list("trainee__email", "pk").order_by("trainee__email")
    )
    now = timezone.now().isoformat()
    with (
        open(path, newline="") as source,
        tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as out,
    ):
        reader = csv.reader(source)
        next(reader)
        writer = csv.writer(out)
        for email, kind, occurred_at, src, external_id, _amount, _note in reader:
            writer.writerow(
                [open_ids[email], kind, occurred_at, src, external_id, "", "f", "f", now]
            )
        return out.name


def copy_floor(resolved: str, *, summary_trigger: bool) -> None:
    """A floor: PostgreSQL's plain COPY of the already-resolved rows into the activity table
    itself, with what an import pays for there: its indexes (the unique (source, external_id)
    one among them), the check constraints and the foreign keys (deferred until commit, so
    SET CONSTRAINTS ALL IMMEDIATE runs them here). With ``summary_trigger`` the statement-level
    trigger that keeps the per-day summary runs too (the import always pays it); without, it
    is disabled for the transaction. The transaction is rolled back; VACUUM (not timed, in
    ``_measure_floor``) clears the dead rows.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if not summary_trigger:
                cursor.execute(f"ALTER TABLE {ACTIVITY} DISABLE TRIGGER {SUMMARY}_insert")
            with (
                open(resolved) as source,
                cursor.cursor.copy(
                    f"COPY {ACTIVITY} ({RESOLVED_COLUMNS}) FROM STDIN "
                    "WITH (FORMAT csv, FORCE_NOT_NULL (note))"
                ) as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            raise _RolledBack
    except _RolledBack:
        pass


def _measure_floors(path: str) -> tuple[Timing, Timing]:
    """(the plain COPY, the COPY with the summary trigger), three rounds each, interleaved
    after one round not timed (the first COPY of a file pays for the cold caches: measured
    first, the plain COPY came out slower than the one with the trigger)."""
    resolved = resolve_file(path)
    plain, with_trigger = [], []
    try:
        for n in range(ROUNDS + 1):
            for times, trigger in ((plain, False), (with_trigger, True)):
                sql(f"VACUUM {ACTIVITY}")
                started = time.perf_counter()
                copy_floor(resolved, summary_trigger=trigger)
                if n:  # round 0 warms up
                    times.append(time.perf_counter() - started)
        sql(f"VACUUM {ACTIVITY}")
    finally:
        os.unlink(resolved)
    return Timing.of(plain), Timing.of(with_trigger)


def _forget(source: str) -> None:
    """Delete what a round imported (not timed), so the next round imports the same rows."""
    Activity.objects.filter(source=source).delete()
    sql(f"VACUUM ANALYZE {ACTIVITY}")


def bench_import(args) -> None:
    enrollments = Enrollment.objects.open().filter(
        hire_date__lte=timezone.localdate() - timezone.timedelta(days=30)
    )
    emails = list(enrollments.values_list("trainee__email", flat=True)[:200])
    path = _write_csv(_csv_rows(args.csv_rows, emails))
    plain, with_trigger = _measure_floors(path)
    # Warm-up, not timed: a few other rows take the same path once (first queries, COPY).
    warm_up = io.StringIO()
    csv.writer(warm_up).writerows([HEADER, *_csv_rows(10, emails)])
    import_csv(io.BytesIO(warm_up.getvalue().encode()), enrollments=Enrollment.objects.open())

    def one_import():
        with open(path, "rb") as handle:
            result = import_csv(handle, enrollments=Enrollment.objects.open(), recorded_by=None)
        assert result.ok, result.errors[:3]
        return Activity.objects.filter(source="bench").count()

    value, created = timed(one_import, setup=lambda: _forget("bench"))
    extra = f"{created:,} rows created"
    # Issue #19's target: within 1.5x of plain COPY (the trigger's floor is reported beside).
    report("CSV import (floor: plain COPY)", value, plain, target=1.5, extra=extra)
    report("CSV import (floor: COPY + summary trigger)", value, with_trigger, extra=extra)
    os.unlink(path)

    # The same rows through the REST API in 5,000-item batches, against the same floors
    # measured again on the table as it is now.
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    robot, _ = get_user_model().objects.get_or_create(username="bench-integration")
    robot.user_permissions.add(Permission.objects.get(codename="add_activity"))
    token, _ = Token.objects.get_or_create(user=robot)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = _write_csv(_csv_rows(args.csv_rows, emails, source="bench-api"))
    plain, with_trigger = _measure_floors(path)
    # Warm-up, not timed: an empty batch takes the request's whole path once.
    warm_up = client.post("/api/v1/activities/", "[]", content_type="application/json")
    assert warm_up.status_code == 201, warm_up.content[:300]
    # Only the requests are timed: building and encoding the JSON is the client's work.
    times, created = [], 0
    for _ in range(ROUNDS):
        _forget("bench-api")
        spent, created = 0.0, 0
        for body in _api_bodies(path):
            started = time.perf_counter()
            response = client.post("/api/v1/activities/", body, content_type="application/json")
            spent += time.perf_counter() - started
            assert response.status_code == 201, response.content[:300]
            created += response.json()["created"]
        times.append(spent)
    os.unlink(path)
    value = Timing.of(times)
    report(
        "API import, 5,000-item batches",
        value,
        with_trigger,
        # The target is set for the CSV import and the job; this figure is reported.
        target=None,
        extra=f"{created:,} rows created; floor: COPY + summary trigger; no target set",
    )


def bench_job(args) -> None:
    """The CSV upload as a background job run by a real worker (``bench_import_job``)."""
    enrollments = Enrollment.objects.open().filter(
        hire_date__lte=timezone.localdate() - timezone.timedelta(days=30)
    )
    emails = list(enrollments.values_list("trainee__email", flat=True)[:200])
    bench_import_job(args.csv_rows, emails)


# The broker of the benchmark's worker: a real one, as production's (the rest of bench/run.py
# publishes to memory://, which nobody consumes).
WORKER_BROKER_URL = os.environ.get("BENCH_WORKER_BROKER_URL", "redis://127.0.0.1:6379/4")
WORKER_READY_SECONDS = 90
JOB_POLL_SECONDS = 0.05


def makefile_queues() -> str:
    """The queues `make run` and `make worker` consume: the Makefile's QUEUES."""
    for line in (ROOT / "Makefile").read_text().splitlines():
        name, sep, value = line.partition("?=")
        if sep and name.strip() == "QUEUES":
            return value.strip()
    raise RuntimeError("The Makefile sets no QUEUES")


@contextmanager
def real_worker(broker_url: str = WORKER_BROKER_URL):
    """A Celery worker process started as `make run` starts one (its pool, concurrency and
    queues; no beat), on ``broker_url``, with this process publishing there meanwhile; the
    worker is stopped by its PID afterwards (a warm shutdown, then a kill if it hangs).
    Yields the worker's PID. The queues are purged first: a message left by an earlier,
    interrupted run must not land in the figure."""
    env = {**os.environ, "CELERY_BROKER_URL": broker_url, "CELERY_TASK_ALWAYS_EAGER": "0"}
    queues = makefile_queues()
    celery = str(Path(sys.executable).with_name("celery"))
    subprocess.run(
        [celery, "-A", "lms", "purge", "-f", "-Q", queues],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="bench-worker-") as log:
        worker = subprocess.Popen(
            [
                *(celery, "-A", "lms", "worker", "--pool=threads", "--concurrency=2"),
                *("--loglevel=info", "-Q", queues, "-n", f"bench-import-{uuid.uuid4().hex[:8]}@%h"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(worker, log.name)
            with _publishing_to(broker_url):
                yield worker.pid
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _wait_ready(worker: subprocess.Popen, log: str) -> None:
    deadline = time.monotonic() + WORKER_READY_SECONDS
    while time.monotonic() < deadline:
        text = Path(log).read_text(errors="replace")
        if " ready." in text:
            return
        if worker.poll() is not None:
            raise RuntimeError(f"The benchmark's worker exited: {text[-2000:]}")
        time.sleep(0.2)
    raise RuntimeError(f"The benchmark's worker was not ready in {WORKER_READY_SECONDS} s")


@contextmanager
def _publishing_to(broker_url: str):
    """This process's tasks published to ``broker_url`` meanwhile, not run inline: the app's
    connection and producer pools are rebuilt for it, then for the former broker. (Celery
    reads the broker's URL from the environment's CELERY_BROKER_URL before its settings.)"""
    app = current_app
    former = os.environ.get("CELERY_BROKER_URL"), app.conf.broker_url, app.conf.task_always_eager

    def switch(env_url: str | None, url: str, eager: bool) -> None:
        if env_url is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = env_url
        app.conf.broker_url, app.conf.task_always_eager = url, eager
        app._pool = None
        app.amqp._producer_pool = None

    switch(broker_url, broker_url, False)
    try:
        yield
    finally:
        switch(*former)


def follow_up_pending(enrollment_ids) -> bool:
    """Whether the statements an import flagged (services.statements_schedule_recompute)
    still wait for their recomputation: the computation clears ``needs_recompute``."""
    return BonusStatement.objects.filter(
        mentorship__enrollment_id__in=list(enrollment_ids), needs_recompute=True
    ).exists()


def job_through_worker(path: str, *, timeout: float) -> tuple[float, float, ImportJob]:
    """An upload's path as the upload page takes it (``job_create``: the file stored and
    checked, the task enqueued on commit), run by the worker; returns the seconds until the
    job is done, until the follow-up recomputation of the statements it touched is finished
    too, and the job."""
    started = time.perf_counter()
    with open(path, "rb") as handle:
        job = jobs.job_create(
            kind=ImportJob.Kind.UPLOAD,
            fmt="csv",
            file=File(handle, name="bench.csv"),
            started_by=None,
        )
    deadline = time.monotonic() + timeout
    while not job.is_finished:
        _wait(deadline, f"import job {job.pk} ({job.status}, {job.rows_done:,} rows done)")
        job.refresh_from_db()
    done = time.perf_counter() - started
    assert job.status == ImportJob.Status.DONE, (job.status, job.message, job.errors[:3])
    while follow_up_pending(job.enrollment_ids):
        _wait(deadline, f"the recomputation after import job {job.pk}")
    return done, time.perf_counter() - started, job


def _wait(deadline: float, what: str) -> None:
    if time.monotonic() > deadline:
        raise RuntimeError(f"Timed out waiting for {what}")
    time.sleep(JOB_POLL_SECONDS)


def _job_timeout(rows: int) -> float:
    return 120 + rows / 1000  # generous: a stuck worker fails the benchmark, not hangs it


def bench_import_job(rows: int, emails: list[str]) -> None:
    """The upload's path since imports became background jobs (mentors/jobs.py), measured as
    a user waits for it: from the job's creation (the file stored and checked, as the upload
    page does) until a real worker has run it (every row checked, then written in committed
    chunks: all or nothing, the upload page's default) and the statements of the trainees it
    touched are recomputed. Against the plain COPY floor and the COPY with the summary
    trigger, measured in the same run, interleaved with the job's rounds."""
    path = _write_csv(_csv_rows(rows, emails, source="bench-job"))
    resolved = resolve_file(path)
    plain, with_trigger, totals, dones, created = [], [], [], [], 0
    try:
        with real_worker():
            warm_up = _write_csv(_csv_rows(10, emails, source="bench-job"))
            job_through_worker(warm_up, timeout=_job_timeout(10))  # not timed
            os.unlink(warm_up)
            _forget("bench-job")
            for n in range(ROUNDS + 1):
                for times, trigger in ((plain, False), (with_trigger, True)):
                    sql(f"VACUUM {ACTIVITY}")
                    started = time.perf_counter()
                    copy_floor(resolved, summary_trigger=trigger)
                    if n:  # round 0 warms up the floors
                        times.append(time.perf_counter() - started)
                if n:
                    done, total, job = job_through_worker(path, timeout=_job_timeout(rows))
                    dones.append(done)
                    totals.append(total)
                    created = job.created
                    _forget("bench-job")
        sql(f"VACUUM {ACTIVITY}")
    finally:
        os.unlink(path)
        os.unlink(resolved)
    value, job_done = Timing.of(totals), Timing.of(dones)
    extra = (
        f"{created:,} rows; job done in {job_done} s, the rest the recomputation; "
        f"chunks of {settings.IMPORT_JOB_CHUNK_SIZE:,}; a real worker"
    )
    report(
        "CSV upload as a job + recomputation (floor: plain COPY)",
        value,
        Timing.of(plain),
        target=1.5,
        extra=extra,
    )
    report(
        "CSV upload as a job + recomputation (floor: COPY + trigger)",
        value,
        Timing.of(with_trigger),
        target=None,
        extra=extra,
    )


def _api_bodies(path: str):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        while rows := list(itertools.islice(reader, 5000)):
            yield json.dumps(
                [
                    {
                        "trainee": r[0],
                        "kind": r[1],
                        "occurred_at": r[2],
                        "source": r[3],
                        "external_id": r[4],
                    }
                    for r in rows
                ]
            )


def _proc_status(pid: int, name: str) -> int:
    """A line of /proc/<pid>/status, in KiB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(name + ":"))


def _peak_reset(pid: int) -> int:
    """Reset the process's peak (VmHWM) to its current size, which is returned (KiB)."""
    with open(f"/proc/{pid}/clear_refs", "w") as clear:
        clear.write("5")
    return _proc_status(pid, "VmRSS")


def bench_memory(args) -> None:
    """Peak memory of the worker running an upload's job (and the recomputation after it) at
    two file sizes 10x apart, each in a worker of its own that has run a small job first.

    The peak is the worker's VmHWM, reset just before the job is created (the benchmark's
    process, the uploader, is not measured: its part is storing the file)."""
    enrollments = Enrollment.objects.open().filter(
        hire_date__lte=timezone.localdate() - timezone.timedelta(days=30)
    )
    emails = list(enrollments.values_list("trainee__email", flat=True)[:200])
    figures = []
    for rows in (args.csv_rows // 10, args.csv_rows):
        path = _write_csv(_csv_rows(rows, emails, source="bench-job"))
        warm_up = _write_csv(_csv_rows(10, emails, source="bench-job"))
        try:
            with real_worker() as pid:
                job_through_worker(warm_up, timeout=_job_timeout(10))
                base = _peak_reset(pid)
                job_through_worker(path, timeout=_job_timeout(rows))
                peak = _proc_status(pid, "VmHWM")
        finally:
            os.unlink(path)
            os.unlink(warm_up)
            _forget("bench-job")
        figures.append((rows, (peak - base) / 1024, base / 1024))
    report_memory_growth("CSV upload job: worker peak memory growth", figures, "rows")
