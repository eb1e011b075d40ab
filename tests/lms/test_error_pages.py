"""The error pages (templates/400.html, 403.html, 404.html, 500.html) speak the visitor's
language; 404 and 403 are ordinary pages of the site, 400 and 500 render with no request
context and no database."""

import pytest
from django.conf import settings
from django.urls import path, reverse

from lms.urls import urlpatterns as site_urlpatterns
from people.roles import Role
from tests.conftest import make_user

RUSSIAN = {settings.LANGUAGE_COOKIE_NAME: "ru"}
STYLESHEET = "people/css/site.css"


def _boom(request):
    raise RuntimeError("a bug in a view")


# The site's URLs and one view that fails, for the 500 (pytest.mark.urls).
urlpatterns = [*site_urlpatterns, path("boom/", _boom)]


def _russian(client):
    client.cookies.load(RUSSIAN)
    return client


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_a_missing_page_answers_in_russian(client):
    response = _russian(client).get("/no-such-page/")
    assert response.status_code == 404
    text = _text(response)
    assert '<html lang="ru">' in text
    assert "Страница не найдена" in text
    assert STYLESHEET in text
    assert "Page not found" not in text


@pytest.mark.django_db
def test_a_missing_page_keeps_the_site_header_for_a_signed_in_person(client, trainee):
    client.force_login(trainee)
    text = _text(_russian(client).get("/learn/no-such-stage/"))
    assert "Страница не найдена" in text
    assert 'href="' + reverse("notifications") + '"' in text
    assert "Уведомления" in text


@pytest.mark.django_db
def test_a_missing_page_in_english(client):
    text = _text(client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Page not found" in text
    assert '<html lang="en">' in text


@pytest.mark.django_db
def test_a_page_of_another_role_answers_403_in_russian(client):
    client.force_login(make_user(Role.TRAINEE))
    response = _russian(client).get(reverse("courses:enrollments"))
    assert response.status_code == 403
    text = _text(response)
    assert '<html lang="ru">' in text
    assert "Доступ запрещён" in text
    assert STYLESHEET in text
    assert "Access denied" not in text


# No django_db mark: pytest-django refuses any query, so rendering the page must not need one.
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("cookies", "lang", "heading"),
    [({}, "en", "Something went wrong"), (RUSSIAN, "ru", "Что-то пошло не так")],
)
def test_a_server_error_renders_its_page_without_the_database(client, cookies, lang, heading):
    client.raise_request_exception = False
    client.cookies.load(cookies)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = _text(response)
    assert f'<html lang="{lang}">' in text
    assert heading in text
    assert STYLESHEET in text
    assert "a bug in a view" not in text


def test_a_request_for_an_unknown_host_answers_400_without_the_database(client):
    response = _russian(client).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    text = _text(response)
    assert '<html lang="ru">' in text
    assert "Запрос не удалось прочитать" in text
    assert STYLESHEET in text
