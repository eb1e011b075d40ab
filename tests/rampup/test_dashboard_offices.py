"""The dashboard's office filter and the director's office scope (OFFICE_SCOPE): both are
conditions of the dashboard's SQL, for the page, its figures and its exports."""

from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from people.models import Office, Profile
from people.roles import Role
from rampup import views
from tests.conftest import make_user
from tests.rampup.helpers import local, make_program, populate, table_pks

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
PLAN = {"target_call": 100, "target_meeting": 10, "target_application": 5, "target_contract": 0}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(local(TODAY, 10), tick=False):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def offices():
    """Moscow with two trainees, Kazan with three, one trainee without an office."""
    program = make_program(**PLAN)
    moscow = Office.objects.create(name="Moscow", city="Moscow")
    kazan = Office.objects.create(name="Kazan", city="Kazan")
    enrollments, _mentor = populate(program, 6)
    for enrollment, office in zip(enrollments, [moscow, moscow, kazan, kazan, kazan], strict=False):
        Profile.objects.create(user=enrollment.trainee, office=office)
    pks = [e.pk for e in enrollments]
    return {"moscow": (moscow, set(pks[:2])), "kazan": (kazan, set(pks[2:5])), "all": set(pks)}


def csv_lines(client, params=None) -> int:
    return len(client.get(reverse("dashboard_export_csv"), params or {}).content.splitlines())


def test_the_office_filter_narrows_the_table_the_figures_and_the_exports(client, offices):
    kazan, kazan_pks = offices["kazan"]
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("dashboard"), {"office": kazan.pk})
    assert set(table_pks(page)) == kazan_pks
    assert (
        '<span class="value">3</span><span class="label">Active trainees' in page.content.decode()
    )
    assert csv_lines(client, {"office": kazan.pk}) == 1 + len(kazan_pks)
    everyone = client.get(reverse("dashboard"))
    assert set(table_pks(everyone)) == offices["all"]
    assert "Kazan" in everyone.content.decode()  # the filter's choices


def test_an_unknown_office_is_a_field_error_and_filters_nothing(client, offices):
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("dashboard"), {"office": 999999})
    assert page.status_code == 200
    assert set(table_pks(page)) == offices["all"]
    assert 'class="error"' in page.content.decode()


def test_with_the_office_scope_a_director_sees_their_office_only(client, offices, settings):
    settings.OFFICE_SCOPE = True
    moscow, moscow_pks = offices["moscow"]
    kazan, _kazan_pks = offices["kazan"]
    director = make_user(Role.DIRECTOR)
    Profile.objects.create(user=director, office=moscow)
    client.force_login(director)
    assert set(table_pks(client.get(reverse("dashboard")))) == moscow_pks
    assert csv_lines(client) == 1 + len(moscow_pks)
    # Another office through the filter: nothing of it, not even its count.
    other = client.get(reverse("dashboard"), {"office": kazan.pk, "refresh": "1"})
    assert "No enrollments match these filters." in other.content.decode()
    assert csv_lines(client, {"office": kazan.pk}) == 1
    # ... nor the drill-down of one of its trainees.
    for pk in offices["kazan"][1]:
        assert client.get(reverse("ramp_drilldown", args=[pk])).status_code == 404
    for pk in moscow_pks:
        assert client.get(reverse("ramp_drilldown", args=[pk])).status_code == 200


def test_the_scope_is_off_by_default_and_spares_hr_and_company_wide_directors(
    client, offices, settings
):
    moscow, _moscow_pks = offices["moscow"]
    director = make_user(Role.DIRECTOR)
    Profile.objects.create(user=director, office=moscow)
    client.force_login(director)
    assert set(table_pks(client.get(reverse("dashboard")))) == offices["all"]
    settings.OFFICE_SCOPE = True
    cache.clear()
    for user in (make_user(Role.HR), make_user(Role.DIRECTOR)):  # no office: company-wide
        if user.groups.filter(name=Role.HR).exists():
            Profile.objects.create(user=user, office=moscow)
        client.force_login(user)
        assert set(table_pks(client.get(reverse("dashboard")))) == offices["all"]


def test_the_export_is_built_a_chunk_at_a_time_in_the_pages_sort(client, offices, monkeypatch):
    client.force_login(make_user(Role.DIRECTOR))
    params = {"sort": "-trainee"}
    whole = client.get(reverse("dashboard_export_csv"), params).content
    monkeypatch.setattr(views, "EXPORT_CHUNK", 2)
    chunked = client.get(reverse("dashboard_export_csv"), params).content
    assert chunked == whole
    names = [line.split(b",")[0] for line in whole.splitlines()[1:]]
    assert len(names) == len(offices["all"])
    assert names == sorted(names, key=lambda n: n.decode().lower(), reverse=True)
