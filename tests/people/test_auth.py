import pytest
from django.core import mail
from django.urls import reverse

from people.models import Notification
from people.roles import Role
from tests.conftest import make_user
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'<label for="id_username">' in response.content


def test_login_and_logout(client):
    user = make_user(Role.TRAINEE)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("courses:my_onboarding")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    response = client.get(reverse("courses:my_onboarding"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_password_shows_an_error_next_to_the_form(client):
    user = make_user(Role.TRAINEE)
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert b'class="form-errors"' in response.content


def test_password_change_notifies_in_app_and_by_email(client, django_capture_on_commit_callbacks):
    user = make_user(Role.MENTOR)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "An0ther-Long-Pass",
                "new_password2": "An0ther-Long-Pass",
            },
        )
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=user)
    assert notification.email_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    page = client.get(reverse("notifications"))
    assert b"Your password was changed" in page.content
