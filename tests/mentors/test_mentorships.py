"""Assigning and ending mentorships: who may, the cap, the replacement, history."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from mentors import services
from mentors.models import MentoringSettings, Mentorship
from people.roles import Role
from tests.conftest import make_user

from .factories import make_enrollment, make_program, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule():
    return make_rule()


def assign(enrollment, mentor, by, rule, on=date(2026, 1, 15)):
    return services.mentorship_assign(
        enrollment=enrollment, mentor=mentor, started_on=on, bonus_rule=rule, assigned_by=by
    )


def test_hr_and_head_of_sales_assign_others_may_not(rule, hr, head_of_sales, mentor, director):
    e1, e2, e3 = make_enrollment(), make_enrollment(), make_enrollment()
    assert assign(e1, mentor, hr, rule).mentor == mentor
    assert assign(e2, head_of_sales, head_of_sales, rule).mentor == head_of_sales
    with pytest.raises(PermissionDenied):
        assign(e3, mentor, director, rule)
    with pytest.raises(PermissionDenied):
        assign(e3, mentor, mentor, rule)


def test_mentor_must_be_a_mentor_or_head_of_sales(rule, hr):
    with pytest.raises(ValidationError) as exc:
        assign(make_enrollment(), make_user(Role.TRAINEE), hr, rule)
    assert "mentor" in exc.value.message_dict


def test_the_cap_per_program_is_enforced_with_a_clear_message(rule, hr, mentor):
    program = make_program()
    for _ in range(3):
        assign(make_enrollment(program=program), mentor, hr, rule)
    with pytest.raises(ValidationError) as exc:
        assign(make_enrollment(program=program), mentor, hr, rule)
    assert "3 active mentees" in exc.value.message_dict["mentor"][0]
    # Another program has its own count; a program's override raises the cap.
    other = make_program("Key accounts")
    assign(make_enrollment(program=other), mentor, hr, rule)
    MentoringSettings.objects.create(program=program, mentee_cap=4)
    assign(make_enrollment(program=program), mentor, hr, rule)


def test_the_site_wide_cap_is_a_setting(rule, hr, mentor, settings):
    settings.MENTOR_MAX_MENTEES = 1
    program = make_program()
    assign(make_enrollment(program=program), mentor, hr, rule)
    with pytest.raises(ValidationError) as exc:
        assign(make_enrollment(program=program), mentor, hr, rule)
    assert "1 active mentee" in exc.value.message_dict["mentor"][0]


def test_changing_mentor_ends_the_current_mentorship_and_keeps_history(rule, hr, mentor):
    enrollment = make_enrollment()
    first = assign(enrollment, mentor, hr, rule, on=date(2026, 1, 15))
    other = make_user(Role.MENTOR)
    second = assign(enrollment, other, hr, rule, on=date(2026, 2, 1))
    first.refresh_from_db()
    assert first.ended_on == date(2026, 2, 1)
    assert first.end_reason == "Mentor changed"
    assert second.is_active
    assert Mentorship.objects.filter(enrollment=enrollment).count() == 2
    with pytest.raises(ValidationError):
        assign(enrollment, other, hr, rule, on=date(2026, 2, 2))  # already theirs


def test_one_active_mentorship_per_enrollment_is_a_database_constraint(rule, mentor):
    enrollment = make_enrollment()
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 1, 15))
    with pytest.raises(IntegrityError), transaction.atomic():
        Mentorship.objects.create(
            enrollment=enrollment, mentor=make_user(Role.MENTOR), started_on=date(2026, 1, 16)
        )


def test_end_needs_a_reason_and_records_the_date(rule, hr, mentor):
    m = assign(make_enrollment(), mentor, hr, rule)
    with pytest.raises(ValidationError):
        services.mentorship_end(mentorship=m, ended_on=date(2026, 2, 1), reason=" ", user=hr)
    services.mentorship_end(mentorship=m, ended_on=date(2026, 2, 1), reason="Left", user=hr)
    m.refresh_from_db()
    assert (m.ended_on, m.end_reason) == (date(2026, 2, 1), "Left")
    with pytest.raises(ValidationError):
        services.mentorship_end(mentorship=m, ended_on=date(2026, 2, 2), reason="x", user=hr)


def test_dropping_the_trainee_ends_the_mentorship(rule, hr, mentor):
    m = assign(make_enrollment(), mentor, hr, rule)
    services.mentorships_end_for_enrollment(
        enrollment=m.enrollment, on=date(2026, 3, 1), reason="Trainee dropped"
    )
    m.refresh_from_db()
    assert m.ended_on == date(2026, 3, 1)


def test_mentorships_page_assigns_and_ends(client, rule, hr, mentor):
    enrollment = make_enrollment()
    client.force_login(hr)
    response = client.post(
        "/mentorships/",
        {
            "enrollment": enrollment.pk,
            "mentor": mentor.pk,
            "started_on": "2026-01-20",
            "bonus_rule": rule.pk,
        },
    )
    assert response.status_code == 302
    m = Mentorship.objects.get(enrollment=enrollment)
    page = client.get("/mentorships/")
    assert mentor.get_full_name().encode() in page.content
    response = client.post(
        f"/mentorships/{m.pk}/end/", {"ended_on": "2026-02-20", "reason": "Moved to Kazan"}
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.ended_on == date(2026, 2, 20)


def test_mentorships_page_shows_the_cap_message_next_to_the_field(client, rule, hr, mentor):
    program = make_program()
    for _ in range(3):
        assign(make_enrollment(program=program), mentor, hr, rule)
    client.force_login(hr)
    response = client.post(
        "/mentorships/",
        {
            "enrollment": make_enrollment(program=program).pk,
            "mentor": mentor.pk,
            "started_on": "2026-01-20",
            "bonus_rule": rule.pk,
        },
    )
    assert response.status_code == 200
    assert b"the most this program allows" in response.content
    assert b'class="field has-error"' in response.content


def test_mentorships_page_is_for_hr_and_head_of_sales(client, mentor, trainee, director):
    for user in (mentor, trainee, director):
        client.force_login(user)
        assert client.get("/mentorships/").status_code == 403


def test_hr_and_head_of_sales_see_bonus_rules_in_the_admin_but_only_a_director_edits(
    client, hr, head_of_sales, director, mentor
):
    rule = make_rule()
    for user in (hr, head_of_sales):
        client.force_login(user)
        assert client.get("/admin/snippets/mentors/bonusrule/").status_code == 200
        edit = client.get(f"/admin/snippets/mentors/bonusrule/edit/{rule.pk}/")
        assert edit.status_code == 302  # Wagtail's "permission denied" redirect
        assert client.get("/admin/mentoring/mentee-caps/").status_code == 200
    client.force_login(director)
    edit = client.get(f"/admin/snippets/mentors/bonusrule/edit/{rule.pk}/")
    assert edit.status_code == 200
    assert b"Increased" in edit.content
    client.force_login(mentor)
    assert client.get("/admin/snippets/mentors/bonusrule/").status_code in (302, 403)
