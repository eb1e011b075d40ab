"""A real Celery worker process for the integration tests (PostgreSQL + Redis)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / "var" / "test-artifacts"


def test_database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(*, concurrency: int = 1, timeout: float = 60.0, env_extra: dict | None = None):
    """Start `celery -A lms worker` against the test database; tasks stop running eagerly."""
    from lms.celery import app

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        DJANGO_SETTINGS_MODULE="lms.settings.test",
        CELERY_TASK_ALWAYS_EAGER="0",
        **(env_extra or {}),
    )
    app.control.purge()
    log_path = LOG_DIR / f"worker-{name.split('@')[0]}.log"
    log = open(log_path, "w")  # noqa: SIM115 - kept open for the worker's lifetime
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms",
            "worker",
            "-l",
            "info",
            "-c",
            str(concurrency),
            "-n",
            name,
            "-Q",
            ",".join(settings.TASK_QUEUES),  # whatever the routing (CELERY_SPLIT_QUEUES)
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Its own process group: a test can kill the whole worker (main process and pool)
        # as a lost machine or an OOM kill would, without touching this process.
        start_new_session=True,
    )
    proc.node_name = name.replace("%h", _hostname())
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: {log_path.read_text()[-3000:]}")
            if app.control.ping(timeout=0.5, destination=[proc.node_name]):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery worker did not answer: {log_path.read_text()[-3000:]}")
        yield proc
    finally:
        app.conf.task_always_eager = previous
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(proc)
        log.close()


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the worker's whole process group (its main process and every pool child), as
    `kill -9 -PGID` would; nothing else on the machine is touched."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=20)


def run_by_worker(task: str, worker: subprocess.Popen | None = None):
    """The TaskRun a separate worker process recorded for ``task`` (people/task_runs.py):
    asserts it ran outside this test process, and in ``worker`` when given."""
    from people.models import TaskRun

    run = TaskRun.objects.filter(task=task).first()
    assert run is not None, f"no worker process recorded a run of {task}"
    assert run.pid != os.getpid(), f"{task} ran in the test process"
    assert run.hostname, f"{task} ran without a worker node name"
    if worker is not None:
        assert run.hostname == worker.node_name, (run.hostname, worker.node_name)
    return run


def _hostname() -> str:
    import socket

    return socket.gethostname()


def wait_until(predicate, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll the database until the worker's effect shows; returns the predicate's value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout:.0f} s")
