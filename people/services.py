"""Writes of notifications: in-app, and their e-mail after commit."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.users.models import UserProfile

from . import json_rows, languages, queue
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
    """``notify`` for many at once in two queries whatever their number (``notify_bulk``),
    with the created notifications as instances."""
    created = _notifications_insert(notices)
    return [
        Notification(
            pk=pk,
            recipient=notice.recipient,
            title=notice.title[:200],
            body=notice.body,
            url=notice.url[:500],
            dedupe_key=notice.dedupe_key,
            send_email=send_email,
        )
        for notice, pk, send_email in created
    ]


def notify_bulk(notices: list[Notice]) -> int:
    """``notify_many`` without an instance per notification, for a job's thousands (the bonus
    finalization): one insert, then the e-mails after commit. Returns how many were created.
    A ``Notice``'s recipient only needs ``pk`` and ``email``."""
    return len(_notifications_insert(notices))


def _notifications_insert(notices: list[Notice]) -> list[tuple[Notice, int, bool]]:
    """Insert the notifications in one statement (the rows as one JSON parameter,
    ``people.json_rows``); a notice whose (recipient, dedupe key) exists already, or comes
    twice, is skipped by the unique constraint (``ON CONFLICT DO NOTHING``), so two runs at
    once leave one notification each. Their e-mails are published after commit, 50 to a
    message. [(notice, id, e-mail to send)] of those created."""
    fresh, seen = [], set()
    for n in notices:
        key = (n.recipient.pk, n.dedupe_key)
        if n.dedupe_key and key in seen:
            continue
        seen.add(key)
        fresh.append(n)
    if not fresh:
        return []
    payload = json.dumps(
        [
            [
                i,
                n.recipient.pk,
                n.title[:200],
                n.body,
                n.url[:500],
                n.dedupe_key,
                n.send_email and bool(n.recipient.email),
            ]
            for i, n in enumerate(fresh)
        ]
    )
    table = Notification._meta.db_table
    columns = ["recipient_id", "title", "body", "url", "dedupe_key", "send_email"]
    casts = ["bigint", "text", "text", "text", "text", "boolean"]
    items = [json_rows.item("x", i, cast) for i, cast in enumerate(casts, start=1)]
    # The SQL holds only the model's table, its columns, type names and placeholders.
    query = (
        f"INSERT INTO {table} ({', '.join(columns)}, created_at) "
        f"SELECT {', '.join(items)}, %s {json_rows.source('x')} "
        # SQLite needs the WHERE to read ON CONFLICT as the upsert's, not a join's.
        "WHERE true ORDER BY " + json_rows.item("x", 0, "int") + " "
        "ON CONFLICT DO NOTHING RETURNING id, send_email, title, recipient_id, dedupe_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [connection.ops.adapt_datetimefield_value(timezone.now()), payload])
        returned = cursor.fetchall()
    # RETURNING does not promise the rows' order: each is matched to its notice by its
    # (recipient, dedupe key), or for notices without a key by (recipient, title) in turn.
    by_key: dict[tuple, list[Notice]] = {}
    for n in fresh:
        by_key.setdefault((n.recipient.pk, n.dedupe_key or n.title[:200]), []).append(n)
    created = []
    for pk, send_email, title, recipient_id, dedupe_key in returned:
        notice = by_key[(recipient_id, dedupe_key or title)].pop(0)
        created.append((notice, pk, bool(send_email)))
    order = {id(n): i for i, n in enumerate(fresh)}
    created.sort(key=lambda row: order[id(row[0])])
    pending = [pk for _notice, pk, send_email in created if send_email]
    if pending:
        transaction.on_commit(partial(_enqueue_emails, pending))
    return created


def notify_from_query(rows_sql: str, params: list) -> int:
    """``notify_bulk`` for notifications a query computes, without a row through Python (the
    bonus finalization's thousands): ``rows_sql`` is a SELECT over the caller's tables naming
    the columns ``recipient_id``, ``title``, ``body``, ``url``, ``dedupe_key`` and
    ``send_email``, with ``params`` its parameters. One statement inserts them, skipping those
    whose (recipient, dedupe key) exists already or comes twice, as ``notify_bulk`` does; the
    e-mails are published after commit. Returns how many were created."""
    table = Notification._meta.db_table
    # The caller's SQL is its own code, never a person's input; the rest is fixed names.
    query = (
        f"INSERT INTO {table} (recipient_id, title, body, url, dedupe_key, send_email, "  # noqa: S608
        "created_at) SELECT r.recipient_id, substr(r.title, 1, 200), r.body, "
        f"substr(r.url, 1, 500), r.dedupe_key, r.send_email, %s FROM ({rows_sql}) r "
        # SQLite needs the WHERE to read ON CONFLICT as the upsert's, not a join's.
        "WHERE true ON CONFLICT DO NOTHING RETURNING id, send_email"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [connection.ops.adapt_datetimefield_value(timezone.now()), *params])
        returned = cursor.fetchall()
    pending = sorted(pk for pk, send_email in returned if send_email)
    if pending:
        transaction.on_commit(partial(_enqueue_emails, pending))
    return len(returned)


# E-mails per task message from notify_many: few messages, each well inside the time limit.
EMAILS_PER_TASK = 50


def _enqueue_emails(notification_ids: list[int]) -> None:
    """Publish the e-mails of notify_many after commit: up to ``EMAILS_PER_TASK`` as one
    batch; more (a job's thousands) as one message that a worker splits into batches
    (``emails_fan_out``), so the commit that made them publishes one message, not one per
    batch. As in _enqueue_email, a broker outage leaves them pending for
    notifications_deliver_pending."""
    if len(notification_ids) > EMAILS_PER_TASK:
        _publish("people.tasks.notifications_fan_out_emails", notification_ids)
    else:
        _publish("people.tasks.notifications_deliver_emails", notification_ids)


def emails_fan_out(notification_ids: list[int]) -> int:
    """Publish the e-mails of many notifications in batches of ``EMAILS_PER_TASK``, each well
    inside a task's time limit; returns the number of batches."""
    batches = 0
    for i in range(0, len(notification_ids), EMAILS_PER_TASK):
        _publish(
            "people.tasks.notifications_deliver_emails", notification_ids[i : i + EMAILS_PER_TASK]
        )
        batches += 1
    return batches


def _publish(task: str, notification_ids: list[int]) -> None:
    try:
        queue.task(task).delay(notification_ids)
    except Exception:  # kombu's OperationalError, a refused connection, a timeout...
        logger.warning(
            "Could not publish the e-mails of notifications %s..%s; the catch-up job will "
            "send them.",
            notification_ids[0],
            notification_ids[-1],
            exc_info=True,
        )


def _enqueue_email(notification_id: int) -> None:
    """Publish the e-mail task; with the broker down the request still succeeds and the row
    stays pending (email_sent_at empty) for notifications_deliver_pending to send later."""
    deliver = queue.task("people.tasks.notification_deliver_email")
    try:
        deliver.delay(notification_id)
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
    if hasattr(user, "_lms_unread"):  # counted when the request began
        del user._lms_unread
    return marked


def user_language_set(*, user, language: str) -> str:
    """Keep the language a person chose (the site and the Wagtail admin follow it)."""
    if not languages.supported(language):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    profile, _created = UserProfile.objects.get_or_create(user=user)
    profile.preferred_language = language
    profile.save(update_fields=["preferred_language"])
    user._preferred_language = language
    return language
