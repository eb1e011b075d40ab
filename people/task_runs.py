"""Records which worker process ran each Celery task (``people.models.TaskRun``): connected
to Celery's task_prerun and task_postrun signals when the app registry is ready.

A run in the calling process (``task_always_eager``, ``apply()``) is not recorded: the row
exists only where a separate worker did the work, which is what the integration tests and an
operator looking at a stuck job want to know. A failure to record never fails the task.
"""

from __future__ import annotations

import logging
import os

from celery.signals import task_postrun, task_prerun
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import TaskRun

logger = logging.getLogger(__name__)


def _in_a_worker(task) -> bool:
    return task is not None and not getattr(task.request, "is_eager", False)


def record_start(sender=None, task_id=None, task=None, **kwargs) -> None:
    if not _in_a_worker(task):
        return
    values = {
        "task_id": task_id or "",
        "hostname": task.request.hostname or "",
        "pid": os.getpid(),
        "started_at": timezone.now(),
        "finished_at": None,
        "state": "STARTED",
    }
    try:
        if not TaskRun.objects.filter(task=task.name).update(**values):
            try:
                with transaction.atomic():
                    TaskRun.objects.create(task=task.name, **values)
            except IntegrityError:  # another worker created it first
                TaskRun.objects.filter(task=task.name).update(**values)
    except Exception:
        logger.warning("Could not record the start of %s", task.name, exc_info=True)


def record_finish(sender=None, task_id=None, task=None, state=None, **kwargs) -> None:
    if not _in_a_worker(task):
        return
    try:
        TaskRun.objects.filter(task=task.name, task_id=task_id or "").update(
            finished_at=timezone.now(), state=state or ""
        )
    except Exception:
        logger.warning("Could not record the end of %s", task.name, exc_info=True)


def connect() -> None:
    task_prerun.connect(record_start, dispatch_uid="people.task_runs.start", weak=False)
    task_postrun.connect(record_finish, dispatch_uid="people.task_runs.finish", weak=False)
