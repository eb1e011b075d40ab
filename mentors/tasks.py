import contextlib

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

from . import call_reviews, jobs, lifecycle, partitioning, recording_fetch, services
from .models import Connector, ImportJob
from .sources import services as sources


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def statement_recompute(mentorship_id: int) -> None:
    """Refresh one mentorship's statement after its activities changed. Idempotent.

    The collapse key is cleared before computing, so a change committed while this runs
    enqueues a fresh run instead of being lost.
    """
    with contextlib.suppress(Exception):  # a cache that is down must not stop the refresh
        cache.delete(services.recompute_key(mentorship_id))
    services.statement_compute(mentorship_id=mentorship_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def statements_recompute(mentorship_ids: list[int]) -> int:
    """Refresh the statements an import job touched, in one set-based pass. Idempotent."""
    return services.statements_recompute(mentorship_ids=mentorship_ids)


@shared_task
def statements_finalize_due() -> int:
    """Daily: finalize statements whose window has ended; refresh the open ones."""
    return services.statements_finalize_due()


@shared_task
def statements_recompute_flagged() -> int:
    """Every few minutes: recompute the statements a write flagged ``needs_recompute``,
    whether or not the broker was up when the write committed."""
    return services.statements_recompute_flagged()


@shared_task
def mentorships_end_closed_windows() -> int:
    """Daily: with MENTORSHIP_ENDS_AT "window_close" or "both", end the mentorships whose bonus
    window has closed."""
    return lifecycle.mentorships_end_closed_windows()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def import_job_run(job_id: int) -> None:
    """Run a background import (mentors/jobs.py). Idempotent: a finished job is left as it
    is, and an interrupted one resumes after the rows it has committed."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        jobs.job_run(job=job)


@shared_task
def import_jobs_purge_files() -> int:
    """Daily: delete the files of import jobs that ended before the retention period."""
    return jobs.import_jobs_purge_files()


@shared_task
def activity_partitions_ahead() -> int:
    """Daily: create the activity table's monthly partitions ahead (ACTIVITY_PARTITIONED on
    PostgreSQL; otherwise nothing). Idempotent; returns how many partitions were created."""
    return len(partitioning.activity_partitions_ensure().created)


@shared_task
def call_recordings_purge() -> int:
    """Nightly: delete call recordings older than RECORDING_RETENTION_DAYS (idempotent)."""
    return call_reviews.call_recordings_purge()


@shared_task
def connector_sync(connector_id: int) -> int | None:
    """Pull one connector's source now (the "Run now" button, or its turn on the schedule).
    Idempotent: a second delivery is all duplicates, and a run already under way is left be."""
    connector = Connector.objects.filter(pk=connector_id).first()
    if connector is None:
        return None
    run = sources.connector_sync(connector=connector, now=timezone.now())
    return run.pk if run else None


@shared_task
def connectors_sync_due() -> int:
    """Every few minutes: queue each enabled connector whose interval has passed."""
    due = sources.connectors_due(now=timezone.now())
    for connector_id in due:
        connector_sync.delay(connector_id)
    return len(due)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=5, max_retries=5)
def call_recording_import(fetch_id: int) -> None:
    """Download a call's recording from the URL its connector's source gave and attach it
    (mentors/recording_fetch.py; queue "imports" by its name). Idempotent: a finished
    download is left as it is, and a call that has a recording is not fetched again."""
    recording_fetch.recording_fetch_run(fetch_id=fetch_id)


@shared_task
def call_review_deadlines_check() -> dict:
    """Daily: remind reviewers of picked calls before and on the due date, escalate overdue
    ones (the quizzes' grading_deadlines_check for calls). Idempotent (dedupe keys)."""
    return call_reviews.call_review_deadlines_notify()
