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
        "/admin/careers/profiles/",
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
