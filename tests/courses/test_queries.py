"""My onboarding and a stage page take a number of queries that does not grow with the number
of stages or checklist items."""

import pytest
from django.urls import reverse

from tests.courses.factories import enroll, finish_stage, make_program, stages_of

pytestmark = pytest.mark.django_db

SMALL = {"stages": 2, "items": 2, "others": 1}
LARGE = {"stages": 7, "items": 12, "others": 5}


def setup(size, hr):
    program = make_program(**size)
    enrollment = enroll(program, by=hr)
    stages = stages_of(program)
    finish_stage(enrollment, stages[0], hr=hr)
    return program, enrollment, stages


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
def test_my_onboarding_queries(client, hr, size, django_assert_max_num_queries):
    _program, enrollment, _stages = setup(size, hr)
    client.force_login(enrollment.trainee)
    url = reverse("courses:my_onboarding")
    client.get(url)  # warm the site-root cache, as any earlier request would
    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="stage-') == size["stages"] * 2


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
def test_stage_page_queries(client, hr, size, django_assert_max_num_queries):
    _program, enrollment, stages = setup(size, hr)
    client.force_login(enrollment.trainee)
    client.get(stages[1].url)
    with django_assert_max_num_queries(28):
        response = client.get(stages[1].url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="checklist-item"') == (
        size["items"] + size["others"] + 1
    )


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
def test_stage_page_for_hr_queries(client, hr, size, django_assert_max_num_queries):
    _program, enrollment, stages = setup(size, hr)
    client.force_login(hr)
    client.get(stages[0].url, {"enrollment": enrollment.pk})
    with django_assert_max_num_queries(28):
        response = client.get(stages[0].url, {"enrollment": enrollment.pk})
    assert response.status_code == 200


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["small", "large"])
def test_enrollments_list_queries(client, hr, size, django_assert_max_num_queries):
    program, _enrollment, _stages = setup(size, hr)
    for _ in range(size["stages"]):
        enroll(program, by=hr)
    client.force_login(hr)
    url = reverse("courses:enrollments")
    client.get(url)
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["rows"]) == size["stages"] + 1
