"""When a mentorship ends by itself (MENTORSHIP_ENDS_AT, docs/bonuses.md "When a mentorship
ends"), and the cap counting only trainees still in onboarding."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings
from django_celery_beat.models import PeriodicTask

from courses import services as course_services
from courses.models import Enrollment
from lms.schedule import ensure_default_schedule
from mentors import lifecycle, services, tasks
from mentors.models import BonusStatement, Mentorship
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, finish_stage, stages_of
from tests.courses.factories import make_program as make_course_program

from .factories import make_enrollment, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _moscow():
    with override_settings(TIME_ZONE="Europe/Moscow"):
        yield


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=MSK)


def assign(enrollment, mentor, hr, rule, on):
    with time_machine.travel(at(on), tick=False):
        return services.mentorship_assign(
            enrollment=enrollment, mentor=mentor, started_on=on, bonus_rule=rule, assigned_by=hr
        )


def signed_off_trainee(hr, mentor, rule, *, hire_date=date(2026, 11, 2), on=date(2026, 11, 20)):
    """A trainee through every stage with ``mentor`` assigned, then signed off by them on
    ``on``."""
    program = make_course_program(stages=2)
    enrollment = enroll(program, hire_date=hire_date, by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    mentorship = assign(enrollment, mentor, hr, rule, hire_date)
    with time_machine.travel(at(on), tick=False):
        course_services.readiness_sign_off(enrollment=enrollment, user=mentor, note="Ready.")
    mentorship.refresh_from_db()
    return enrollment, mentorship


def test_with_sign_off_the_sign_off_ends_the_mentorship_and_its_window(settings, hr, mentor):
    settings.MENTORSHIP_ENDS_AT = "sign_off"
    rule = make_rule()
    _, mentorship = signed_off_trainee(hr, mentor, rule)
    assert mentorship.ended_on == date(2026, 11, 20)
    assert mentorship.end_reason == "Signed off as ready"
    statement = services.statement_compute(mentorship_id=mentorship.pk, now=at(date(2026, 11, 21)))
    # The bonus window ends with the mentorship.
    assert (statement.period_end, statement.status) == (date(2026, 11, 20), "final")
    # Windows closing end nothing with this setting.
    other = assign(make_enrollment(hire_date=date(2026, 1, 5)), mentor, hr, rule, date(2026, 1, 5))
    assert lifecycle.mentorships_end_closed_windows(today=date(2026, 6, 1)) == 0
    other.refresh_from_db()
    assert other.is_active


def test_by_default_it_ends_once_signed_off_and_the_window_closed(settings, hr, mentor):
    """ "both": signed off on 20 Nov inside the window (2 Nov + 30 days), the mentorship runs
    on to the window's end, which is never cut short."""
    assert settings.MENTORSHIP_ENDS_AT == "both"
    _, mentorship = signed_off_trainee(hr, mentor, make_rule())
    assert mentorship.is_active
    assert lifecycle.mentorships_end_closed_windows(today=date(2026, 12, 1)) == 0
    # The window's last day is 1 Dec; it closes at 00:00 on 2 Dec.
    assert lifecycle.mentorships_end_closed_windows(today=date(2026, 12, 2)) == 1
    mentorship.refresh_from_db()
    assert (mentorship.ended_on, mentorship.end_reason) == (
        date(2026, 12, 2),
        "Bonus window closed",
    )
    statement = services.statement_compute(mentorship_id=mentorship.pk, now=at(date(2026, 12, 2)))
    assert (statement.period_start, statement.period_end) == (date(2026, 11, 2), date(2026, 12, 2))
    # Idempotent: nothing left to end.
    assert lifecycle.mentorships_end_closed_windows(today=date(2026, 12, 3)) == 0


def test_by_default_a_sign_off_after_the_window_ends_it_that_day(hr, mentor):
    _, mentorship = signed_off_trainee(hr, mentor, make_rule(), on=date(2026, 12, 20))
    assert (mentorship.ended_on, mentorship.end_reason) == (
        date(2026, 12, 20),
        "Signed off as ready",
    )
    statement = services.statement_compute(mentorship_id=mentorship.pk, now=at(date(2026, 12, 21)))
    assert statement.period_end == date(2026, 12, 2)  # the whole window


def test_by_default_a_mentorship_without_a_rule_outlives_the_sign_off(hr, mentor):
    """No bonus rule, no window to close: with "both" the sign-off alone does not end it."""
    program = make_course_program(stages=1)
    enrollment = enroll(program, hire_date=date(2026, 11, 2), by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    m = Mentorship.objects.create(
        enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 2)
    )
    course_services.readiness_sign_off(enrollment=enrollment, user=mentor)
    m.refresh_from_db()
    assert m.is_active


@pytest.mark.parametrize(("setting", "ends"), [("both", False), ("window_close", True)])
def test_a_trainee_still_in_onboarding_keeps_the_mentor_unless_window_close(
    settings, hr, mentor, setting, ends
):
    settings.MENTORSHIP_ENDS_AT = setting
    m = assign(
        make_enrollment(hire_date=date(2026, 1, 5)), mentor, hr, make_rule(), date(2026, 1, 5)
    )
    assert lifecycle.mentorships_end_closed_windows(today=date(2026, 3, 1)) == int(ends)
    m.refresh_from_db()
    assert m.is_active is not ends
    if ends:
        assert m.ended_on == date(2026, 2, 4)


