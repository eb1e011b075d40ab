"""The career API: the ladder as HR entered it, a person's level, history and progress, with
the pages' visibility, and both in the OpenAPI schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from careers import services
from people.roles import Role
from tests.conftest import make_user
from tests.mentors.factories import make_enrollment

from .factories import make_ladder, make_offices, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    return make_offices()


@pytest.fixture
def ladder(offices):
    return make_ladder(offices)


def test_ladders(client, ladder, trainee):
    client.force_login(trainee)
    data = client.get(reverse("api-career-ladders")).json()
    assert [level["number"] for level in data[0]["levels"]] == [1, 2]
    bands = {b["city"]: (b["minimum"], b["maximum"]) for b in data[0]["levels"][0]["pay_bands"]}
    assert bands["Moscow"] == ("25000.00", "30000.00")
    two = data[0]["levels"][1]
    assert two["min_experience_months"] == 12
    assert {r["kind"] for r in two["requirements"]} == {"activity", "document", "confirmation"}
    assert {b["city"]: b["minimum"] for b in two["pay_bands"]}["Ekaterinburg"] is None


def test_a_persons_career(client, ladder, offices, director, head_of_sales):
    enrollment = make_enrollment(hire_date=date(2025, 1, 10))
    person = enrollment.trainee
    place(person, offices["Moscow"], hire_date=date(2025, 1, 10))
    services.level_enter(person=person, decided_by=director, on=date(2025, 6, 1))
    change = services.promotion_propose(
        person=person, level=ladder.levels.get(number=2), user=head_of_sales, reason="Ready.",
        pay=Decimal(39000),
    )  # fmt: skip
    client.force_login(person)
    data = client.get(reverse("api-career-person", args=[person.pk])).json()
    assert data["level"]["number"] == 1
    assert data["office"] == "Moscow"
    assert data["next_level"]["number"] == 2
    assert data["next_band"] == {"minimum": None, "maximum": "40000.00"}
    kinds = {r["kind"]: r["met"] for r in data["requirements"]}
    assert kinds == {"experience": True, "activity": False, "document": False,
                     "confirmation": False}  # fmt: skip
    assert data["ready"] is False
    assert [h["status"] for h in data["history"]] == ["proposed", "approved"]
    assert data["history"][0]["id"] == change.pk
    assert data["history"][0]["pay"] == "39000.00"
    # Visible as on the pages: someone else's mentor or another trainee gets 404.
    for outsider in (make_user(Role.MENTOR), make_user(Role.TRAINEE)):
        client.force_login(outsider)
        assert client.get(reverse("api-career-person", args=[person.pk])).status_code == 404


def test_the_schema_names_the_career_endpoints(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    assert "/api/v1/career/ladders/" in schema["paths"]
    assert "/api/v1/career/people/{id}/" in schema["paths"]
