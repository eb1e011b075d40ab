"""Writes of the site-wide pieces: notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def notify(
    *,
    recipient,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    send_email: bool = True,
) -> Notification:
    """Create an in-app notification and e-mail it from a task once the transaction commits.

    With a ``dedupe_key``, calling twice (a task delivered twice) leaves one notification.
    """
    from .tasks import notification_deliver_email

    if dedupe_key:
        existing = Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                title=title[:200],
                body=body,
                url=url[:500],
                dedupe_key=dedupe_key,
                send_email=send_email and bool(recipient.email),
            )
    except IntegrityError:
        # A concurrent call with the same key won the race.
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)
    if notification.send_email:
        notification_deliver_email.delay_on_commit(notification.pk)
    return notification


def notification_deliver_email(*, notification_id: int) -> bool:
    """Send a notification's e-mail once; returns whether this call sent it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or not notification.send_email or notification.email_sent_at:
            return False
        link = f"{settings.SITE_URL}{notification.url}" if notification.url else ""
        send_mail(
            subject=notification.title,
            message="\n\n".join(part for part in (notification.body, link) if part),
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_sent_at"])
        return True


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
