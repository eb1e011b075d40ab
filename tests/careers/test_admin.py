"""HR keeps the ladder in the admin: ladders, levels with requirements and bands, offices and
people's offices; the admin refuses what the rules refuse."""

from __future__ import annotations

import pytest
from django.urls import reverse

from careers.models import Ladder

from .factories import make_ladder, make_offices

pytestmark = pytest.mark.django_db


def test_hr_opens_every_careers_screen(client, hr):
    ladder = make_ladder(make_offices())
    level = ladder.levels.get(number=2)
    client.force_login(hr)
    for url in (
        "/admin/snippets/careers/ladder/",
        "/admin/snippets/careers/ladder/add/",
        f"/admin/snippets/careers/ladder/edit/{ladder.pk}/",
        "/admin/snippets/careers/level/",
        "/admin/snippets/careers/level/add/",
        f"/admin/snippets/careers/level/edit/{level.pk}/",
        "/admin/careers/offices/",
        "/admin/careers/offices/new/",
        "/admin/people/profiles/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/snippets/careers/level/edit/{level.pk}/").content.decode()
    assert "Diploma on file" in page  # the requirements inline
    assert "Ekaterinburg" in page  # the bands inline


def test_one_company_ladder(client, hr):
    make_ladder(make_offices())
    client.force_login(hr)
    response = client.post(
        "/admin/snippets/careers/ladder/add/",
        {"name": "Second", "program": "", "currency": "RUB"},
    )
    assert response.status_code == 200
    assert "There is a company ladder already" in response.content.decode()
    assert Ladder.objects.count() == 1


def test_the_team_link_is_in_the_navigation(client, head_of_sales):
    client.force_login(head_of_sales)
    page = client.get(reverse("careers:ladder")).content.decode()
    assert reverse("careers:team") in page
    assert reverse("careers:my_career") in page


def test_a_level_people_hold_is_not_deleted(client, hr, director):
    from datetime import date

    from careers import services
    from careers.models import Level
    from tests.conftest import make_user

    ladder = make_ladder(make_offices())
    level = ladder.levels.get(number=1)
    services.level_enter(person=make_user(), decided_by=director, on=date(2026, 1, 1))
    client.force_login(hr)
    response = client.post(f"/admin/snippets/careers/level/delete/{level.pk}/", follow=True)
    assert response.status_code == 200
    assert "is in use by people&#x27;s records and cannot be deleted" in response.content.decode()
    assert Level.objects.filter(pk=level.pk).exists()
    office = level.pay_bands.first().office
    # Refused, by our message or by Wagtail's own usage check when its reference index knows
    # the bands: never a 500, and the office stays.
    response = client.post(f"/admin/careers/offices/delete/{office.pk}/", follow=True)
    assert response.status_code in (200, 403)
    assert type(office).objects.filter(pk=office.pk).exists()
    # A level nobody holds goes, with its requirements and bands.
    unheld = ladder.levels.get(number=2)
    client.post(f"/admin/snippets/careers/level/delete/{unheld.pk}/")
    assert not Level.objects.filter(pk=unheld.pk).exists()
