from celery import shared_task

from . import recording_services, services


@shared_task
def grading_deadlines_check() -> dict:
    """Daily: remind graders before and on the due date, escalate overdue grading.
    Idempotent: every notification carries a dedupe key."""
    return services.grading_deadlines_notify()


@shared_task
def recordings_purge() -> int:
    """Nightly: delete recordings older than RECORDING_RETENTION_DAYS (idempotent)."""
    return recording_services.recordings_purge()
