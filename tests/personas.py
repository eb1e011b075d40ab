"""The people around one enrollment, by name, for the tests that a page offers an action
exactly to those whose request the service accepts (tests/*/test_permissions.py)."""

from __future__ import annotations

from mentors.models import Mentorship
from people.roles import Role
from tests.conftest import make_user

PERSONAS = (
    "trainee",  # the enrollment's own trainee
    "other_trainee",
    "mentor",  # the trainee's active mentor
    "other_mentor",  # a mentor, not this trainee's
    "hr",
    "head_of_sales",
    "director",
    "sysadmin",  # a system administrator: ticks the items that name the role, nothing else
)

ROLES = {
    "other_trainee": Role.TRAINEE,
    "other_mentor": Role.MENTOR,
    "hr": Role.HR,
    "head_of_sales": Role.HEAD_OF_SALES,
    "director": Role.DIRECTOR,
    "sysadmin": Role.SYSTEM_ADMINISTRATOR,
}


def persona(name: str, enrollment):
    """The user ``name`` stands for; "mentor" becomes the enrollment's active mentor."""
    if name == "trainee":
        return enrollment.trainee
    if name == "mentor":
        mentor = make_user(Role.MENTOR)
        Mentorship.objects.create(
            enrollment=enrollment, mentor=mentor, started_on=enrollment.hire_date
        )
        return mentor
    return make_user(ROLES[name])
