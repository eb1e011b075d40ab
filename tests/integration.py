"""A real Celery worker process for the integration tests (PostgreSQL + Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

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
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: {log_path.read_text()[-3000:]}")
            if app.control.ping(timeout=0.5, destination=[name.replace("%h", _hostname())]):
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
                proc.kill()
        log.close()


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
