"""The audit history page: every audited decision with who, when and why, for the director,
HR and the head of sales; filters; paging with a flat query count."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import EnrollmentEvent, ReadinessSignOff, StageProgress
from mentors import payroll
from mentors import services as mentor_services
from mentors.models import BonusStatement, Mentorship
from people.names import display_name
from people.navigation import navigation
from quizzes import services as quiz_services
from quizzes.models import ExtraAttemptGrant, GradeChange
from rampup.audit import Kind, audit_events
from tests.conftest import make_user
from tests.mentors.factories import make_payroll_batch
from tests.security.matrix import client_for
from tests.security.world import build_world

URL = "/audit/"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def audited(world):
    """One of every audited decision about trainee A (and a drop of B)."""
    hr, director, head = world.user("hr"), world.user("director"), world.user("head_of_sales")
    world.quiz.max_attempts = 1
    world.quiz.save(update_fields=["max_attempts"])
    quiz_services.attempt_lease_acquire(attempt=world.attempt_a, user=hr)
    grade = quiz_services.ResponseGrade(points=Decimal("1"))
    quiz_services.attempt_grade(
        attempt=world.attempt_a, grader=hr, grades={world.response_a.pk: grade}, finish=True
    )
    quiz_services.response_override(
        response=world.response_a,
        user=director,
        grade=quiz_services.ResponseGrade(points=Decimal("2")),
        reason="Second reading by the director",
    )
    quiz_services.extra_attempt_grant(
        enrollment=world.enrollment_a, quiz=world.quiz, user=hr, reason="Was ill on the day"
    )
    statement = mentor_services.statement_compute(
        mentorship_id=world.mentorship_a.pk, now=timezone.now() + timedelta(days=40)
    )
    mentor_services.statement_approve(statement=statement, user=head, note="Checked with CRM")
    batch = payroll.payroll_batch_export(
        statements=BonusStatement.objects.filter(pk=statement.pk), user=head, fmt="csv"
    )
    payroll.payroll_batch_mark_paid(batch=batch, user=director)
    StageProgress.objects.filter(enrollment=world.enrollment_a).update(
        status=StageProgress.Status.COMPLETED
    )
    StageProgress.objects.filter(enrollment=world.enrollment_a, stage=world.stage2).update(
        status=StageProgress.Status.AVAILABLE
    )
    course_services.readiness_sign_off(
        enrollment=world.enrollment_a, user=world.user("mentor_a"), note="Closes deals alone"
    )
    course_services.enrollment_drop(enrollment=world.enrollment_b, user=hr, reason="Moved away")
    course_services.enrollment_reactivate(
        enrollment=world.enrollment_b, user=hr, reason="Came back"
    )
    return world


def _entries(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["entries"]


def test_the_director_sees_every_kind_with_who_when_and_why(audited):
    w = audited
    hr, director, head = w.user("hr"), w.user("director"), w.user("head_of_sales")
    client = client_for(w, "director")
    entries = _entries(client)
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)

    override = by_kind[Kind.GRADE_OVERRIDE][0]
    assert (override.actor, override.why) == (director, "Second reading by the director")
    assert override.trainee == w.user("trainee_a")
    assert "Product survey" in override.what
    assert "1 → 2" in override.what
    grant = by_kind[Kind.EXTRA_ATTEMPT][0]
    assert (grant.actor, grant.why, grant.what) == (hr, "Was ill on the day", "Product survey")
    approved = by_kind[Kind.BONUS_APPROVED][0]
    assert (approved.actor, approved.why) == (head, "Checked with CRM")
    assert display_name(w.user("mentor_a")) in approved.what
    paid = by_kind[Kind.BONUS_PAID][0]
    assert (paid.actor, paid.why) == (director, "")
    signed = by_kind[Kind.SIGNED_OFF]
    assert [(s.actor, s.why) for s in signed] == [(w.user("mentor_a"), "Closes deals alone")]
    dropped = by_kind[Kind.DROPPED][0]
    assert (dropped.actor, dropped.why, dropped.trainee) == (hr, "Moved away", w.user("trainee_b"))
    assert by_kind[Kind.REACTIVATED][0].why == "Came back"
    assert {e.trainee for e in by_kind[Kind.ENROLLED]} == {
        w.user("trainee_a"),
        w.user("trainee_b"),
    }
    # The sign-off completes the last stage; the stage's title is what was completed.
    assert [e.what for e in by_kind[Kind.STAGE_COMPLETED]] == [w.stage2.title]
    assert by_kind[Kind.STAGE_COMPLETED][0].why == ""
    for entry in entries:
        assert entry.at is not None

    # Newest first.
    times = [e.at for e in entries]
    assert times == sorted(times, reverse=True)

    body = client.get(URL).content.decode()
    for text in (
        "Second reading by the director",
        "Was ill on the day",
        "Checked with CRM",
        "Closes deals alone",
        "Moved away",
        display_name(head),
        display_name(hr),
        "Grade override",
        "Extra attempt",
        "Bonus approved",
        "Bonus paid",
        "Signed off as ready",
        reverse("ramp_drilldown", args=[w.enrollment_a.pk]),
    ):
        assert text in body, text


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("trainee_a", 403),
        ("mentor_a", 403),
        ("integration", 403),
        ("hr", 200),
        ("head_of_sales", 200),
        ("director", 200),
    ],
)
def test_who_may_open_the_page(audited, persona, status):
    response = client_for(audited, persona).get(URL)
    assert response.status_code == status
    if status == 302:
        assert "/login/" in response["Location"]
    if status == 200:
        assert "Was ill on the day" in response.content.decode()
    else:
        assert "Was ill on the day" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("trainee_a", False),
        ("mentor_a", False),
        ("hr", True),
        ("head_of_sales", True),
        ("director", True),
    ],
)
def test_the_navigation_links_the_page_for_those_who_may_open_it(world, persona, shown):
    urls = [url for _label, url in navigation(world.user(persona))]
    assert (URL in urls) is shown


def test_filter_by_kind(audited):
    client = client_for(audited, "director")
    assert {e.kind for e in _entries(client, kind="extra_attempt")} == {Kind.EXTRA_ATTEMPT}
    dropped = _entries(client, kind="dropped")
    assert [(e.kind, e.why) for e in dropped] == [(Kind.DROPPED, "Moved away")]
    assert {e.kind for e in _entries(client, kind="bonus_approved")} == {Kind.BONUS_APPROVED}


def test_an_unknown_kind_is_a_form_error_not_a_crash(audited):
    response = client_for(audited, "director").get(URL, {"kind": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]


def test_filter_by_trainee_name(audited):
    w = audited
    client = client_for(w, "director")
    a_only = _entries(client, trainee="zephyr")  # trainee A's last name, any case
    assert a_only
    assert {e.trainee for e in a_only} == {w.user("trainee_a")}
    both_words = _entries(client, trainee="Alisa Zephyrova")
    assert {e.trainee for e in both_words} == {w.user("trainee_a")}
    assert _entries(client, trainee="Boris")
    assert all(e.trainee == w.user("trainee_b") for e in _entries(client, trainee="Boris"))
    assert _entries(client, trainee="Nobody-by-that-name") == []


def test_filter_by_date_range_includes_both_days(audited):
    w = audited
    today = timezone.localdate()
    long_ago = datetime(2025, 3, 10, 12, 0, tzinfo=timezone.get_current_timezone())
    ExtraAttemptGrant.objects.update(granted_at=long_ago)
    EnrollmentEvent.objects.filter(kind=EnrollmentEvent.Kind.DROPPED).update(
        at=long_ago + timedelta(days=2)
    )
    client = client_for(w, "director")

    march = _entries(client, date_from="2025-03-10", date_to="2025-03-12")
    assert sorted(e.kind for e in march) == sorted([Kind.DROPPED, Kind.EXTRA_ATTEMPT])
    only_first_day = _entries(client, date_from="2025-03-10", date_to="2025-03-10")
    assert [e.kind for e in only_first_day] == [Kind.EXTRA_ATTEMPT]
    recent = _entries(client, date_from=today.isoformat())
    assert Kind.EXTRA_ATTEMPT not in {e.kind for e in recent}
    assert Kind.GRADE_OVERRIDE in {e.kind for e in recent}


def test_filters_combine(audited):
    client = client_for(audited, "director")
    assert _entries(client, kind="dropped", trainee="Zephyrova") == []
    assert len(_entries(client, kind="dropped", trainee="Boris")) == 1


def test_a_deleted_actor_still_leaves_the_event(audited):
    w = audited
    GradeChange.objects.update(changed_by=None)
    entries = _entries(client_for(w, "director"), kind="grade_override")
    assert entries
    assert entries[0].actor is None
    assert (
        "automatic"
        in client_for(w, "director").get(URL, {"kind": "grade_override"}).content.decode()
    )


def _add_events(world, n: int) -> None:
    """``n`` more trainees, each with one of most audited kinds (about 6 rows each)."""
    hr, head = world.user("hr"), world.user("head_of_sales")
    for _i in range(n):
        now = timezone.now()
        trainee = make_user("Trainee")
        enrollment = course_services.enrollment_create(
            trainee=trainee,
            program=world.program,
            hire_date=world.enrollment_a.hire_date,
            enrolled_by=hr,
        )
        ExtraAttemptGrant.objects.create(
            enrollment=enrollment, quiz=world.quiz, granted_by=hr, reason="Network outage"
        )
        attempt = quiz_services.attempt_start(enrollment=enrollment, quiz=world.quiz, user=trainee)
        response = attempt.responses.get()
        GradeChange.objects.create(
            response=response,
            old_points=Decimal(1),
            new_points=Decimal(3),
            changed_by=hr,
            reason="Re-read",
            is_override=True,
        )
        mentorship = Mentorship.objects.create(
            enrollment=enrollment,
            mentor=world.user("mentor_a"),
            bonus_rule=world.mentorship_a.bonus_rule,
            started_on=enrollment.hire_date,
        )
        BonusStatement.objects.create(
            mentorship=mentorship,
            period_start=enrollment.hire_date,
            period_end=enrollment.hire_date + timedelta(days=30),
            status="paid",
            amount=Decimal("5000"),
            approved_by=head,
            approved_at=now,
            approval_note="Fine",
            paid_by=head,
            paid_at=now,
            payroll_batch=make_payroll_batch(created_by=head),
        )
        ReadinessSignOff.objects.create(enrollment=enrollment, signed_by=head, note="Ready")
        course_services.enrollment_drop(enrollment=enrollment, user=hr, reason="Left")


def _count_queries(client, params=None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(queries), len(response.context["entries"])


def test_the_query_count_does_not_grow_with_the_rows(world):
    client = client_for(world, "director")
    _add_events(world, 2)
    small, small_rows = _count_queries(client)
    _add_events(world, 12)
    large, large_rows = _count_queries(client)
    assert small_rows < large_rows == 50  # a full page
    assert small == large, f"{small} queries with {small_rows} rows, {large} with {large_rows}"
    assert large <= 14

    # The second page costs the same, and the filters do not add queries per row.
    second, second_rows = _count_queries(client, {"page": 2})
    assert second_rows > 0
    assert second == large
    filtered, _filtered_rows = _count_queries(client, {"trainee": "a", "kind": "dropped"})
    assert filtered <= large


def test_pages_link_to_each_other_keeping_the_filters(world):
    _add_events(world, 12)
    client = client_for(world, "director")
    body = client.get(URL, {"kind": "", "trainee": ""}).content.decode()
    assert "Page 1 of" in body
    page2 = client.get(URL, {"page": 2})
    assert page2.context["page_obj"].number == 2
    filtered = client.get(URL, {"kind": "extra_attempt", "page": 1}).content.decode()
    assert "Page 1 of" not in filtered  # 12 + 0 grants: one page


def _kind(kind):
    return lambda branch: branch.filter(audit_kind=kind)


def test_the_selector_scopes_rows_to_the_trainees_a_user_may_see(audited):
    """The page is for staff who see everyone; the selector is still safe for anyone else."""
    w = audited
    mentor_rows = list(audit_events(w.user("mentor_a")))
    assert mentor_rows
    assert {r["audit_enrollment"] for r in mentor_rows} == {w.enrollment_a.pk}
    assert list(audit_events(w.user("mentor_b"), narrow=_kind("dropped"))) == []
    assert {r["audit_enrollment"] for r in audit_events(w.user("trainee_b"))} == {w.enrollment_b.pk}
    assert list(audit_events(w.user("director"), narrow=_kind("no-such-kind"))) == []
