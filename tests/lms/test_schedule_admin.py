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
