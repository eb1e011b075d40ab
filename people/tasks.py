from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Notification


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def notification_deliver_email(notification_id: int) -> bool:
    return services.notification_deliver_email(notification_id=notification_id)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def notifications_deliver_emails(notification_ids: list[int]) -> int:
    """A batch of e-mails (notify_many); a retry skips those already sent."""
    return sum(services.notification_deliver_email(notification_id=pk) for pk in notification_ids)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def notifications_fan_out_emails(notification_ids: list[int]) -> int:
    """Many e-mails at once (a bonus finalization's thousands), published by the commit as one
    message: split here into batches of notifications_deliver_emails."""
    return services.emails_fan_out(notification_ids)


@shared_task
def notifications_deliver_pending() -> int:
    """Catch up e-mails whose task was lost (broker down at commit time, worker killed)."""
    cutoff = timezone.now() - timedelta(minutes=5)
    ids = list(
        Notification.objects.email_pending()
        .filter(created_at__lte=cutoff)
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        services.notification_deliver_email(notification_id=pk)
    return len(ids)
