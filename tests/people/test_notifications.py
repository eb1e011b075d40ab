from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from people import services, tasks
from people.models import Notification
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_delivering_twice_sends_one_email(django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        n = services.notify(recipient=user, title="Graded", body="Your survey was graded.")
    assert len(mail.outbox) == 1
    assert services.notification_deliver_email(notification_id=n.pk) is False
    assert len(mail.outbox) == 1


def test_many_emails_leave_the_commit_as_one_message_a_worker_splits(
    django_capture_on_commit_callbacks, monkeypatch
):
    """More than a batch: the commit publishes one fan-out message; the worker (eager here)
    publishes the batches, and every e-mail goes once."""
    monkeypatch.setattr(services, "EMAILS_PER_TASK", 2)
    fanned, batches = [], []
    fan_out = tasks.notifications_fan_out_emails.delay
    deliver = tasks.notifications_deliver_emails.delay
    monkeypatch.setattr(
        tasks.notifications_fan_out_emails,
        "delay",
        lambda ids: fanned.append(list(ids)) or fan_out(ids),
    )
    monkeypatch.setattr(
        tasks.notifications_deliver_emails,
        "delay",
        lambda ids: batches.append(list(ids)) or deliver(ids),
    )
    users = [make_user() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_bulk(
            [services.Notice(recipient=u, title=f"Final {i}") for i, u in enumerate(users)]
        )
    assert [len(ids) for ids in fanned] == [5]
    assert [len(ids) for ids in batches] == [2, 2, 1]
    assert sorted(m.subject for m in mail.outbox) == [f"Final {i}" for i in range(5)]


def test_dedupe_key_keeps_one_notification():
    user = make_user()
    first = services.notify(recipient=user, title="Reminder", dedupe_key="remind:1")
    second = services.notify(recipient=user, title="Reminder", dedupe_key="remind:1")
    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=user).count() == 1


def test_pending_emails_are_caught_up_by_the_periodic_task():
    user = make_user()
    # The task that should have sent it was lost (on_commit callbacks not run here).
    n = services.notify(recipient=user, title="Lost message")
    assert Notification.objects.get(pk=n.pk).email_sent_at is None
    assert tasks.notifications_deliver_pending() == 0  # too recent: its own task may still run
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert tasks.notifications_deliver_pending() == 1
    assert Notification.objects.get(pk=n.pk).email_sent_at is not None
    assert len(mail.outbox) == 1


def test_default_schedule_is_created_once_and_not_overwritten():
    from django_celery_beat.models import PeriodicTask

    from lms.schedule import ensure_default_schedule

    task = PeriodicTask.objects.get(task="people.tasks.notifications_deliver_pending")
    task.enabled = False
    task.save()
    ensure_default_schedule()
    assert (
        PeriodicTask.objects.filter(task="people.tasks.notifications_deliver_pending").count() == 1
    )
    assert PeriodicTask.objects.get(pk=task.pk).enabled is False


def test_notify_many_skips_existing_keys_and_mails_each_once_in_batches(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "EMAILS_PER_TASK", 2)
    published = []
    deliver = tasks.notifications_deliver_emails.delay
    monkeypatch.setattr(
        tasks.notifications_deliver_emails,
        "delay",
        lambda ids: published.append(list(ids)) or deliver(ids),
    )
    users = [make_user() for _ in range(3)]
    services.notify(recipient=users[0], title="Already told", dedupe_key="final:1")
    notices = [
        services.Notice(recipient=u, title=f"Final {i}", dedupe_key=f"final:{i}")
        for i, u in enumerate(users, start=1)
    ]
    notices.append(services.Notice(recipient=users[2], title="Again", dedupe_key="final:3"))
    notices.append(services.Notice(recipient=users[2], title="No key, no e-mail", send_email=False))
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify_many(notices)
    assert [n.title for n in created] == ["Final 2", "Final 3", "No key, no e-mail"]
    assert [len(batch) for batch in published] == [2]  # two e-mails, one message
    assert sorted(m.subject for m in mail.outbox) == ["Final 2", "Final 3"]
    # Delivering the batch again (a retry, a duplicate message) sends nothing more.
    assert tasks.notifications_deliver_emails(published[0]) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(dedupe_key="final:1").count() == 1
