"""Small builders for the ramp-up tests: a program, an enrollment, activities at local times."""

from datetime import date, datetime, time
from itertools import count
from zoneinfo import ZoneInfo

from django.conf import settings

from courses.models import Enrollment, ProgramPage
from mentors.models import Activity
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
