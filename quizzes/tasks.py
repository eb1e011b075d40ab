from celery import shared_task

from . import services


@shared_task
def grading_deadlines_check() -> dict:
    """Daily: remind graders before and on the due date, escalate overdue grading.
    Idempotent: every notification carries a dedupe key."""
    return services.grading_deadlines_notify()
