"""A manager hired before the product: on the ladder without an enrollment, so no activity is
ever recorded for them. An activity threshold says "no records" (never "0 of 20") and is met
by a confirmation of the head of sales or a director; for someone with an enrollment it
stays computed from the records."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from careers import selectors, services
from careers.models import Requirement
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll
from tests.courses.factories import make_program as make_course_program

from .factories import make_ladder, make_offices, place

pytestmark = pytest.mark.django_db
TODAY = date(2027, 12, 1)


@pytest.fixture
def ladder():
    offices = make_offices()
    ladder = make_ladder(offices)
    ladder.offices = offices
    return ladder


@pytest.fixture
def veteran(ladder, director):
    """Hired in 2019, entered on level 1 by a director: no enrollment, no activity."""
    person = make_user(Role.TRAINEE, first_name="Oleg", last_name="Veteranov")
    place(person, ladder.offices["Moscow"], hire_date=date(2019, 3, 1))
    services.level_enter(person=person, decided_by=director, on=date(2024, 1, 10))
    return person


def activity_state(person):
    standing = selectors.standing_of(person, today=TODAY)
    return next(s for s in standing.states if s.kind == Requirement.Kind.ACTIVITY), standing


def test_no_enrollment_means_no_records_not_zero(veteran):
    state, standing = activity_state(veteran)
    assert standing.enrolled is False
    assert state.met is False
    assert state.value is None
    assert "No activity records" in state.figure
    assert "0 of" not in state.figure
    assert "confirms it" in state.advice
    # The snapshot a proposal keeps says the same.
    assert standing.evidence_snapshot()[1]["figure"] == state.figure


def test_the_head_of_sales_confirms_it_nobody_else(veteran, ladder, hr, head_of_sales, director):
    requirement = ladder.levels.get(number=2).requirements.get(kind=Requirement.Kind.ACTIVITY)
    for user in (veteran, hr, make_user(Role.MENTOR)):
        with pytest.raises(PermissionDenied):
            services.evidence_record(person=veteran, requirement=requirement, user=user, note="x")
    with pytest.raises(ValidationError):  # what was seen must be said
        services.evidence_record(person=veteran, requirement=requirement, user=head_of_sales)
    services.evidence_record(
        person=veteran,
        requirement=requirement,
        user=head_of_sales,
        note="CRM report: 34 meetings with decision-makers, Sep-Nov 2027.",
    )
    state, _ = activity_state(veteran)
    assert state.met is True
    assert "Confirmed by" in state.figure


def test_with_an_enrollment_the_threshold_stays_computed(ladder, head_of_sales, hr):
    enrollment = enroll(make_course_program(stages=1), hire_date=date(2027, 9, 1), by=hr)
    person = enrollment.trainee
    services.level_enter(person=person, decided_by=head_of_sales, on=date(2027, 10, 1))
    state, standing = activity_state(person)
    assert standing.enrolled is True
    assert (state.met, state.value) == (False, 0)
    assert "0 meetings of 20" in state.figure
    requirement = ladder.levels.get(number=2).requirements.get(kind=Requirement.Kind.ACTIVITY)
    with pytest.raises(ValidationError):
        services.evidence_record(
            person=person, requirement=requirement, user=head_of_sales, note="Seen."
        )


def test_the_person_page_says_no_records_and_offers_the_confirmation(
    client, veteran, ladder, head_of_sales
):
    requirement = ladder.levels.get(number=2).requirements.get(kind=Requirement.Kind.ACTIVITY)
    client.force_login(head_of_sales)
    page = client.get(reverse("careers:person", args=[veteran.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "No activity records" in html
    assert f'<option value="{requirement.pk}"' in html
    response = client.post(
        reverse("careers:evidence", args=[veteran.pk]),
        {"requirement": requirement.pk, "note": "CRM: 30 meetings in 90 days."},
    )
    assert response.status_code == 302
    assert (
        "Confirmed by" in client.get(reverse("careers:person", args=[veteran.pk])).content.decode()
    )
