"""The certification gate: client work before the role-play certification is refused when typed
(form, CSV, API) and flagged, never counted toward a bonus, when a connector sends it."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from courses.models import Enrollment
from mentors.activity_summary import summary_rebuild
from mentors.importing import import_csv
from mentors.integration import INTEGRATION_GROUP
from mentors.models import Activity, ActivityDay
from mentors.services import statement_compute
from people.roles import Role
from quizzes import services as quiz_services
from tests.conftest import make_user
from tests.quizzes.conftest import answer
from tests.quizzes.factories import QuizFactory, enroll, tf
from tests.quizzes.factories import make_program as quiz_program

from .factories import make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=MSK)
HEADER = "trainee_email,kind,occurred_at,source,external_id,amount,note\n"
URL = "/api/v1/activities/"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def uncertified():
    trainee = make_user(Role.TRAINEE, username="anna", email="anna@example.com")
    return make_enrollment(
        trainee=trainee, hire_date=date(2026, 2, 2), cleared_for_client_work_on=None
    )


@pytest.fixture
def api():
    user = make_user(username="crm-bot")
    user.groups.add(Group.objects.get(name=INTEGRATION_GROUP))
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _summary(enrollment):
    return dict(
        ActivityDay.objects.filter(enrollment=enrollment).values_list("kind", "count").order_by()
    )


def test_the_form_refuses_a_meeting_before_the_certification_and_says_why(client, uncertified):
    client.force_login(uncertified.trainee)
    page = client.get("/activity/")
    assert "Client work waits for the role-play certification" in page.content.decode()
    response = client.post("/activity/", {"kind": "meeting", "occurred_at": "2026-03-18T10:30"})
    assert response.status_code == 200
    errors = response.context["form"].errors["kind"]
    assert "only after the role-play certification" in errors[0]
    assert not Activity.objects.exists()
    # A call is not client work by default: it is recorded.
    response = client.post("/activity/", {"kind": "call", "occurred_at": "2026-03-18T10:30"})
    assert response.status_code == 302
    assert Activity.objects.get().kind == "call"


def test_the_program_may_gate_calls_too(client, uncertified):
    program = uncertified.program
    program.certification_gates_calls = True
    program.save()
    client.force_login(uncertified.trainee)
    response = client.post("/activity/", {"kind": "call", "occurred_at": "2026-03-18T10:30"})
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_program_that_gates_nothing_records_everything(client, uncertified):
    program = uncertified.program
    for name in program.CERTIFICATION_GATE_FIELDS.values():
        setattr(program, name, False)
    program.save()
    client.force_login(uncertified.trainee)
    assert "certification-notice" not in client.get("/activity/").content.decode()
    response = client.post("/activity/", {"kind": "meeting", "occurred_at": "2026-03-18T10:30"})
    assert response.status_code == 302


def test_once_certified_client_work_is_recorded_whatever_its_date(client, uncertified):
    Enrollment.objects.filter(pk=uncertified.pk).update(
        cleared_for_client_work_on=date(2026, 3, 10)
    )
    client.force_login(uncertified.trainee)
    assert "certification-notice" not in client.get("/activity/").content.decode()
    response = client.post("/activity/", {"kind": "contract", "occurred_at": "2026-03-09T23:30"})
    assert response.status_code == 302
    assert Activity.objects.get().before_certification is False


def test_a_csv_row_of_client_work_before_the_certification_is_a_row_error(uncertified):
    text = HEADER + "anna@example.com,call,2026-03-17T10:00:00+03:00,,,,\n"
    text += "anna@example.com,application,2026-03-17T11:00:00+03:00,,,,\n"
    result = import_csv(io.BytesIO(text.encode()), enrollments=Enrollment.objects.all())
    assert not result.saved
    assert [(e.row, e.field) for e in result.errors] == [(3, "kind")]
    assert "role-play certification" in result.errors[0].message
    assert not Activity.objects.exists()


def test_the_api_refuses_typed_client_work_and_flags_the_crms(api, uncertified):
    typed = {
        "trainee": "anna@example.com",
        "kind": "meeting",
        "occurred_at": "2026-03-17T10:00:00+03:00",
    }
    response = api.post(URL, [typed], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"
    crm = {
        "trainee": "anna@example.com",
        "kind": "contract",
        "amount": "999999.00",
        "occurred_at": "2026-03-17T10:00:00+03:00",
        "source": "crm",
        "external_id": "deal-1",
    }
    call = {**typed, "kind": "call", "source": "telephony", "external_id": "call-1"}
    response = api.post(URL, [crm, call], format="json")
    assert response.status_code == 201, response.json()
    contract = Activity.objects.get(kind="contract")
    assert contract.before_certification is True
    assert Activity.objects.get(kind="call").before_certification is False
    listed = {row["kind"]: row for row in api.get(URL).json()["results"]}
    assert listed["contract"]["before_certification"] is True
    assert _summary(uncertified) == {"call": 1}


def test_held_work_counts_once_the_trainee_passes_the_certification(api):
    """The CRM's contract is held while the trainee is not certified; passing the role-play
    (here a one-question certification, scored on submit) releases it into the bonus."""
    quiz = QuizFactory(title="Certification", is_certification=True, pass_mark=100)
    tf(quiz)
    trainee = make_user(Role.TRAINEE, username="anna", email="anna@example.com")
    enrollment = enroll(quiz_program(quiz), trainee)
    rule = make_rule(
        tiers=[
            {"name": "Base", "amount": "0"},
            {"name": "Deal", "amount": "15000", "min_contract": 1},
        ]
    )
    mentorship = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 3, 1))
    crm = {
        "trainee": "anna@example.com",
        "kind": "contract",
        "amount": "999999.00",
        "occurred_at": "2026-03-12T10:00:00+03:00",
        "source": "crm",
        "external_id": "deal-1",
    }
    assert api.post(URL, [crm], format="json").status_code == 201
    assert Activity.objects.get().before_certification is True
    statement = statement_compute(mentorship_id=mentorship.pk)
    assert statement.contract_count == 0
    assert statement.tier_name == "Base"

    attempt = quiz_services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee)
    answer(attempt, trainee, {f"q{quiz.questions.get().pk}": "true"})
    quiz_services.attempt_submit(attempt=attempt, user=trainee)
    enrollment.refresh_from_db()
    assert enrollment.cleared_for_client_work_on == NOW.date()
    assert Activity.objects.get().before_certification is False
    assert _summary(enrollment) == {"contract": 1}
    statement = statement_compute(mentorship_id=mentorship.pk)
    assert statement.contract_count == 1
    assert statement.tier_name == "Deal"


def test_the_summary_follows_the_flag_and_a_rebuild_leaves_flagged_rows_out(uncertified):
    when = datetime(2026, 3, 17, 10, 0, tzinfo=MSK)
    flagged = Activity.objects.create(
        enrollment=uncertified,
        kind="meeting",
        occurred_at=when,
        source="crm",
        before_certification=True,
    )
    Activity.objects.create(enrollment=uncertified, kind="meeting", occurred_at=when, source="crm")
    assert _summary(uncertified) == {"meeting": 1}
    flagged.before_certification = False
    flagged.save()
    assert _summary(uncertified) == {"meeting": 2}
    Activity.objects.filter(pk=flagged.pk).update(before_certification=True)
    assert _summary(uncertified) == {"meeting": 1}
    flagged.delete()
    assert _summary(uncertified) == {"meeting": 1}
    Activity.objects.create(
        enrollment=uncertified,
        kind="meeting",
        occurred_at=when,
        source="crm",
        before_certification=True,
    )
    summary_rebuild()
    assert _summary(uncertified) == {"meeting": 1}


def test_the_log_marks_flagged_work(client, uncertified):
    Activity.objects.create(
        enrollment=uncertified,
        kind="meeting",
        occurred_at=datetime(2026, 3, 17, 10, 0, tzinfo=MSK),
        source="crm",
        before_certification=True,
    )
    client.force_login(uncertified.trainee)
    assert "before the certification" in client.get("/activity/").content.decode()
