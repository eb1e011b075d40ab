"""Audit: grade overrides, extra attempts, bonus approvals, drops and sign-offs record who, when
and why, and a director can read that history in the product (on the page of the record and
all together on the audit history page)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import EnrollmentEvent, StageProgress
from mentors import services as mentor_services
from people.names import display_name
from quizzes import services as quiz_services
from quizzes.models import Attempt, ExtraAttemptGrant, GradeChange

from .matrix import client_for


def _graded(world, points="1"):
    hr = world.user("hr")
    quiz_services.attempt_lease_acquire(attempt=world.attempt_a, user=hr)
    quiz_services.attempt_grade(
        attempt=world.attempt_a,
        grader=hr,
        grades={world.response_a.pk: quiz_services.ResponseGrade(points=Decimal(points))},
        finish=True,
    )
    return Attempt.objects.get(pk=world.attempt_a.pk)


def test_a_grade_override_records_who_when_why_and_the_director_sees_it(world):
    _graded(world)
    director = world.user("director")
    quiz_services.response_override(
        response=world.response_a,
        user=director,
        grade=quiz_services.ResponseGrade(points=Decimal("5")),
        reason="Second reading: the discount rules were right",
    )
    change = GradeChange.objects.get(response=world.response_a, is_override=True)
    assert change.changed_by == director
    assert change.changed_at is not None
    assert change.reason == "Second reading: the discount rules were right"
    assert (change.old_points, change.new_points) == (Decimal("1"), Decimal("5"))
    page = client_for(world, "director").get(reverse("quizzes:attempt", args=[world.attempt_a.pk]))
    body = page.content.decode()
    assert "Second reading: the discount rules were right" in body
    assert display_name(director) in body


def test_an_extra_attempt_records_who_when_why(world):
    world.quiz.max_attempts = 1
    world.quiz.save(update_fields=["max_attempts"])
    _graded(world, points="0")  # failed the only allowed attempt
    hr = world.user("hr")
    quiz_services.extra_attempt_grant(
        enrollment=world.enrollment_a, quiz=world.quiz, user=hr, reason="Was ill on the day"
    )
    grant = ExtraAttemptGrant.objects.get(enrollment=world.enrollment_a, quiz=world.quiz)
    assert (grant.granted_by, grant.reason) == (hr, "Was ill on the day")
    assert grant.granted_at is not None


def test_the_director_sees_extra_attempt_grants_somewhere(world):
    world.quiz.max_attempts = 1
    world.quiz.save(update_fields=["max_attempts"])
    _graded(world, points="0")
    quiz_services.extra_attempt_grant(
        enrollment=world.enrollment_a,
        quiz=world.quiz,
        user=world.user("hr"),
        reason="Was ill on the day",
    )
    client = client_for(world, "director")
    pages = [
        reverse("courses:enrollment_detail", args=[world.enrollment_a.pk]),
        reverse("ramp_drilldown", args=[world.enrollment_a.pk]),
        reverse("quizzes:quiz_results", args=[world.quiz.slug]),
        reverse("quizzes:attempt", args=[world.attempt_a.pk]),
        reverse("audit"),
    ]
    assert any("Was ill on the day" in client.get(url).content.decode() for url in pages)
    # Both the drill-down and the audit history show who granted it and why.
    for url in (reverse("ramp_drilldown", args=[world.enrollment_a.pk]), reverse("audit")):
        body = client.get(url).content.decode()
        assert "Was ill on the day" in body, url
        assert display_name(world.user("hr")) in body, url


def test_a_bonus_approval_records_who_and_when_and_the_director_sees_it(world):
    later = timezone.now() + timedelta(days=40)
    statement = mentor_services.statement_compute(mentorship_id=world.mentorship_a.pk, now=later)
    assert statement.status == "final"
    head = world.user("head_of_sales")
    mentor_services.statement_approve(
        statement=statement, user=head, note="Numbers checked against the CRM"
    )
    statement.refresh_from_db()
    assert statement.approved_by == head
    assert statement.approved_at is not None
    assert statement.approval_note == "Numbers checked against the CRM"
    director = client_for(world, "director")
    for url in (reverse("mentors:bonuses"), reverse("audit")):
        body = director.get(url).content.decode()
        assert display_name(head) in body, url
        assert "Numbers checked against the CRM" in body, url


def test_a_drop_records_who_when_why_and_the_director_sees_it(world):
    hr = world.user("hr")
    course_services.enrollment_drop(
        enrollment=world.enrollment_a, user=hr, reason="Left for a competitor"
    )
    event = EnrollmentEvent.objects.get(
        enrollment=world.enrollment_a, kind=EnrollmentEvent.Kind.DROPPED
    )
    assert (event.actor, event.reason) == (hr, "Left for a competitor")
    assert event.at is not None
    body = (
        client_for(world, "director")
        .get(reverse("courses:enrollment_detail", args=[world.enrollment_a.pk]))
        .content.decode()
    )
    assert "Left for a competitor" in body
    assert display_name(hr) in body


def test_a_sign_off_records_who_when_why_and_the_director_sees_it(world):
    # Open the last stage (what finishing stage 1 does).
    StageProgress.objects.filter(enrollment=world.enrollment_a).update(
        status=StageProgress.Status.COMPLETED
    )
    StageProgress.objects.filter(enrollment=world.enrollment_a, stage=world.stage2).update(
        status=StageProgress.Status.AVAILABLE
    )
    mentor = world.user("mentor_a")
    sign_off = course_services.readiness_sign_off(
        enrollment=world.enrollment_a, user=mentor, note="Closed three contracts alone"
    )
    assert (sign_off.signed_by, sign_off.note) == (mentor, "Closed three contracts alone")
    assert sign_off.signed_at is not None
    body = (
        client_for(world, "director")
        .get(reverse("ramp_drilldown", args=[world.enrollment_a.pk]))
        .content.decode()
    )
    assert "Closed three contracts alone" in body
    assert display_name(mentor) in body


def test_the_audit_history_shows_overrides_drops_and_sign_offs_in_one_place(world):
    _graded(world)
    director, hr, mentor = world.user("director"), world.user("hr"), world.user("mentor_a")
    quiz_services.response_override(
        response=world.response_a,
        user=director,
        grade=quiz_services.ResponseGrade(points=Decimal("5")),
        reason="Second reading",
    )
    course_services.enrollment_drop(enrollment=world.enrollment_b, user=hr, reason="Left us")
    StageProgress.objects.filter(enrollment=world.enrollment_a).update(
        status=StageProgress.Status.COMPLETED
    )
    StageProgress.objects.filter(enrollment=world.enrollment_a, stage=world.stage2).update(
        status=StageProgress.Status.AVAILABLE
    )
    course_services.readiness_sign_off(enrollment=world.enrollment_a, user=mentor, note="Ready")
    body = client_for(world, "director").get(reverse("audit")).content.decode()
    for text in ("Second reading", "Left us", "Grade override", "Dropped", "Signed off as ready"):
        assert text in body, text
    for person in (director, hr, mentor):
        assert display_name(person) in body
