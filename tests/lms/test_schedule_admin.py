import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from people.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_hr_sees_and_changes_the_schedule_in_the_admin(client):
    client.force_login(make_user(Role.HR))
    admin_home = client.get(reverse("wagtailadmin_home"))
    assert b"Scheduled jobs" in admin_home.content
    listing = client.get(reverse("periodic_tasks:index"))
    assert listing.status_code == 200
    assert b"Deliver pending notification e-mails" in listing.content
    task = PeriodicTask.objects.get(task="people.tasks.notifications_deliver_pending")
    form = client.get(reverse("periodic_tasks:edit", args=[task.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("periodic_tasks:edit", args=[task.pk]),
        {
            "name": task.name,
            "description": "",
            "task": task.task,
            "crontab": task.crontab_id,
            "enabled": "",
            "kwargs": "{}",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert PeriodicTask.objects.get(pk=task.pk).enabled is False


def test_trainee_cannot_open_the_admin(client):
    client.force_login(make_user(Role.TRAINEE))
    response = client.get(reverse("periodic_tasks:index"))
    assert response.status_code in (302, 403)


def _pending_notification(**fields):
    from datetime import timedelta

    from django.utils import timezone

    from people.models import Notification

    recipient = make_user(Role.TRAINEE)
    notification = Notification.objects.create(
        recipient=recipient, title="Your stage is open", send_email=True, **fields
    )
    # Older than the catch-up job's five minutes, so it is due.
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    return notification


def test_hr_runs_a_job_now_from_the_schedule(client, mailoutbox):
    notification = _pending_notification()
    task = PeriodicTask.objects.get(task="people.tasks.notifications_deliver_pending")
    client.force_login(make_user(Role.HR))
    listing = client.get(reverse("periodic_tasks:index"))
    run_url = reverse("periodic_tasks:run_now", args=[task.pk])
    assert run_url.encode() in listing.content
    confirm = client.get(run_url)
    assert confirm.status_code == 200
    assert b"Yes, run it now" in confirm.content
    assert mailoutbox == []  # opening the confirmation runs nothing
    response = client.post(run_url, follow=True)
    assert b"is queued" in response.content
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("role", [Role.TRAINEE, Role.MENTOR, Role.HEAD_OF_SALES, Role.DIRECTOR])
def test_only_those_who_may_change_the_schedule_run_a_job(client, role, mailoutbox):
    _pending_notification()
    task = PeriodicTask.objects.get(task="people.tasks.notifications_deliver_pending")
    client.force_login(make_user(role))
    response = client.post(reverse("periodic_tasks:run_now", args=[task.pk]))
    assert response.status_code in (302, 403)
    assert mailoutbox == []


def test_a_job_that_does_not_exist_or_cannot_be_queued_is_a_message_not_a_500(client):
    from unittest import mock

    task = PeriodicTask.objects.get(task="people.tasks.notifications_deliver_pending")
    PeriodicTask.objects.filter(pk=task.pk).update(task="people.tasks.no_such_job")
    client.force_login(make_user(Role.HR))
    url = reverse("periodic_tasks:run_now", args=[task.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "No job named “people.tasks.no_such_job” exists".encode() in response.content
    PeriodicTask.objects.filter(pk=task.pk).update(
        task="people.tasks.notifications_deliver_pending"
    )
    with mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionError("down")):
        response = client.post(url, follow=True)
    assert b"the background queue is unreachable" in response.content
    assert client.post(reverse("periodic_tasks:run_now", args=[999999])).status_code == 404
