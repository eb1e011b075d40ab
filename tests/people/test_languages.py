"""The language each person chooses: kept on the profile and in the cookie, followed by the
site, the Wagtail admin and the messages written to them."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from mentors import services as mentor_services
from people import languages, services
from people.models import Notification
from people.names import display_name
from people.roles import Role
from tests.conftest import make_user
from tests.mentors.factories import make_enrollment, make_program, make_rule
from tests.people.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    text = response.content.decode()
    start = text.index('<html lang="') + len('<html lang="')
    return text[start : text.index('"', start)]


def test_the_browser_language_decides_until_a_person_chooses(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5")
    assert html_lang(response) == "ru"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de")
    assert html_lang(response) == settings.LANGUAGE_CODE


def test_choosing_a_language_keeps_it_on_the_profile_and_in_the_cookie(client, trainee):
    client.force_login(trainee)
    page = reverse("notifications")
    response = client.post(reverse("language_set"), {"language": "ru", "next": page})
    assert response.status_code == 302
    assert response["Location"] == page
    assert response.cookies[COOKIE].value == "ru"
    assert UserProfile.objects.get(user=trainee).preferred_language == "ru"
    assert html_lang(client.get(page, HTTP_ACCEPT_LANGUAGE="en")) == "ru"


def test_the_choice_follows_the_person_to_a_new_browser(client, trainee):
    UserProfile.objects.create(user=trainee, preferred_language="ru")
    response = client.post(reverse("login"), {"username": trainee.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ru"


def test_a_login_without_a_choice_sets_no_language(client, trainee):
    response = client.post(reverse("login"), {"username": trainee.username, "password": PASSWORD})
    assert COOKIE not in response.cookies


def test_an_anonymous_visitor_can_switch_on_the_login_page(client):
    response = client.post(reverse("language_set"), {"language": "ru", "next": reverse("login")})
    assert response.cookies[COOKIE].value == "ru"
    assert html_lang(client.get(reverse("login"))) == "ru"


@pytest.mark.parametrize("language", ["de", "", "ru<script>", "x" * 500])
def test_an_unknown_language_changes_nothing(client, trainee, language):
    client.force_login(trainee)
    response = client.post(
        reverse("language_set"), {"language": language, "next": reverse("notifications")}
    )
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    assert not UserProfile.objects.filter(user=trainee).exclude(preferred_language="").exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", ""])
def test_the_switch_never_sends_anyone_elsewhere(client, trainee, target):
    client.force_login(trainee)
    response = client.post(reverse("language_set"), {"language": "ru", "next": target})
    assert response["Location"] == reverse("home")


def test_a_get_changes_nothing(client, trainee):
    client.force_login(trainee)
    assert client.get(reverse("language_set"), {"language": "ru"}).status_code == 405


def test_every_page_offers_the_switch(client, trainee):
    client.force_login(trainee)
    text = client.get(reverse("notifications")).content.decode()
    assert 'action="' + reverse("language_set") + '"' in text
    assert "Русский" in text


def test_the_wagtail_admin_follows_the_choice(client):
    hr = make_user(Role.HR)
    client.force_login(hr)
    client.post(reverse("language_set"), {"language": "ru", "next": reverse("home")})
    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert html_lang(response) == "ru"


def test_messages_to_someone_are_written_in_their_language(trainee):
    UserProfile.objects.create(user=trainee, preferred_language="ru")
    other = make_user(Role.MENTOR)
    with translation.override("en"):
        with languages.language_of(trainee):
            assert translation.get_language() == "ru"
        with languages.language_of(other):
            assert translation.get_language() == settings.LANGUAGE_CODE
        assert translation.get_language() == "en"


def test_pages_with_counts_render_in_russian(client, trainee):
    """Russian plural rules do arithmetic on the count (n % 10): the header's unread count
    once made every Russian page answer 500."""
    UserProfile.objects.create(user=trainee, preferred_language="ru")
    for n in range(3):
        services.notify(recipient=trainee, title=f"t{n}", send_email=False)
    client.force_login(trainee)
    client.cookies[COOKIE] = "ru"
    response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert "3 непрочитанных" in response.content.decode()


def test_a_notification_is_written_in_its_recipients_language():
    program = make_program()
    hr = make_user(Role.HR)
    mentor = make_user(Role.MENTOR)
    UserProfile.objects.create(user=mentor, preferred_language="ru")
    enrollment = make_enrollment(program=program)
    with translation.override("en"):
        mentor_services.mentorship_assign(
            enrollment=enrollment,
            mentor=mentor,
            started_on=date(2026, 12, 2),
            bonus_rule=make_rule(),
            assigned_by=hr,
        )
    to_mentor = Notification.objects.get(recipient=mentor)
    to_trainee = Notification.objects.get(recipient=enrollment.trainee)
    assert to_mentor.title == "Новый подопечный: " + display_name(enrollment.trainee)
    assert "2 декабря 2026" in to_mentor.body
    assert to_trainee.title.startswith("Your mentor is")
    assert "2 December 2026" in to_trainee.body
