"""Writes of the site-wide pieces: notifications and the monthly ramp-up digest."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


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
        transaction.on_commit(partial(_enqueue_email, notification.pk))
    return notification


@dataclass(frozen=True)
class Notice:
    """One notification for ``notify_many``: the arguments of ``notify``."""

    recipient: object
    title: str
    body: str = ""
    url: str = ""
    dedupe_key: str = ""
    send_email: bool = True


def notify_many(notices: list[Notice]) -> list[Notification]:
    """``notify`` for many at once in three queries whatever their number: notices whose
    (recipient, dedupe key) already exists are skipped; a concurrent run that wins the race
    for one of them makes this fall back to ``notify`` one by one."""
    keyed = [n for n in notices if n.dedupe_key]
    taken: set[tuple[int, str]] = set()
    if keyed:
        taken = set(
            Notification.objects.filter(
                recipient__in={n.recipient.pk for n in keyed},
                dedupe_key__in={n.dedupe_key for n in keyed},
            ).values_list("recipient_id", "dedupe_key")
        )
    fresh, seen = [], set()
    for n in notices:
        key = (n.recipient.pk, n.dedupe_key)
        if n.dedupe_key and (key in taken or key in seen):
            continue
        seen.add(key)
        fresh.append(n)
    rows = [
        Notification(
            recipient=n.recipient,
            title=n.title[:200],
            body=n.body,
            url=n.url[:500],
            dedupe_key=n.dedupe_key,
            send_email=n.send_email and bool(n.recipient.email),
        )
        for n in fresh
    ]
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:
        return [notify(**vars(n)) for n in fresh]
    pending = [row.pk for row in created if row.send_email]
    if pending:
        transaction.on_commit(partial(_enqueue_emails, pending))
    return created


# E-mails per task message from notify_many: few messages, each well inside the time limit.
EMAILS_PER_TASK = 50


def _enqueue_emails(notification_ids: list[int]) -> None:
    """Publish the e-mails of notify_many in batches; as in _enqueue_email, a broker outage
    leaves them pending for notifications_deliver_pending."""
    from .tasks import notifications_deliver_emails

    for i in range(0, len(notification_ids), EMAILS_PER_TASK):
        batch = notification_ids[i : i + EMAILS_PER_TASK]
        try:
            notifications_deliver_emails.delay(batch)
        except Exception:  # kombu's OperationalError, a refused connection, a timeout...
            logger.warning(
                "Could not publish the e-mails of notifications %s..%s; the catch-up job will "
                "send them.",
                batch[0],
                batch[-1],
                exc_info=True,
            )


def _enqueue_email(notification_id: int) -> None:
    """Publish the e-mail task; with the broker down the request still succeeds and the row
    stays pending (email_sent_at empty) for notifications_deliver_pending to send later."""
    from .tasks import notification_deliver_email

    try:
        notification_deliver_email.delay(notification_id)
    except Exception:  # kombu's OperationalError, a refused connection, a timeout...
        logger.warning(
            "Could not publish the e-mail of notification %s; the catch-up job will send it.",
            notification_id,
            exc_info=True,
        )


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
    marked = qs.update(read_at=timezone.now())
    return marked


def ramp_digest_send(*, today) -> dict:
    """The monthly ramp-up digest: every director gets who is behind the curve, who ramped last
    month and how much grading is overdue; each mentor hears about their mentees behind the
    curve. Notifications are keyed by month, so running it twice sends nothing more."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from courses.models import Enrollment

    from .dashboard import build_rows, overdue_grading_count, with_dashboard_relations
    from .roles import Role

    month_key = today.strftime("%Y-%m")
    first_of_month = today.replace(day=1)
    previous_month_start = (first_of_month - timedelta(days=1)).replace(day=1)
    rows = build_rows(list(with_dashboard_relations(Enrollment.objects.open())), today=today)
    behind = [r for r in rows if r.behind]
    ramped = [
        r
        for r in rows
        if r.ramped_month
        and previous_month_start < r.ramp.months[r.ramped_month - 1].end <= first_of_month
    ]
    overdue = overdue_grading_count(today=today)

    def names(items):
        return "\n".join(
            f"- {r.trainee_name} ({r.enrollment.program.title}, "
            + _("month %(n)s") % {"n": r.months_since_hire}
            + (f", {r.mentor_name}" if r.mentor else "")
            + ")"
            for r in items
        ) or _("nobody")

    body = "\n\n".join(
        [
            _("Behind the curve (last two complete months behind the plan):")
            + "\n"
            + names(behind),
            _("Ramped last month (reached the full monthly targets):") + "\n" + names(ramped),
            _("Attempts with grading overdue: %(n)s") % {"n": overdue},
        ]
    )
    sent = {"directors": 0, "mentors": 0}
    title = _("Ramp-up digest, %(month)s") % {"month": today.strftime("%B %Y")}
    for director in get_user_model().objects.filter(groups__name=Role.DIRECTOR, is_active=True):
        notify(
            recipient=director,
            title=title,
            body=body,
            url=reverse("dashboard"),
            dedupe_key=f"ramp-digest:{month_key}",
        )
        sent["directors"] += 1
    for row in behind:
        if row.mentor is None:
            continue
        notify(
            recipient=row.mentor,
            title=_("%(name)s is behind the curve") % {"name": row.trainee_name},
            body=_(
                "%(name)s's last two complete months were both behind the ramp-up plan. "
                "Look at the month-by-month figures together and agree on next steps."
            )
            % {"name": row.trainee_name},
            url=reverse("ramp_drilldown", args=[row.enrollment.pk]),
            dedupe_key=f"behind-the-curve:{row.enrollment.pk}:{month_key}",
        )
        sent["mentors"] += 1
    return sent
