"""Grading: part-way saves, finishing, the lease, overrides with history, notifications."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.models import StageProgress
from people.models import Notification
from people.roles import Role
from quizzes import services
from quizzes.models import Attempt, GradeChange
from tests.conftest import make_user
from tests.quizzes.conftest import answer
from tests.quizzes.factories import (
    QuizFactory,
    enroll,
    first_stage,
    make_program,
    tf,
    written,
)

pytestmark = pytest.mark.django_db

START = "2026-03-02 10:00:00+03:00"


@pytest.fixture
def survey(mentor):
    """A submitted survey: one true/false (answered right, 1 pt) and two written questions
    (4 pt, and 5 pt as a rubric of 2 + 3); pass mark 70%."""
    quiz = QuizFactory(title="Product survey", pass_mark=70)
    auto = tf(quiz, order=1)
    plain = written(quiz, order=2, points="4")
    rubric = written(quiz, order=3, criteria=(("Accuracy", "2"), ("Completeness", "3")))
    program = make_program(quiz)
    enrollment = enroll(program, mentor=mentor)
    with time_machine.travel(START, tick=False):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        answer(attempt, enrollment.trainee, {f"q{auto.pk}": "true", f"q{plain.pk}": "Text"})
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    attempt.refresh_from_db()
    return {
        "attempt": attempt,
        "plain": attempt.responses.get(question=plain),
        "rubric": attempt.responses.get(question=rubric),
        "criteria": list(rubric.criteria.order_by("sort_order")),
        "program": program,
        "enrollment": enrollment,
    }


def grades(s, plain=None, crit=(None, None), feedback=""):
    c1, c2 = s["criteria"]
    return {
        s["plain"].pk: services.ResponseGrade(
            points=None if plain is None else Decimal(plain), feedback=feedback
        ),
        s["rubric"].pk: services.ResponseGrade(
            criteria={
                c1.pk: None if crit[0] is None else Decimal(crit[0]),
                c2.pk: None if crit[1] is None else Decimal(crit[1]),
            }
        ),
    }


def test_save_part_way_then_finish_grades_notifies_and_advances(
    survey, mentor, django_capture_on_commit_callbacks
):
    attempt = survey["attempt"]
    assert services.attempt_lease_acquire(attempt=attempt, user=mentor)
    services.attempt_grade(
        attempt=attempt, grader=mentor, grades=grades(survey, plain="3", feedback="Good")
    )
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.AWAITING_GRADING
    with pytest.raises(ValidationError, match="Score every question"):
        services.attempt_grade(attempt=attempt, grader=mentor, grades={}, finish=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_grade(
            attempt=attempt,
            grader=mentor,
            grades=grades(survey, plain="3", crit=("2", "1.5"), feedback="Good"),
            finish=True,
        )
    attempt.refresh_from_db()
    # 1 + 3 + 3.5 = 7.5 of 10
    assert attempt.awarded_points == Decimal("7.5")
    assert attempt.max_points == Decimal("10")
    assert attempt.percent == Decimal("75.0")
    assert attempt.passed is True
    assert attempt.graded_by == mentor
    assert attempt.leased_to is None
    survey["rubric"].refresh_from_db()
    assert survey["rubric"].awarded_points == Decimal("3.5")
    trainee = survey["enrollment"].trainee
    note = Notification.objects.get(recipient=trainee, title__contains="passed")
    assert note.url == reverse("quizzes:attempt", args=[attempt.pk])
    assert [m.to for m in mail.outbox] == [[trainee.email]]
    progress = StageProgress.objects.get(
        enrollment=survey["enrollment"], stage=first_stage(survey["program"])
    )
    assert progress.status == StageProgress.Status.COMPLETED


def test_points_out_of_range_are_refused(survey, mentor):
    attempt = survey["attempt"]
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    with pytest.raises(ValidationError):
        services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="4.5"))
    with pytest.raises(ValidationError):
        services.attempt_grade(
            attempt=attempt, grader=mentor, grades=grades(survey, crit=("2.5", "0"))
        )


def test_a_second_grader_cannot_take_the_lease_or_save(survey, mentor, hr):
    attempt = survey["attempt"]
    assert services.attempt_lease_acquire(attempt=attempt, user=mentor)
    assert not services.attempt_lease_acquire(attempt=attempt, user=hr)
    assert attempt.lease_holder() == mentor
    with pytest.raises(services.GradingLockError) as exc:
        services.attempt_grade(attempt=attempt, grader=hr, grades=grades(survey, plain="1"))
    assert mentor.get_full_name() in exc.value.message
    # released: the other grader takes it
    services.attempt_lease_release(attempt=attempt, user=mentor)
    assert services.attempt_lease_acquire(attempt=attempt, user=hr)


def test_a_save_after_the_lease_expired_is_refused(survey, mentor, hr, settings):
    settings.QUIZ_GRADING_LEASE_MINUTES = 30
    attempt = survey["attempt"]
    with time_machine.travel("2026-03-03 10:00:00+03:00", tick=False) as clock:
        assert services.attempt_lease_acquire(attempt=attempt, user=mentor)
        clock.shift(timedelta(minutes=29))
        services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="1"))
        # saving renewed the lease for 30 more minutes
        clock.shift(timedelta(minutes=29))
        services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="2"))
        clock.shift(timedelta(minutes=31))
        with pytest.raises(services.GradingLockError, match="expired"):
            services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="3"))
        # an expired lease is free for another grader
        assert services.attempt_lease_acquire(attempt=attempt, user=hr)
    survey["plain"].refresh_from_db()
    assert survey["plain"].awarded_points == Decimal("2")


def test_the_grading_page_answers_409_without_a_valid_lease(client, survey, mentor, hr):
    attempt = survey["attempt"]
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    client.force_login(hr)
    page = client.get(reverse("quizzes:grade", args=[attempt.pk]))
    assert page.status_code == 200
    assert "is grading this attempt" in page.content.decode()
    data = {f"r{survey['plain'].pk}-points": "2", "action": "save"}
    refused = client.post(reverse("quizzes:grade", args=[attempt.pk]), data)
    assert refused.status_code == 409
    assert "your changes were not saved" in refused.content.decode()
    as_json = client.post(
        reverse("quizzes:grade", args=[attempt.pk]), data, HTTP_ACCEPT="application/json"
    )
    assert as_json.status_code == 409
    assert as_json.json()["ok"] is False
    survey["plain"].refresh_from_db()
    assert survey["plain"].awarded_points is None


def test_opening_the_grading_page_only_reads_so_a_director_who_looks_blocks_nobody(
    client, survey, mentor, director
):
    attempt = survey["attempt"]
    url = reverse("quizzes:grade", args=[attempt.pk])
    client.force_login(director)
    page = client.get(url)
    assert page.status_code == 200
    assert "Nobody is grading this attempt" in page.content.decode()
    attempt.refresh_from_db()
    assert attempt.leased_to is None
    # the mentor saves right after the director looked
    client.force_login(mentor)
    data = {f"r{survey['plain'].pk}-points": "3", "action": "save"}
    assert client.post(url, data).status_code == 302
    survey["plain"].refresh_from_db()
    assert survey["plain"].awarded_points == Decimal("3")
    # the first save took the lease: now the director reads who holds it and cannot save
    attempt.refresh_from_db()
    assert attempt.leased_to == mentor
    client.force_login(director)
    page = client.get(url).content.decode()
    assert f"{mentor.get_full_name()} is grading this attempt" in page
    assert 'value="take"' not in page
    assert 'value="save"' not in page
    refused = client.post(url, {f"r{survey['plain'].pk}-points": "1", "action": "save"})
    assert refused.status_code == 409
    survey["plain"].refresh_from_db()
    assert survey["plain"].awarded_points == Decimal("3")


def test_take_it_is_an_explicit_action(client, survey, mentor, hr):
    attempt = survey["attempt"]
    url = reverse("quizzes:grade", args=[attempt.pk])
    client.force_login(mentor)
    assert 'value="take"' in client.get(url).content.decode()
    taken = client.post(url, {"action": "take"}, follow=True)
    assert taken.redirect_chain == [(url, 302)]
    assert "You took this attempt" in taken.content.decode()
    assert 'value="take"' not in taken.content.decode()
    attempt.refresh_from_db()
    assert attempt.leased_to == mentor
    client.force_login(hr)
    refused = client.post(url, {"action": "take"}, follow=True)
    assert f"{mentor.get_full_name()} is grading this attempt now" in refused.content.decode()
    attempt.refresh_from_db()
    assert attempt.leased_to == mentor
    as_json = client.post(url, {"action": "take"}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 409


def test_the_first_save_takes_a_free_lease_in_the_service(survey, mentor, hr):
    attempt = survey["attempt"]
    services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="2"))
    attempt.refresh_from_db()
    assert attempt.lease_holder() == mentor
    with pytest.raises(services.GradingLockError):
        services.attempt_grade(attempt=attempt, grader=hr, grades=grades(survey, plain="1"))
    survey["plain"].refresh_from_db()
    assert survey["plain"].awarded_points == Decimal("2")


def test_a_get_of_the_grading_page_does_not_take_the_lease(client, survey, mentor, hr):
    """Opening (or prefetching, or a link preview of) the grading page leaves the attempt free
    for a colleague: only a save or an explicit take holds it."""
    attempt = survey["attempt"]
    client.force_login(mentor)
    for _ in range(2):
        assert client.get(reverse("quizzes:grade", args=[attempt.pk])).status_code == 200
    attempt.refresh_from_db()
    assert attempt.leased_to_id is None
    assert attempt.lease_expires_at is None
    services.attempt_lease_acquire(attempt=attempt, user=hr)  # a colleague may take it
    attempt.refresh_from_db()
    assert attempt.leased_to_id == hr.pk


def test_the_grading_page_saves_part_way_refuses_bad_points_and_releases(client, survey, mentor):
    attempt = survey["attempt"]
    plain = survey["plain"]
    url = reverse("quizzes:grade", args=[attempt.pk])
    client.force_login(mentor)
    assert client.get(url).status_code == 200  # reads only; the first save takes the lease
    saved = client.post(url, {f"r{plain.pk}-points": "3", "action": "save"}, follow=True)
    assert saved.redirect_chain == [(url, 302)]
    assert "Saved. You can finish grading later." in saved.content.decode()
    as_json = client.post(
        url, {f"r{plain.pk}-points": "2", "action": "save"}, HTTP_ACCEPT="application/json"
    )
    assert as_json.json() == {"ok": True}
    refused = client.post(url, {f"r{plain.pk}-points": "many", "action": "save"})
    assert refused.status_code == 400
    plain.refresh_from_db()
    assert plain.awarded_points == Decimal("2")
    released = client.post(url, {"action": "release"})
    assert released["Location"] == reverse("quizzes:grading_queue")
    attempt.refresh_from_db()
    assert attempt.leased_to is None
    assert attempt.status == Attempt.Status.AWAITING_GRADING


def test_grading_through_the_page(client, survey, mentor):
    attempt = survey["attempt"]
    c1, c2 = survey["criteria"]
    client.force_login(mentor)
    page = client.get(reverse("quizzes:grade", args=[attempt.pk]))
    assert page.status_code == 200
    assert "Ref" in page.content.decode()  # the notes for graders
    url = reverse("quizzes:grade", args=[attempt.pk])
    response = client.post(
        url,
        {
            f"r{survey['plain'].pk}-points": "4",
            f"r{survey['plain'].pk}-feedback": "Complete",
            f"r{survey['rubric'].pk}-c{c1.pk}": "2",
            f"r{survey['rubric'].pk}-c{c2.pk}": "3",
            "action": "finish",
        },
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.percent == Decimal("100.0")


def test_override_needs_a_reason_keeps_history_and_recomputes(survey, mentor, director):
    attempt = survey["attempt"]
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    services.attempt_grade(
        attempt=attempt,
        grader=mentor,
        grades=grades(survey, plain="3", crit=("2", "2")),
        finish=True,
    )
    attempt.refresh_from_db()
    assert attempt.percent == Decimal("80.0")
    assert attempt.passed
    with pytest.raises(PermissionDenied):
        services.response_override(
            response=survey["plain"],
            user=mentor,
            grade=services.ResponseGrade(points=1),
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.response_override(
            response=survey["plain"],
            user=director,
            grade=services.ResponseGrade(points=Decimal(0)),
            reason=" ",
        )
    services.response_override(
        response=survey["plain"],
        user=director,
        grade=services.ResponseGrade(points=Decimal("0"), feedback="Copied from the catalogue"),
        reason="The answer was copied word for word",
    )
    attempt.refresh_from_db()
    assert attempt.percent == Decimal("50.0")
    assert attempt.passed is False
    change = GradeChange.objects.get(response=survey["plain"])
    assert (change.old_points, change.new_points, change.changed_by, change.is_override) == (
        Decimal("3"),
        Decimal("0"),
        director,
        True,
    )
    assert change.reason == "The answer was copied word for word"
    trainee = survey["enrollment"].trainee
    assert Notification.objects.filter(recipient=trainee, title__contains="changed").exists()


def test_a_regrade_before_finishing_is_in_the_history(survey, mentor):
    attempt = survey["attempt"]
    services.attempt_lease_acquire(attempt=attempt, user=mentor)
    services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="1"))
    assert not GradeChange.objects.exists()  # first set: no change yet
    services.attempt_grade(attempt=attempt, grader=mentor, grades=grades(survey, plain="2"))
    change = GradeChange.objects.get()
    assert (change.old_points, change.new_points) == (Decimal("1"), Decimal("2"))


def test_director_and_hr_grade_any_attempt_but_another_mentor_cannot(survey):
    attempt = survey["attempt"]
    other_mentor = make_user(Role.MENTOR)
    with pytest.raises(PermissionDenied):
        services.attempt_grade(attempt=attempt, grader=other_mentor, grades={})
    director = make_user(Role.DIRECTOR)
    assert services.attempt_lease_acquire(attempt=attempt, user=director)
    services.attempt_grade(attempt=attempt, grader=director, grades=grades(survey, plain="1"))


def test_submission_tells_the_mentor(survey, mentor):
    assert Notification.objects.filter(
        recipient=mentor, url=reverse("quizzes:grade", args=[survey["attempt"].pk])
    ).exists()


def test_lease_is_taken_for_the_configured_minutes(survey, mentor, settings):
    settings.QUIZ_GRADING_LEASE_MINUTES = 45
    attempt = survey["attempt"]
    with time_machine.travel("2026-03-03 10:00:00+03:00", tick=False):
        services.attempt_lease_acquire(attempt=attempt, user=mentor)
        assert attempt.lease_expires_at == timezone.now() + timedelta(minutes=45)
