"""Without PostgreSQL or Redis: a notification whose e-mail task cannot be published (broker
down) does not break the request and is sent by the catch-up job; a grader who saves after a
colleague finished the same attempt is told their grade was not saved."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from people import tasks as people_tasks
from people.models import Notification
from tests.people.factories import PASSWORD

from .matrix import client_for


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_notification_survives_a_broker_that_refuses_the_message(trainee):
    client = Client()
    client.force_login(trainee)
    with mock.patch.object(
        people_tasks.notification_deliver_email,
        "delay",
        side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
    ) as delay:
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another-long-passphrase-42",
                "new_password2": "another-long-passphrase-42",
            },
        )
    assert delay.called
    assert response.status_code == 302
    pending = Notification.objects.get(recipient=trainee)
    assert pending.email_sent_at is None
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert people_tasks.notifications_deliver_pending() == 1
        assert people_tasks.notifications_deliver_pending() == 0
    assert [m.to for m in mail.outbox] == [[trainee.email]]


def test_a_grader_saving_after_a_colleague_finished_is_told_it_was_not_saved(world):
    url = reverse("quizzes:grade", args=[world.attempt_a.pk])
    field = f"r{world.response_a.pk}-points"
    first, second = client_for(world, "hr"), client_for(world, "director")
    first.get(url)
    second.get(url)  # sees the page, the lease is held by HR
    assert first.post(url, {field: "4", "action": "finish"}).status_code == 302
    response = second.post(url, {field: "1", "action": "finish"}, follow=True)
    world.response_a.refresh_from_db()
    assert world.response_a.awarded_points == 4
    body = response.content.decode()
    assert "not saved" in body or "already graded" in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_logging_activity_with_the_broker_down_still_works():
    from mentors.models import Activity
    from mentors.tasks import statement_recompute

    from .world import build_world

    world = build_world()
    client = client_for(world, "trainee_a")
    client.raise_request_exception = False
    with mock.patch.object(
        statement_recompute,
        "apply_async",
        side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
    ):
        response = client.post(
            reverse("mentors:activity"),
            {
                "kind": "call",
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "note": "Called while Redis was down",
            },
        )
    assert Activity.objects.filter(note="Called while Redis was down").exists()
    assert response.status_code == 302
