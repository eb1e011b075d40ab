"""The ladder through its services: entering at readiness sign-off, each requirement kind
computed from the records, proposals and decisions with separation of duties, pay bands."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.documents import get_document_model

from careers import selectors, services
from careers.models import LevelChange, Requirement
from courses import services as course_services
from mentors.models import Mentorship
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, finish_stage, make_program, stages_of
from tests.mentors.factories import add_activities
from tests.quizzes.factories import QuizFactory

from .factories import make_ladder, make_offices, pass_quiz, place

pytestmark = pytest.mark.django_db
TODAY = date(2027, 12, 1)


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))  # noqa: DTZ001  made aware here


@pytest.fixture
def offices():
    return make_offices()


@pytest.fixture
def quiz():
    return QuizFactory(title="1C certification", is_certification=True)


@pytest.fixture
def ladder(offices, quiz):
    return make_ladder(offices, quiz=quiz)


@pytest.fixture
def signed_off(ladder, offices, hr, mentor):
    """A trainee through the four stages, signed off by the mentor: on level 1."""
    program = make_program(stages=4)
    enrollment = enroll(program, hire_date=date(2026, 11, 2), by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 2))
    place(enrollment.trainee, offices["Moscow"])
    course_services.readiness_sign_off(enrollment=enrollment, user=mentor, note="Ready.")
    return enrollment


def standing(person, today=TODAY):
    return selectors.standing_of(person, today=today)


def states(person, today=TODAY):
    return {s.kind: s for s in standing(person, today).states}


def test_readiness_sign_off_enters_the_first_level(signed_off, mentor):
    person = signed_off.trainee
    changes = list(selectors.history_of(person))
    assert len(changes) == 1
    entry = changes[0]
    assert (entry.level.number, entry.kind, entry.status) == (1, "entry", "approved")
    assert entry.decided_by == mentor
    assert entry.effective_on == timezone.localdate()
    now = standing(person)
    assert now.level.number == 1
    assert now.next_level.number == 2
    # Entering twice changes nothing.
    assert services.level_enter(person=person, decided_by=mentor, on=TODAY) == entry
    assert LevelChange.objects.filter(person=person).count() == 1


def test_no_ladder_no_entry(hr, mentor):
    program = make_program(stages=1)
    enrollment = enroll(program, by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 2))
    course_services.readiness_sign_off(enrollment=enrollment, user=mentor)
    assert not LevelChange.objects.exists()


def test_experience_counts_from_the_hire_date(signed_off):
    person = signed_off.trainee
    experience = states(person, date(2027, 11, 1))["experience"]
    assert (experience.met, experience.value, experience.target) == (False, 11, 12)
    assert "11 months since the hire date" in experience.figure
    assert states(person, date(2027, 11, 2))["experience"].met


def test_quiz_requirement_met_once_passed(signed_off, quiz):
    person = signed_off.trainee
    assert not states(person)["quiz"].met
    assert "not passed yet" in states(person)["quiz"].figure
    pass_quiz(signed_off, quiz, at=at(2027, 3, 4, 12))
    quiz_state = states(person)["quiz"]
    assert quiz_state.met
    assert "passed on" in quiz_state.figure


def test_activity_threshold_over_the_period(signed_off):
    person = signed_off.trainee
    recent = at(2027, 11, 20, 11)
    old = at(2027, 8, 1, 11)  # more than 90 days before TODAY
    add_activities(signed_off, "meeting", 19, recent)
    add_activities(signed_off, "meeting", 30, old)
    add_activities(signed_off, "call", 50, recent)
    activity = states(person)["activity"]
    assert (activity.met, activity.value, activity.target) == (False, 19, 20)
    assert activity.figure == "19 meetings of 20 in the last 90 days"
    add_activities(signed_off, "meeting", 1, recent)
    assert states(person)["activity"].met


def test_document_and_confirmation_need_someone_else(signed_off, hr, mentor, director):
    person = signed_off.trainee
    level = standing(person).next_level
    document_req = level.requirements.get(kind=Requirement.Kind.DOCUMENT)
    confirm_req = level.requirements.get(kind=Requirement.Kind.CONFIRMATION)
    diploma = get_document_model().objects.create(title="Diploma", file="documents/diploma.pdf")
    with pytest.raises(PermissionDenied):
        services.evidence_record(person=person, requirement=document_req, user=person,
                                 document=diploma)  # fmt: skip
    with pytest.raises(PermissionDenied):  # the mentor confirms, but files no documents
        services.evidence_record(person=person, requirement=document_req, user=mentor,
                                 document=diploma)  # fmt: skip
    with pytest.raises(ValidationError):
        services.evidence_record(person=person, requirement=document_req, user=hr)
    services.evidence_record(person=person, requirement=document_req, user=hr, document=diploma)
    with pytest.raises(PermissionDenied):  # HR files documents, but does not confirm skills
        services.evidence_record(person=person, requirement=confirm_req, user=hr, note="Seen.")
    with pytest.raises(ValidationError):
        services.evidence_record(person=person, requirement=confirm_req, user=mentor, note=" ")
    services.evidence_record(
        person=person, requirement=confirm_req, user=mentor, note="Calmed an angry client."
    )
    found = states(person)
    assert found["document"].met
    assert "Diploma on file since" in found["document"].figure
    assert found["confirmation"].met
    assert "Confirmed by" in found["confirmation"].figure
    quiz_req = level.requirements.get(kind=Requirement.Kind.QUIZ)
    with pytest.raises(ValidationError):  # computed from the records: no evidence taken
        services.evidence_record(person=person, requirement=quiz_req, user=director, note="x")


def _meet_everything(enrollment, quiz, hr, mentor):
    person = enrollment.trainee
    level = standing(person).next_level
    pass_quiz(enrollment, quiz, at=at(2027, 3, 4, 12))
    add_activities(enrollment, "meeting", 20, at(2027, 11, 20, 11))
    diploma = get_document_model().objects.create(title="Diploma", file="documents/diploma.pdf")
    services.evidence_record(
        person=person, requirement=level.requirements.get(kind="document"), user=hr,
        document=diploma,
    )  # fmt: skip
    services.evidence_record(
        person=person, requirement=level.requirements.get(kind="confirmation"), user=mentor,
        note="Resolved two escalations.",
    )  # fmt: skip
    return level


def test_ready_then_promoted_with_the_evidence_kept(signed_off, quiz, hr, mentor, head_of_sales):
    person = signed_off.trainee
    level = _meet_everything(signed_off, quiz, hr, mentor)
    assert standing(person).is_ready
    with time_machine.travel(at(2027, 12, 1, 10), tick=False):
        change = services.promotion_propose(
            person=person, level=level, user=mentor, reason="Meets every requirement.",
            pay=Decimal(38000),
        )  # fmt: skip
        services.promotion_approve(change=change, user=head_of_sales, note="Agreed.")
    change.refresh_from_db()
    assert change.status == "approved"
    assert change.decided_by == head_of_sales
    assert change.effective_on == date(2027, 12, 1)
    assert [item["met"] for item in change.evidence] == [True] * 5
    assert change.evidence[0]["figure"].startswith("12 months")
    after = standing(person, date(2027, 12, 2))
    assert after.level == level
    assert after.next_level is None
    assert after.pay == Decimal(38000)
    assert after.pay_position == "within"
    # The evidence kept does not follow the records.
    Requirement.objects.filter(pk=change.evidence[1]["requirement_id"]).update(title="Renamed")
    change.refresh_from_db()
    assert change.evidence[1]["title"] == "1C certification passed"
    assert person.notifications.filter(title__contains="Account manager II").exists()


def test_nobody_approves_their_own_promotion_or_pay(ladder, offices, head_of_sales, director):
    # The head of sales is on the ladder too: only someone else decides about them.
    place(head_of_sales, offices["Moscow"], hire_date=date(2020, 1, 1))
    entry = services.promotion_propose(
        person=head_of_sales, level=ladder.levels.get(number=1), user=director, reason="Hired."
    )
    with pytest.raises(PermissionDenied, match="own"):
        services.promotion_approve(change=entry, user=head_of_sales)
    with pytest.raises(PermissionDenied, match="own"):
        services.promotion_propose(
            person=head_of_sales, level=ladder.levels.get(number=2), user=head_of_sales, reason="x"
        )
    services.promotion_approve(change=entry, user=director)
    assert standing(head_of_sales).level.number == 1


def test_who_proposes_and_who_decides(signed_off, quiz, hr, mentor, head_of_sales, director):
    person = signed_off.trainee
    level = standing(person).next_level
    other_mentor = make_user(Role.MENTOR)
    for user in (hr, other_mentor, make_user(Role.TRAINEE)):
        with pytest.raises(PermissionDenied):
            services.promotion_propose(person=person, level=level, user=user, reason="x")
    with pytest.raises(ValidationError) as reason_missing:
        services.promotion_propose(person=person, level=level, user=mentor, reason="  ")
    assert "reason" in reason_missing.value.message_dict
    change = services.promotion_propose(person=person, level=level, user=mentor, reason="Good.")
    with pytest.raises(ValidationError, match="already waiting"):
        services.promotion_propose(person=person, level=level, user=director, reason="Again.")
    for user in (mentor, hr):
        with pytest.raises(PermissionDenied):
            services.promotion_approve(change=change, user=user)
    with pytest.raises(ValidationError):
        services.promotion_decline(change=change, user=director, note="")
    services.promotion_decline(change=change, user=director, note="Not all requirements met.")
    with pytest.raises(ValidationError, match="already been decided"):
        services.promotion_approve(change=change, user=head_of_sales)
    assert standing(person).level.number == 1  # declined: nothing changes


def test_pay_must_fit_the_band_of_the_office(signed_off, mentor):
    person = signed_off.trainee
    level = standing(person).next_level
    with pytest.raises(ValidationError) as too_high:
        services.promotion_propose(
            person=person, level=level, user=mentor, reason="Good.", pay=Decimal(41000)
        )
    assert "up to 40,000" in str(too_high.value.message_dict["pay"])
    services.promotion_propose(
        person=person, level=level, user=mentor, reason="Good.", pay=Decimal(40000)
    )


def test_only_higher_levels(signed_off, mentor):
    person = signed_off.trainee
    with pytest.raises(ValidationError):
        services.promotion_propose(
            person=person, level=standing(person).level, user=mentor, reason="Same level."
        )


def test_bands_by_office_as_entered(signed_off, offices):
    person = signed_off.trainee
    assert standing(person).next_band.maximum == Decimal(40000)
    place(person, offices["Nizhny Novgorod"])
    assert standing(person).next_band.maximum == Decimal(20000)
    assert standing(person).current_band.minimum == Decimal(12000)
    tables = selectors.ladder_tables()
    cities = [office.city for office in tables[0].offices]
    level_one = tables[0].rows[0][1]
    assert {c: (b.minimum, b.maximum) for c, b in zip(cities, level_one, strict=True)} == {
        "Moscow": (25000, 30000), "Ekaterinburg": (15000, 20000),
        "Nizhny Novgorod": (12000, 15000), "St. Petersburg": (20000, 23000),
    }  # fmt: skip


def test_backfill_enters_people_signed_off_before_the_ladder(ladder, hr, mentor):
    program = make_program(stages=1)
    enrollment = enroll(program, by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 2))
    course_services.readiness_sign_off(enrollment=enrollment, user=mentor)
    LevelChange.objects.all().delete()  # as if signed off before the ladder existed
    assert services.levels_enter_signed_off() == 1
    assert services.levels_enter_signed_off() == 0
    assert standing(enrollment.trainee).level.number == 1
