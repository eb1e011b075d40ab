"""HTML and script typed by people (a trainee's name, answers, activity notes) are shown
escaped on every page that renders them: one test per page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from mentors import services as mentor_services
from quizzes import services as quiz_services

from .matrix import client_for
from .world import XSS, build_world

RAW = ("<script>alert(", "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture
def xss_world(db):
    return build_world(secret_a=XSS, first_name_a=XSS)


PAGES = {
    "attempt (answer)": ("mentor_a", lambda w: reverse("quizzes:attempt", args=[w.attempt_a.pk])),
    "grading page (answer, name)": (
        "mentor_a",
        lambda w: reverse("quizzes:grade", args=[w.attempt_a.pk]),
    ),
    "grading queue (name)": ("hr", lambda w: reverse("quizzes:grading_queue")),
    "quiz results (name)": (
        "mentor_a",
        lambda w: reverse("quizzes:quiz_results", args=["product-survey"]),
    ),
    "trainee's activity (note)": ("trainee_a", lambda w: reverse("mentors:activity")),
    "mentee's activity (note, name)": (
        "mentor_a",
        lambda w: reverse("mentors:mentee_activity", args=[w.enrollment_a.pk]),
    ),
    "my mentees (name)": ("mentor_a", lambda w: reverse("mentors:mentees")),
    "mentorships (name)": ("hr", lambda w: reverse("mentors:mentorships")),
    "mentor bonuses (name)": ("head_of_sales", lambda w: reverse("mentors:bonuses")),
    "enrollments (name)": ("hr", lambda w: reverse("courses:enrollments")),
    "enrollment (name)": (
        "hr",
        lambda w: reverse("courses:enrollment_detail", args=[w.enrollment_a.pk]),
    ),
    "stage page picker (name)": (
        "mentor_a",
        lambda w: f"{w.stage1.url}?enrollment={w.enrollment_a.pk}",
    ),
    "ramp-up dashboard (name)": ("director", lambda w: reverse("dashboard")),
    "drill-down (name, chart)": (
        "director",
        lambda w: reverse("ramp_drilldown", args=[w.enrollment_a.pk]),
    ),
    "notifications (name in the title)": ("mentor_a", lambda w: reverse("notifications")),
    "audit history (name)": ("director", lambda w: reverse("audit")),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_user_text_is_escaped(xss_world, page):
    persona, build = PAGES[page]
    response = client_for(xss_world, persona).get(build(xss_world))
    assert response.status_code == 200
    body = response.content.decode()
    assert ESCAPED in body, "the page does not show the text at all"
    for raw in RAW:
        assert raw not in body


def _assert_escaped(body: str) -> None:
    assert ESCAPED in body, "the page does not show the text at all"
    for raw in RAW:
        assert raw not in body


def test_reasons_and_notes_are_escaped_in_the_audit_history(world):
    """Reasons typed by staff: an extra attempt's, a bonus approval note, a drop reason."""
    hr, head = world.user("hr"), world.user("head_of_sales")
    world.quiz.max_attempts = 1
    world.quiz.save(update_fields=["max_attempts"])
    quiz_services.attempt_lease_acquire(attempt=world.attempt_a, user=hr)
    quiz_services.attempt_grade(
        attempt=world.attempt_a,
        grader=hr,
        grades={world.response_a.pk: quiz_services.ResponseGrade(points=Decimal("0"))},
        finish=True,
    )
    quiz_services.extra_attempt_grant(
        enrollment=world.enrollment_a, quiz=world.quiz, user=hr, reason=XSS
    )
    statement = mentor_services.statement_compute(
        mentorship_id=world.mentorship_a.pk, now=timezone.now() + timedelta(days=40)
    )
    mentor_services.statement_approve(statement=statement, user=head, note=XSS)
    course_services.enrollment_drop(enrollment=world.enrollment_b, user=hr, reason=XSS)
    director = client_for(world, "director")
    for kind in ("extra_attempt", "bonus_approved", "dropped"):
        response = director.get(reverse("audit"), {"kind": kind})
        assert response.status_code == 200
        _assert_escaped(response.content.decode())
    drilldown = director.get(reverse("ramp_drilldown", args=[world.enrollment_a.pk]))
    _assert_escaped(drilldown.content.decode())
    _assert_escaped(director.get(reverse("mentors:bonuses")).content.decode())
