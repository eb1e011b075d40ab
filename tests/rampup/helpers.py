"""Small builders for the ramp-up tests: a program, an enrollment, activities at local times."""

import re
from datetime import date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from django.conf import settings

from courses.models import Enrollment, ProgramPage, StagePage, StageProgress
from mentors.models import Activity, Mentorship
from people.models import HomePage
from people.roles import Role
from rampup.models import RampPlan
from tests.conftest import make_user

_slugs = count()


def make_program(**plan) -> ProgramPage:
    home = HomePage.objects.first()
    if home is None:
        from wagtail.models import Page

        home = HomePage(title="Home", slug=f"home-{next(_slugs)}")
        Page.get_first_root_node().add_child(instance=home)
    program = ProgramPage(title="Program", slug=f"program-{next(_slugs)}")
    home.add_child(instance=program)
    if plan:
        RampPlan.objects.create(program=program, **plan)
    return program


def make_enrollment(*, hire_date: date, program=None, **fields) -> Enrollment:
    program = program or make_program()
    trainee = make_user(Role.TRAINEE)
    return Enrollment.objects.create(
        trainee=trainee, program=program, hire_date=hire_date, **fields
    )


def local(day: date, hour=12, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def add(enrollment, kind: str, when: datetime, n: int = 1, **fields):
    Activity.objects.bulk_create(
        [
            Activity(enrollment=enrollment, kind=kind, occurred_at=when, source="manual", **fields)
            for _ in range(n)
        ]
    )


def table_pks(response) -> list[int]:
    """The enrollments in the page's table, in the order shown."""
    table = response.content.decode().split('<table class="dashboard-table">', 1)[1]
    table = table.split("</table>", 1)[0]
    return [int(pk) for pk in re.findall(r'href="/ramp-up/(\d+)/"', table)]


def populate(program, n, *, mentor=None, hire=date(2026, 7, 1)):
    """n enrollments with a month-1 full of activity and a mentor each."""
    stage = StagePage(title="Stage", slug=f"stage-{program.pk}")
    if not StagePage.objects.child_of(program).exists():
        program.add_child(instance=stage)
    stage = StagePage.objects.child_of(program).first()
    mentor = mentor or make_user(Role.MENTOR)
    enrollments = []
    for _ in range(n):
        enrollment = make_enrollment(hire_date=hire, program=program)
        StageProgress.objects.create(enrollment=enrollment, stage=stage, status="available")
        Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=hire)
        add(enrollment, "call", local(hire + timedelta(days=3)), n=20)
        add(enrollment, "meeting", local(hire + timedelta(days=4)), n=2)
        enrollments.append(enrollment)
    return enrollments, mentor
