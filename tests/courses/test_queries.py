"""My onboarding, a stage page and the program page take a fixed number of queries: the same
for one stage with one checklist item as for five stages with eight, counted over the whole
request (session, user, roles, the header's unread count; Wagtail's routing for the pages).
The pages with quizzes and a mentor are pinned in tests/quizzes/test_queries.py."""

import pytest
from django.urls import reverse

from tests.courses.factories import enroll, finish_stage, make_program, stages_of
from tests.queries import SIGNED_IN

pytestmark = pytest.mark.django_db

ONE = {"stages": 1, "items": 1, "others": 1}
FIVE = {"stages": 5, "items": 8, "others": 3}
SIZES = pytest.mark.parametrize("size", [ONE, FIVE], ids=["1 stage", "5 stages"])

# Wagtail serving a program page (site, home page, program: the program's query also tells
# that no view restriction is on it or above, people/routing.py); a stage page's route has
# one level more.
PROGRAM_ROUTE = 3
STAGE_ROUTE = 4
# The trainee's enrollment (with its sign-off and mentor joined), the program's pages with the
# job-description signatures, stage progress, checklist ticks (courses.selectors.overview).
OVERVIEW = 4

HOME_QUERIES = SIGNED_IN + OVERVIEW
STAGE_QUERIES = SIGNED_IN + STAGE_ROUTE + OVERVIEW
PROGRAM_QUERIES = SIGNED_IN + PROGRAM_ROUTE + OVERVIEW
# HR: the asked-for enrollment besides the (absent) own one, and the trainee picker.
HR_STAGE_QUERIES = STAGE_QUERIES + 2


def setup(size, hr):
    program = make_program(**size)
    enrollment = enroll(program, by=hr)
    stages = stages_of(program)
    if len(stages) > 1:
        finish_stage(enrollment, stages[0], hr=hr)
    return program, enrollment, stages


def open_stage(stages):
    """The stage the trainee works on: the only one, or the second of five."""
    return stages[1] if len(stages) > 1 else stages[0]


@SIZES
def test_my_onboarding_queries(client, hr, size, django_assert_num_queries):
    _program, enrollment, _stages = setup(size, hr)
    client.force_login(enrollment.trainee)
    url = reverse("courses:my_onboarding")
    client.get(url)  # warm the site-root cache, as any earlier request would
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="stage-') == size["stages"] * 2


@SIZES
def test_stage_page_queries(client, hr, size, django_assert_num_queries):
    _program, enrollment, stages = setup(size, hr)
    stage = open_stage(stages)
    client.force_login(enrollment.trainee)
    client.get(stage.url)
    with django_assert_num_queries(STAGE_QUERIES):
        response = client.get(stage.url)
    assert response.status_code == 200
    assert response.content.count(b'data-testid="checklist-item"') == (
        size["items"] + size["others"] + 1
    )


@SIZES
def test_program_page_queries(client, hr, size, django_assert_num_queries):
    program, enrollment, _stages = setup(size, hr)
    client.force_login(enrollment.trainee)
    client.get(program.url)
    with django_assert_num_queries(PROGRAM_QUERIES):
        response = client.get(program.url)
    assert response.status_code == 200
    assert response.content.count(b"Stage ") >= size["stages"]


@SIZES
def test_stage_page_for_hr_queries(client, hr, size, django_assert_num_queries):
    _program, enrollment, stages = setup(size, hr)
    client.force_login(hr)
    client.get(stages[0].url, {"enrollment": enrollment.pk})
    with django_assert_num_queries(HR_STAGE_QUERIES):
        response = client.get(stages[0].url, {"enrollment": enrollment.pk})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "size",
    [{"stages": 2, "items": 2, "others": 1}, {"stages": 7, "items": 12, "others": 5}],
    ids=["small", "large"],
)
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
