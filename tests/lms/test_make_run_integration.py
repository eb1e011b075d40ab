"""Issue #17's walk, last step: "a reminder e-mail appears in make run's log without any
command typed". The worker is started exactly as the Makefile's `run` target starts it (a
Celery worker with beat inside, the thread pool, kombu's filesystem broker, the dev settings
with their console e-mail, its log file), here in a temporary directory and on the test
database. A grading reminder is due: the daily check made it while the broker was down, so
its e-mail is pending. Nothing else is done: beat sends the default schedule's e-mail
catch-up, the worker runs it, the console backend prints the e-mail, and its text shows up
in the worker's log within 40 seconds.

(Beat's DatabaseScheduler only considers crontab entries within two hours of the current
hour, so the 08:00 grading check itself cannot be made due at any time of day; the catch-up
runs every 10 minutes.)"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from lms.schedule import ensure_default_schedule
from people.models import Notification
from quizzes import services
from quizzes import tasks as quiz_tasks
from tests import integration
from tests.quizzes.factories import QuizFactory, enroll, make_program, written

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WAIT_SECONDS = 40
MAKEFILE = integration.ROOT / "Makefile"


def run_target_worker_args(tmp: Path) -> list[str]:
    """The worker command of the Makefile's run target, its var/ paths moved to ``tmp``; the
    test fails if the Makefile's command changes without this test."""
    recipe = MAKEFILE.read_text()
    command = (
        "celery -A lms worker --beat --pool=threads --concurrency=2 --loglevel=info "
        "-Q $(QUEUES) --logfile=var/worker.log --schedule=var/celerybeat-schedule"
    )
    assert "$(BIN)/" + command in " ".join(recipe.replace("\\\n", " ").split()), (
        "the Makefile's run target starts the worker differently: update this test"
    )
    queues = re.search(r"^QUEUES \?= (\S+)$", recipe, re.MULTILINE)
    assert queues, "the Makefile no longer sets QUEUES: update this test"
    args = command.replace("$(QUEUES)", queues.group(1)).split()[1:]
    return [
        sys.executable,
        "-m",
        "celery",
        *[a.replace("var/", f"{tmp}/") for a in args],
    ]


def make_a_reminder_due(mentor) -> str:
    """Ten minutes ago the daily grading check reminded the mentor of a written answer due in
    2 days, while the broker was down: the reminder is in the app, its e-mail has not gone
    out (people.services._enqueue_email leaves it pending for the catch-up job). Returns the
    reminder's title."""
    when = timezone.now() - timedelta(minutes=10)
    quiz = QuizFactory(title="Product survey", grading_due_days=21, grading_overdue_days=28)
    written(quiz)
    enrollment = enroll(make_program(quiz), mentor=mentor)
    with time_machine.travel(when - timedelta(days=19), tick=False):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    broker_down = mock.Mock()
    broker_down.return_value.delay.side_effect = OSError("broker down")
    with (
        time_machine.travel(when, tick=False),
        mock.patch("people.services.queue.task", broker_down),
    ):
        quiz_tasks.grading_deadlines_check()
    title = "Grading due in 2 days: Product survey"
    reminder = Notification.objects.get(recipient=mentor, title__startswith="Grading due")
    assert reminder.title.startswith(title)
    assert reminder.email_sent_at is None
    return title


def test_a_due_reminder_reaches_the_log_of_make_runs_worker(tmp_path, mentor):
    title = make_a_reminder_due(mentor)
    # The default schedule, as `migrate` writes it. Its e-mail catch-up (every 10 minutes)
    # last ran 20 minutes ago, so beat sends it as soon as it starts.
    ensure_default_schedule()
    PeriodicTask.objects.filter(task="people.tasks.notifications_deliver_pending").update(
        last_run_at=timezone.now() - timedelta(minutes=20)
    )
    for folder in ("broker/messages", "broker/control", "cache"):
        (tmp_path / folder).mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",  # what `make run` runs (lms/celery.py)
        DATABASE_URL=integration.test_database_url(),
        CELERY_BROKER_URL="filesystem://localhost//",
        CELERY_BROKER_DIR=str(tmp_path / "broker"),
        CACHE_URL=f"filecache://{tmp_path / 'cache'}",
    )
    log = tmp_path / "worker.log"
    output = (tmp_path / "output.txt").open("w")  # what the worker prints before its log opens
    worker = subprocess.Popen(
        run_target_worker_args(tmp_path),
        cwd=integration.ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, ended below
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        text = ""
        while time.monotonic() < deadline and worker.poll() is None:
            text = log.read_text() if log.exists() else ""
            if title in text and "Subject:" in text:
                break
            time.sleep(0.5)
        printed = (tmp_path / "output.txt").read_text()[-3000:]
        assert worker.poll() is None, f"the worker exited: {text[-3000:]} {printed}"
        assert title in text, f"no reminder in the log within {WAIT_SECONDS} s: {text[-3000:]}"
        # The console e-mail, addressed to the mentor, with the grading page's link.
        assert f"To: {mentor.email}" in text
        assert "/grading/" in text
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=20)
        output.close()
