"""Self-service password reset: one flow for everyone from the login page, the same answer for
every address, throttled per address and per IP, off for trainees when the company says so,
and Wagtail's own admin reset switched off."""

import re

import pytest
from django.contrib.auth import forms as auth_forms
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from people import services as people_services
from people.models import Notification
from people.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

SENT = "If the address is known, we sent a link"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def ask(client, email, ip="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip, follow=True)


def link_in(message) -> str:
    return re.search(r"https?://[^/]+(/\S+)", message.body).group(1)


def test_the_login_page_leads_to_the_reset_form(client):
    login = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200
    assert "Reset your password" in form.content.decode()


def test_a_trainee_resets_their_password_through_the_e_mailed_link(client, trainee):
    sent = ask(client, trainee.email.upper())
    assert sent.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert SENT in sent.content.decode()
    assert [m.to for m in mail.outbox] == [[trainee.email]]
    link = link_in(mail.outbox[0])
    form = client.get(link, follow=True)
    assert "Set the new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Tr0ub4dor&3-horse", "new_password2": "Tr0ub4dor&3-horse"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    trainee.refresh_from_db()
    assert trainee.check_password("Tr0ub4dor&3-horse")
    assert Notification.objects.filter(
        recipient=trainee, title="Your password was changed"
    ).exists()
    # the link works once
    again = client.get(link, follow=True)
    assert "This link does not work any more" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    sent = ask(client, "nobody@example.com")
    assert sent.status_code == 200
    assert SENT in sent.content.decode()
    assert mail.outbox == []


def test_the_e_mail_is_written_in_its_readers_language(client, mentor, monkeypatch):
    people_services.user_language_set(user=mentor, language="ru")
    rendered_in = []
    send = auth_forms.PasswordResetForm.send_mail

    def spy(self, *args, **kwargs):
        rendered_in.append(translation.get_language())
        return send(self, *args, **kwargs)

    monkeypatch.setattr(auth_forms.PasswordResetForm, "send_mail", spy)
    ask(client, mentor.email)
    assert len(mail.outbox) == 1
    assert rendered_in == ["ru"]


def test_requests_are_throttled_per_address(client, trainee, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 3
    for n in range(5):
        answer = ask(client, trainee.email, ip=f"10.0.0.{n}")
        assert answer.redirect_chain == [(reverse("password_reset_done"), 302)]
        assert SENT in answer.content.decode()
    assert len(mail.outbox) == 3


def test_requests_are_throttled_per_ip(client, settings):
    settings.PASSWORD_RESET_PER_IP_PER_HOUR = 4
    people = [make_user(Role.TRAINEE) for _ in range(6)]
    for person in people:
        assert SENT in ask(client, person.email, ip="10.9.9.9").content.decode()
    assert len(mail.outbox) == 4
    # another address is not held up by that one
    ask(client, people[-1].email, ip="10.9.9.10")
    assert len(mail.outbox) == 5


def test_the_throttle_window_is_an_hour(client, trainee, settings, time_machine):
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 1
    ask(client, trainee.email)
    ask(client, trainee.email)
    assert len(mail.outbox) == 1
    # locmem's expiry reads time.time(), which time-machine moves
    time_machine.move_to("2099-01-01 00:00:00+00:00")
    ask(client, trainee.email)
    assert len(mail.outbox) == 2


def test_the_company_can_turn_it_off_for_trainees(client, trainee, hr, settings):
    settings.PASSWORD_RESET_FOR_TRAINEES = False
    assert "ask HR" in client.get(reverse("password_reset")).content.decode()
    refused = ask(client, trainee.email)
    assert SENT in refused.content.decode()  # the same answer: nothing told
    assert mail.outbox == []
    ask(client, hr.email)
    assert [m.to for m in mail.outbox] == [[hr.email]]
    # a staff member who is also enrolled keeps it
    staff_trainee = make_user(Role.TRAINEE)
    staff_trainee.groups.add(hr.groups.get())
    ask(client, staff_trainee.email)
    assert len(mail.outbox) == 2


def test_wagtails_own_admin_reset_is_off(client, trainee):
    assert client.get("/admin/password_reset/").status_code == 404
    assert client.post("/admin/password_reset/", {"email": trainee.email}).status_code == 404
    assert mail.outbox == []
    assert "/admin/password_reset/" not in client.get("/admin/login/").content.decode()
