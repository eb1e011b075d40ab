"""The REST API: batch intake (idempotent, all-or-nothing), lists, authentication, visibility."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils.timezone import localdate
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity, BonusStatement
from mentors.services import statement_compute
from people.roles import Role
from tests.conftest import make_user

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
URL = "/api/v1/activities/"


@pytest.fixture
def integration_user():
    user = make_user(username="crm-bot")
    user.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    return user


@pytest.fixture
def api(integration_user):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=integration_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def enrollment():
    trainee = make_user(Role.TRAINEE, username="anna", email="anna@example.com")
    return make_enrollment(trainee=trainee, hire_date=localdate() - timedelta(days=40))


def item(**kw):
    when = (datetime.now(MSK) - timedelta(days=1)).replace(microsecond=0)
    data = {"trainee": "anna@example.com", "kind": "call", "occurred_at": when.isoformat()}
    data.update(kw)
    return data


def test_post_creates_and_the_same_batch_twice_creates_nothing(api, enrollment):
    batch = [item(external_id=f"call-{i}", source="telephony") for i in range(3)]
    batch.append(item(kind="contract", amount="125000.50", external_id="deal-1", source="crm"))
    first = api.post(URL, batch, format="json")
    assert first.status_code == 201, first.json()
    assert first.json() == {"created": 4, "duplicates": 0}
    second = api.post(URL, batch, format="json")
    assert second.status_code == 201
    assert second.json() == {"created": 0, "duplicates": 4}
    assert Activity.objects.count() == 4
    contract = Activity.objects.get(kind="contract")
    assert contract.amount == Decimal("125000.50")
    assert contract.source == "crm"
    assert Activity.objects.filter(source="telephony").count() == 3


def test_default_source_is_api_and_repeats_inside_a_batch_are_duplicates(api, enrollment):
    response = api.post(URL, [item(external_id="x"), item(external_id="x")], format="json")
    assert response.json() == {"created": 1, "duplicates": 1}
    assert Activity.objects.get().source == "api"


def test_one_bad_item_saves_nothing_and_lists_the_errors(api, enrollment):
    batch = [
        item(external_id="ok-1"),
        item(occurred_at="2026-03-01T10:00:00"),  # naive
        item(kind="call", amount="10.00"),  # amount only for contracts
        item(trainee="nobody@example.com"),
        item(occurred_at=(datetime.now(MSK) + timedelta(days=2)).isoformat()),  # future
        item(occurred_at=datetime(2000, 1, 1, tzinfo=MSK).isoformat()),  # before hire
        item(kind="lunch"),
    ]
    response = api.post(URL, batch, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {
        (1, "occurred_at"),
        (2, "amount"),
        (3, "trainee"),
        (4, "occurred_at"),
        (5, "occurred_at"),
        (6, "kind"),
    }
    assert all(e["message"] for e in errors)
    assert Activity.objects.count() == 0


def test_more_than_5000_items_is_a_clear_400(api, enrollment):
    response = api.post(URL, [item()] * 5001, format="json")
    assert response.status_code == 400
    assert "5000" in response.json()["errors"][0]["message"]
    assert Activity.objects.count() == 0


def test_not_an_array_is_a_400(api, enrollment):
    response = api.post(URL, item(), format="json")
    assert response.status_code == 400


def test_without_token_401_and_without_permission_403(enrollment, mentor):
    anonymous = APIClient()
    assert anonymous.post(URL, [item()], format="json").status_code == 401
    assert anonymous.get(URL).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=mentor).key}")
    assert client.post(URL, [item()], format="json").status_code == 403
    assert Activity.objects.count() == 0


def test_session_authentication_works_too(enrollment, hr):
    client = APIClient()
    client.force_login(hr)
    assert client.post(URL, [item()], format="json").status_code == 201


def test_list_filters_and_shape(api, enrollment):
    add_activities(enrollment, "call", 2, datetime(2026, 1, 5, 10, tzinfo=MSK))
    add_activities(
        enrollment, "contract", 1, datetime(2026, 1, 6, 10, tzinfo=MSK), amount=Decimal("99.90")
    )
    response = api.get(URL, {"trainee": "ANNA@example.com", "kind": "contract"})
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == {
        "id",
        "trainee",
        "kind",
        "occurred_at",
        "source",
        "provenance",
        "confirmed_at",
        "external_id",
        "amount",
        "note",
        "decision_maker_reached",
        "before_certification",
    }
    assert row["before_certification"] is False
    assert row["amount"] == "99.90"
    assert row["trainee"] == "anna@example.com"
    body = api.get(
        URL, {"occurred_after": "2026-01-06", "occurred_before": "2026-01-07T00:00:00+03:00"}
    ).json()
    assert body["count"] == 1
    assert api.get(URL, {"occurred_after": "2026-01-06T10:00:00"}).status_code == 400


def test_visibility_of_activities_in_the_api(enrollment, mentor):
    other_trainee = make_user(Role.TRAINEE)
    other = make_enrollment(trainee=other_trainee)
    make_mentorship(enrollment=other, mentor=mentor)
    add_activities(enrollment, "call", 2, datetime(2026, 1, 20, 10, tzinfo=MSK))
    add_activities(other, "call", 3, datetime(2026, 1, 20, 10, tzinfo=MSK))

    def count(user, **params):
        client = APIClient()
        client.force_authenticate(user)
        return client.get(URL, params).json()["count"]

    assert count(mentor) == 3  # only the mentee's
    assert count(mentor, trainee="anna@example.com") == 0  # not their mentee: nothing
    assert count(enrollment.trainee) == 2  # a trainee: their own
    assert count(make_user(Role.DIRECTOR)) == 5
    assert count(make_user()) == 0  # no role


def test_bonus_rules_shape(api):
    make_rule()
    body = api.get("/api/v1/bonus-rules/").json()
    assert body[0]["name"] == "Standard"
    assert body[0]["currency"] == "RUB"
    assert body[0]["period_days"] == 30
    assert body[0]["tiers"][1] == {
        "name": "Increased",
        "amount": "15000.00",
        "min_call": 300,
        "min_meeting": 0,
        "min_application": 10,
        "min_contract": 0,
    }


def test_statements_visibility_and_shape(api, enrollment, mentor):
    other_mentor = make_user(Role.MENTOR, email="elena@example.com")
    mine = make_mentorship(enrollment=enrollment, mentor=mentor, started_on=enrollment.hire_date)
    theirs = make_mentorship(mentor=other_mentor)
    statement_compute(mentorship_id=mine.pk)
    statement_compute(mentorship_id=theirs.pk)
    body = api.get("/api/v1/bonus-statements/", {"status": "final"}).json()
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["mentorship"] == mine.pk)
    assert row["counts"] == {"call": 0, "meeting": 0, "application": 0, "contract": 0}
    assert row["tier"] == "Base"
    assert row["amount"] == "5000.00"
    assert row["currency"] == "RUB"
    assert row["mentor"] == mentor.email
    assert row["trainee"] == "anna@example.com"
    assert row["needs_review"] is False
    assert row["rule"] == "Standard"

    client = APIClient()
    client.force_authenticate(mentor)
    assert client.get("/api/v1/bonus-statements/").json()["count"] == 1
    asked = client.get("/api/v1/bonus-statements/", {"mentor": "elena@example.com"}).json()
    assert asked["count"] == 0  # another mentor's statements: nothing
    client.force_authenticate(enrollment.trainee)
    assert client.get("/api/v1/bonus-statements/").json()["count"] == 0
    assert BonusStatement.objects.count() == 2


def test_create_api_token_command(capsys):
    call_command("create_api_token", "telephony", "--create", "--integration")
    key = capsys.readouterr().out.strip()
    token = Token.objects.get(key=key)
    assert token.user.has_perm("mentors.add_activity")
    call_command("create_api_token", "telephony")
    assert capsys.readouterr().out.strip() == key  # the same token again


def test_schema_documents_the_endpoints(client, director):
    client.force_login(director)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/activities/"])
    post = paths["/api/v1/activities/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"201", "400", "401", "403"} <= set(post["responses"])
    assert "/api/v1/bonus-rules/" in paths
    assert "/api/v1/bonus-statements/" in paths


def test_counts_of_new_repeated_and_known_ids_in_one_batch(api, enrollment):
    assert api.post(URL, [item(external_id="old", source="crm")], format="json").status_code == 201
    batch = [
        item(external_id="n-1", source="crm"),
        item(external_id="old", source="crm"),  # in the database
        item(external_id="n-1", source="crm", note="again"),  # earlier in the batch
        item(external_id="n-1", source="telephony"),  # another source: not a repeat
        item(),  # no id: never a duplicate
        item(),
    ]
    response = api.post(URL, batch, format="json")
    assert response.json() == {"created": 4, "duplicates": 2}
    assert Activity.objects.get(source="crm", external_id="n-1").note == ""


def test_an_offset_postgresql_would_refuse_is_stored_as_the_same_instant(api, enrollment):
    moment = (datetime.now(MSK) - timedelta(days=1)).replace(microsecond=0)
    east = moment.astimezone(timezone(timedelta(hours=20))).isoformat()
    response = api.post(URL, [item(occurred_at=east)], format="json")
    assert response.status_code == 201, response.json()
    assert Activity.objects.get().occurred_at == moment


@pytest.mark.parametrize("trainees", [3, 60])
def test_a_batch_looks_its_trainees_up_together(
    api, enrollment, django_assert_max_num_queries, trainees
):
    emails = [f"t{i}@example.com" for i in range(trainees)]
    for email in emails:
        make_enrollment(
            trainee=make_user(Role.TRAINEE, email=email), hire_date=enrollment.hire_date
        )
    batch = [item(trainee=emails[i % trainees], external_id=f"x-{i}") for i in range(600)]
    # 20, and the provenance's two (whose trainee and mentor the poster is) and the flag on
    # the trainees' statements: the same at both sizes.
    # +1: the trainees' certification clearances (mentors/certification.py), once a batch.
    with django_assert_max_num_queries(24):
        response = api.post(URL, batch, format="json")
    assert response.json() == {"created": 600, "duplicates": 0}
