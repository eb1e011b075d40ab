import pytest
from django.urls import reverse

from people.models import Notification
from people.roles import Role
from tests.conftest import make_user
from tests.integration import celery_worker, run_by_worker, wait_until
from tests.people.factories import PASSWORD

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_task_enqueued_by_a_view_after_commit_runs_in_a_real_worker(client):
    user = make_user(Role.TRAINEE)
    client.force_login(user)
    with celery_worker() as worker:
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "Worker-Pass-2026",
                "new_password2": "Worker-Pass-2026",
            },
        )
        assert response.status_code == 302
        notification = Notification.objects.get(recipient=user)

        def delivered():
            notification.refresh_from_db()
            return notification.email_sent_at

        # The view does not send the e-mail itself: the worker process does, after commit.
        assert wait_until(delivered, timeout=45)
        # ...and it was the worker's process, not this one (not an eager run in the test).
        run_by_worker("people.tasks.notification_deliver_email", worker)
