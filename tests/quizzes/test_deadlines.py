"""The daily task: reminders 2 days before and on the due date, escalation when overdue."""

from datetime import date

import pytest
import time_machine

from people.models import Notification
from people.roles import Role
from quizzes import services, tasks
from tests.conftest import make_user
from tests.quizzes.factories import QuizFactory, enroll, make_program, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(mentor):
    """Submitted on 2 March 2026: due 23 March, overdue 30 March."""
    quiz = QuizFactory(grading_due_days=21, grading_overdue_days=28)
    written(quiz)
    enrollment = enroll(make_program(quiz), mentor=mentor)
    with time_machine.travel("2026-03-02 10:00:00+03:00", tick=False):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    attempt.refresh_from_db()
    assert attempt.grading_due_on == date(2026, 3, 23)
    assert attempt.grading_overdue_on == date(2026, 3, 30)
    return attempt


def run_on(day: str):
    with time_machine.travel(f"{day} 08:00:00+03:00", tick=False):
        return tasks.grading_deadlines_check()


def reminders(user):
    return list(
        Notification.objects.filter(recipient=user, title__startswith="Grading due")
        .order_by("pk")
        .values_list("title", flat=True)
    )


def escalations(user):
    return Notification.objects.filter(recipient=user, title__startswith="Overdue grading").count()


def test_reminder_two_days_before_and_on_the_due_date_then_escalation(submitted, mentor):
    hr = make_user(Role.HR)
    director = make_user(Role.DIRECTOR)
    run_on("2026-03-20")
    assert reminders(mentor) == []
    run_on("2026-03-21")
    assert len(reminders(mentor)) == 1
    assert "in 2 days" in reminders(mentor)[0]
    run_on("2026-03-21")  # the task delivered twice notifies once
    run_on("2026-03-22")
    assert len(reminders(mentor)) == 1
    run_on("2026-03-23")
    assert len(reminders(mentor)) == 2
    assert "today" in reminders(mentor)[1]
    run_on("2026-03-29")
    assert escalations(hr) == escalations(director) == 0
    run_on("2026-03-30")
    assert escalations(hr) == escalations(director) == 1
    assert escalations(mentor) == 0
    run_on("2026-03-30")
    run_on("2026-03-31")
    assert escalations(hr) == escalations(director) == 1
    assert len(reminders(mentor)) == 2


def test_nothing_for_graded_attempts(submitted, mentor):
    services.attempt_lease_acquire(attempt=submitted, user=mentor)
    response = submitted.responses.get()
    services.attempt_grade(
        attempt=submitted,
        grader=mentor,
        grades={response.pk: services.ResponseGrade(points=1)},
        finish=True,
    )
    run_on("2026-03-23")
    run_on("2026-03-30")
    assert reminders(mentor) == []
    assert Notification.objects.filter(title__startswith="Overdue").count() == 0


def test_without_a_mentor_hr_is_reminded():
    hr = make_user(Role.HR)
    quiz = QuizFactory(grading_due_days=2, grading_overdue_days=5)
    written(quiz)
    enrollment = enroll(make_program(quiz))
    with time_machine.travel("2026-03-02 10:00:00+03:00", tick=False):
        attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
        services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    run_on("2026-03-02")
    assert len(reminders(hr)) == 1


def test_the_overdue_list(client, submitted):
    from django.urls import reverse

    hr = make_user(Role.HR)
    client.force_login(hr)
    with time_machine.travel("2026-03-29 12:00:00+03:00"):
        assert (
            "No grading is overdue"
            in client.get(reverse("quizzes:overdue_grading")).content.decode()
        )
    with time_machine.travel("2026-03-30 12:00:00+03:00"):
        page = client.get(reverse("quizzes:overdue_grading")).content.decode()
    assert submitted.enrollment.trainee.get_full_name() in page
    assert "7 days late" in page


def test_a_missed_due_day_is_announced_as_past_due_not_due_today(submitted, mentor):
    """The daily job did not run on the due date (23 March): the catch-up on the 24th says
    the grading is a day past due, never "due today"."""
    run_on("2026-03-24")
    reminded = Notification.objects.filter(recipient=mentor, title__startswith="Grading ")
    titles = list(reminded.values_list("title", flat=True))
    assert len(titles) == 1
    assert titles[0].startswith("Grading 1 day past due:")
    assert not any("today" in t for t in titles)
    run_on("2026-03-24")  # delivered twice: once
    assert reminded.count() == 1


def queue_deadline(client, user, moment):
    from django.urls import reverse

    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        page = client.get(reverse("quizzes:grading_queue")).content.decode()
        overdue = client.get(reverse("quizzes:overdue_grading"))
    import re

    found = re.search(r'data-deadline="(\w+)">([^<]*)<', page)
    return found.groups() if found else None, overdue


@pytest.mark.parametrize(
    ("moment", "state", "text", "on_overdue_list"),
    [
        # Europe/Moscow days: 23:59 on the 20th is still three days before the due date.
        ("2026-03-20 23:59:00+03:00", "upcoming", "due in 3 days", False),
        ("2026-03-21 00:00:00+03:00", "soon", "due in 2 days", False),
        ("2026-03-22 20:59:00+00:00", "soon", "due in 1 day", False),  # 23:59 in Moscow
        ("2026-03-22 21:00:00+00:00", "due", "due today", False),  # 00:00 in Moscow
        ("2026-03-24 00:00:00+03:00", "late", "1 day past due", False),
        ("2026-03-29 23:59:00+03:00", "late", "6 days past due", False),
        ("2026-03-30 00:00:00+03:00", "overdue", "overdue: 7 days past due", True),
    ],
)
def test_the_queue_the_overdue_list_and_the_reminders_share_one_definition(
    client, submitted, mentor, moment, state, text, on_overdue_list
):
    found, _overdue = queue_deadline(client, mentor, moment)
    assert found == (state, text)
    hr = make_user(Role.HR)
    _found, overdue = queue_deadline(client, hr, moment)
    listed = submitted.enrollment.trainee.get_full_name() in overdue.content.decode()
    assert listed is on_overdue_list
    with time_machine.travel(moment, tick=False):
        from django.utils import timezone

        assert submitted.grading_deadline(timezone.localdate()).state == state
        sent = tasks.grading_deadlines_check()
    assert (sent["escalations"] > 0) is on_overdue_list
    assert (sent["reminders"] > 0) is (state in ("soon", "due", "late"))


def test_the_due_date_counts_from_the_local_day_of_submission(mentor):
    """Submitted at 23:59 in Moscow (20:59 UTC): day 0 is that Moscow day; a minute later it
    is the next one."""
    quiz = QuizFactory(grading_due_days=21, grading_overdue_days=28)
    written(quiz)
    dates = []
    for moment in ("2026-03-02 20:59:00+00:00", "2026-03-02 21:00:00+00:00"):
        enrollment = enroll(make_program(quiz), mentor=mentor)
        with time_machine.travel(moment, tick=False):
            attempt = services.attempt_start(
                enrollment=enrollment, quiz=quiz, user=enrollment.trainee
            )
            services.attempt_submit(attempt=attempt, user=enrollment.trainee)
        attempt.refresh_from_db()
        dates.append((attempt.grading_due_on, attempt.grading_overdue_on))
    assert dates == [
        (date(2026, 3, 23), date(2026, 3, 30)),
        (date(2026, 3, 24), date(2026, 3, 31)),
    ]
