"""HR enrolls people in the Wagtail admin (Training > Enrollments) through the service."""

import pytest
from django.urls import reverse

from courses.models import Enrollment, EnrollmentEvent, StageProgress
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import make_program

pytestmark = pytest.mark.django_db


def test_hr_enrolls_a_person_in_the_admin(client, hr):
    program = make_program(stages=2)
    person = make_user(first_name="Anna", last_name="Petrova")
    client.force_login(hr)
    assert client.get(reverse("enrollments:index")).status_code == 200
    add = reverse("enrollments:add")
    assert client.get(add).status_code == 200
    response = client.post(
        add, {"trainee": person.pk, "program": program.pk, "hire_date": "2026-12-01"}
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(trainee=person)
    assert enrollment.enrolled_by == hr
    assert person.groups.filter(name=Role.TRAINEE).exists()
    assert enrollment.events.filter(kind=EnrollmentEvent.Kind.ENROLLED).exists()
    assert enrollment.progress.filter(status=StageProgress.Status.AVAILABLE).count() == 1

    response = client.post(
        add, {"trainee": person.pk, "program": program.pk, "hire_date": "2026-12-01"}
    )
    assert response.status_code == 200
    assert "already enrolled" in response.content.decode()
    assert Enrollment.objects.filter(trainee=person).count() == 1


def test_the_admin_screens_are_for_hr(client, trainee, head_of_sales):
    for user in (trainee, head_of_sales):
        client.force_login(user)
        assert client.get(reverse("enrollments:add")).status_code in (302, 403)