def test_the_daily_task_ends_closed_windows_and_is_in_the_default_schedule(settings, hr, mentor):
    settings.MENTORSHIP_ENDS_AT = "window_close"
    rule = make_rule(period_days=10)
    closed = assign(make_enrollment(hire_date=date(2026, 1, 5)), mentor, hr, rule, date(2026, 1, 5))
    open_ = assign(make_enrollment(hire_date=date(2026, 1, 5)), mentor, hr, rule, date(2026, 1, 12))
    without_rule = Mentorship.objects.create(
        enrollment=make_enrollment(), mentor=make_user(Role.MENTOR), started_on=date(2026, 1, 5)
    )
    with time_machine.travel(at(date(2026, 1, 16), 0), tick=False):
        assert tasks.mentorships_end_closed_windows.delay().get() == 1
    for m in (closed, open_, without_rule):
        m.refresh_from_db()
    assert closed.ended_on == date(2026, 1, 15)
    assert open_.is_active
    assert without_rule.is_active
    ensure_default_schedule()
    entry = PeriodicTask.objects.get(task="mentors.tasks.mentorships_end_closed_windows")
    assert (entry.crontab.hour, entry.crontab.minute) == ("0", "5")


def test_an_unknown_setting_is_a_clear_error(settings):
    settings.MENTORSHIP_ENDS_AT = "never"
    with pytest.raises(ImproperlyConfigured, match="MENTORSHIP_ENDS_AT"):
        lifecycle.mentorships_end_closed_windows(today=date(2026, 1, 1))
    # ...and the system check stops the server and the worker at start.
    errors = [e for e in checks.run_checks() if e.id == "lms.E001"]
    assert len(errors) == 1
    assert "MENTORSHIP_ENDS_AT" in errors[0].msg
    settings.MENTORSHIP_ENDS_AT = "both"
    assert not [e for e in checks.run_checks() if e.id == "lms.E001"]


def test_the_cap_counts_only_trainees_still_in_onboarding(settings, hr, mentor):
    settings.MENTOR_MAX_MENTEES = 1
    rule = make_rule()
    enrollment, mentorship = signed_off_trainee(hr, mentor, rule)
    # Signed off and working independently, though the mentorship runs to its window's end:
    # the place is free.
    assert (
        enrollment.__class__.objects.get(pk=enrollment.pk).status == Enrollment.Status.INDEPENDENT
    )
    assert mentorship.is_active
    program = enrollment.program
    second = assign(
        make_enrollment(program=program, hire_date=date(2026, 11, 2)),
        mentor,
        hr,
        rule,
        date(2026, 11, 21),
    )
    assert second.is_active
    with pytest.raises(ValidationError) as exc:
        assign(
            make_enrollment(program=program, hire_date=date(2026, 11, 2)),
            mentor,
            hr,
            rule,
            date(2026, 11, 21),
        )
    assert "1 active mentee" in exc.value.message_dict["mentor"][0]
    # An ended mentorship frees the place too.
    services.mentorship_end(mentorship=second, ended_on=date(2026, 11, 22), reason="Left", user=hr)
    assign(
        make_enrollment(program=program, hire_date=date(2026, 11, 2)),
        mentor,
        hr,
        rule,
        date(2026, 11, 23),
    )


def test_the_mentorships_page_takes_the_place_a_signed_off_trainee_freed(
    client, settings, hr, mentor
):
    settings.MENTOR_MAX_MENTEES = 1
    rule = make_rule()
    enrollment, _ = signed_off_trainee(hr, mentor, rule)
    newcomer = make_enrollment(program=enrollment.program, hire_date=date(2026, 11, 2))
    client.force_login(hr)
    response = client.post(
        "/mentorships/",
        {
            "enrollment": newcomer.pk,
            "mentor": mentor.pk,
            "started_on": "2026-11-21",
            "bonus_rule": rule.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Mentorship.objects.active().filter(enrollment=newcomer, mentor=mentor).exists()


def test_the_mentorships_page_changes_mentor_and_carries_the_window(client, hr, mentor):
    rule = make_rule()
    enrollment = make_enrollment(hire_date=date(2026, 2, 1))
    first = assign(enrollment, mentor, hr, rule, date(2026, 2, 1))
    services.statement_compute(mentorship_id=first.pk, now=at(date(2026, 2, 5)))
    other = make_user(Role.MENTOR)
    client.force_login(hr)
    with time_machine.travel(at(date(2026, 2, 10)), tick=False):
        response = client.post(
            "/mentorships/",
            {
                "enrollment": enrollment.pk,
                "mentor": other.pk,
                "started_on": "2026-02-10",
                "bonus_rule": rule.pk,
            },
        )
    assert response.status_code == 302
    second = Mentorship.objects.get(enrollment=enrollment, mentor=other)
    assert second.carried_from == first
    assert BonusStatement.objects.get(mentorship=first).status == "superseded"
    statement = services.statement_compute(mentorship_id=second.pk, now=at(date(2026, 2, 11)))
    assert (statement.period_start, statement.period_end) == (date(2026, 2, 1), date(2026, 3, 3))
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get("/bonuses/")
    assert page.status_code == 200
    assert b"Superseded" in page.content
