""" "Mentor bonuses" by office (the mentor's, people.Profile.office): the filter, its bad
values as field errors in English and Russian, and a director's office scope
(OFFICE_SCOPE) on the list, the approvals and the export."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mentors import services
from mentors.models import BonusStatement
from people.models import Office
from people.roles import Role
from tests.careers.factories import place
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=MSK)
TOO_BIG = str(2**64)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def offices():
    return {c: Office.objects.create(name=c, city=c) for c in ("Moscow", "Kazan", "Omsk")}


@pytest.fixture
def by_office(offices):
    """One final statement of a Moscow mentor, one of a Kazan mentor, one of a mentor with
    no office."""
    rule = make_rule()
    statements = {}
    for city in ("Moscow", "Kazan", None):
        mentor = make_user(Role.MENTOR)
        if city:
            place(mentor, offices[city])
        enrollment = make_enrollment(hire_date=date(2026, 1, 5))
        mentorship = make_mentorship(enrollment=enrollment, mentor=mentor, rule=rule)
        add_activities(enrollment, "call", 3, datetime(2026, 1, 10, 11, tzinfo=MSK))
        statements[city] = services.statement_compute(mentorship_id=mentorship.pk)
    return statements


def test_the_bonuses_page_filters_by_the_mentors_office(client, director, offices, by_office):
    client.force_login(director)
    page = client.get("/bonuses/", {"office": offices["Moscow"].pk})
    assert page.status_code == 200
    assert [s.pk for s in page.context["statements"]] == [by_office["Moscow"].pk]
    assert 'name="office"' in page.content.decode()
    assert "Every office" in page.content.decode()
    assert len(client.get("/bonuses/", {"office": ""}).context["statements"]) == 3
    assert not client.get("/bonuses/", {"office": offices["Omsk"].pk}).context["statements"]


@pytest.mark.parametrize("value", ["Moscow", "-1", TOO_BIG, "999999", "1.5"])
def test_a_bad_office_is_a_field_error_and_filters_nothing(client, director, by_office, value):
    client.force_login(director)
    page = client.get("/bonuses/", {"office": value})
    assert page.status_code == 200
    assert "Select a valid choice" in " ".join(page.context["form"].errors["office"])
    assert len(page.context["statements"]) == 3


def test_the_office_filter_in_russian(client, director, offices, by_office, settings):
    client.force_login(director)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    page = client.get("/bonuses/", {"office": "Москва"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Офис" in html
    assert "Все офисы" in html  # noqa: RUF001 - Russian
    assert "Выберите корректный вариант" in " ".join(page.context["form"].errors["office"])
    page = client.get("/bonuses/", {"office": offices["Kazan"].pk})
    assert [s.pk for s in page.context["statements"]] == [by_office["Kazan"].pk]


def test_the_export_refuses_a_bad_office(client, director, by_office):
    BonusStatement.objects.update(status=BonusStatement.Status.APPROVED, approved_at=NOW)
    client.force_login(director)
    response = client.post("/bonuses/export/?office=nowhere", {"format": "csv"})
    assert response.status_code == 302
    assert not BonusStatement.objects.filter(payroll_batch__isnull=False).exists()


def test_a_director_of_one_office_sees_only_its_mentors_bonuses(
    client, settings, offices, by_office, head_of_sales
):
    settings.OFFICE_SCOPE = True
    director = make_user(Role.DIRECTOR)
    place(director, offices["Moscow"])
    client.force_login(director)
    page = client.get("/bonuses/")
    assert [s.pk for s in page.context["statements"]] == [by_office["Moscow"].pk]
    # Another office chosen in the filter shows nothing of it.
    assert not client.get("/bonuses/", {"office": offices["Kazan"].pk}).context["statements"]
    # Approving a statement outside the office changes nothing.
    kazan = by_office["Kazan"]
    client.post("/bonuses/action/", {"action": "approve", "statement": [kazan.pk]})
    kazan.refresh_from_db()
    assert kazan.status == "final"
    client.post("/bonuses/action/", {"action": "approve", "statement": [by_office["Moscow"].pk]})
    assert BonusStatement.objects.get(pk=by_office["Moscow"].pk).status == "approved"
    # The export takes only the office's approved statements.
    BonusStatement.objects.filter(pk=kazan.pk).update(status="approved", approved_at=NOW)
    response = client.post("/bonuses/export/", {"format": "csv"})
    assert response.status_code == 200
    assert list(
        BonusStatement.objects.filter(payroll_batch__isnull=False).values_list("pk", flat=True)
    ) == [by_office["Moscow"].pk]
    # HR and the head of sales, and a director without an office, still see everyone.
    client.force_login(head_of_sales)
    assert len(client.get("/bonuses/").context["statements"]) == 3
    client.force_login(make_user(Role.DIRECTOR))
    assert len(client.get("/bonuses/").context["statements"]) == 3


def test_without_the_setting_a_director_with_an_office_sees_everyone(client, offices, by_office):
    director = make_user(Role.DIRECTOR)
    place(director, offices["Moscow"])
    client.force_login(director)
    assert len(client.get("/bonuses/").context["statements"]) == 3
