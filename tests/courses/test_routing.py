"""Serving the program's pages: routing by the declared child types (people/routing.py) finds
the same pages as Wagtail's own routing, and the view restrictions of a page and its
ancestors (aliases included) still apply."""

import pytest
from django.test import RequestFactory
from wagtail.models import Page, PageViewRestriction

from courses.models import JobDescriptionPage, ProgramPage, StagePage
from tests.courses.factories import enroll, finish_stage, home_page, make_program, stages_of

pytestmark = pytest.mark.django_db


def route(path):
    request = RequestFactory().get("/learn/" + path)
    result = Page.route_for_request(request, path)
    return result[0] if result else None


@pytest.fixture
def program():
    return make_program(stages=2)


def test_routing_finds_each_page_as_its_specific_type(program):
    stage, _second = stages_of(program)
    found = route(f"{program.slug}/{stage.slug}/")
    assert type(found) is StagePage
    assert found.pk == stage.pk
    assert found.get_parent().specific == program  # the parent came with the route
    assert type(route(f"{program.slug}/")) is ProgramPage
    job = route(f"{program.slug}/job-description/")
    assert type(job) is JobDescriptionPage


def test_unknown_and_unpublished_pages_are_not_found(program):
    stage, _second = stages_of(program)
    assert route(f"{program.slug}/no-such-stage/") is None
    assert route(f"no-such-program/{stage.slug}/") is None
    stage.unpublish()
    assert route(f"{program.slug}/{stage.slug}/") is None


def test_a_child_of_a_type_not_listed_is_still_found():
    """Wagtail's subpage_types restricts what the admin creates, not what is in the tree."""
    stray = StagePage(title="Stray", slug="stray")
    home_page().add_child(instance=stray)
    stray.save_revision().publish()
    found = route("stray/")
    assert type(found) is StagePage
    assert found.pk == stray.pk


def test_the_restrictions_of_the_routed_chain_are_wagtails(program):
    stage, _second = stages_of(program)
    root = Page.get_first_root_node()
    for page in (root, home_page(), program, stage):
        PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
    routed = route(f"{program.slug}/{stage.slug}/")
    assert set(routed.get_view_restrictions()) == set(Page.get_view_restrictions(routed))
    assert routed.get_view_restrictions().count() == 4


def test_a_password_on_the_program_guards_its_stages(client, program, hr):
    enrollment = enroll(program, by=hr)
    stage, _second = stages_of(program)
    client.force_login(enrollment.trainee)
    assert b"Stage 1 task 1" in client.get(stage.url).content
    PageViewRestriction.objects.create(
        page=program, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get(stage.url)
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b"Stage 1 task 1" not in response.content


def test_an_alias_follows_the_restrictions_of_its_source(client, program, hr):
    enrollment = enroll(program, by=hr)
    stage, second = stages_of(program)
    finish_stage(enrollment, stage, hr=hr)
    alias = second.create_alias(update_slug="stage-2-alias")
    PageViewRestriction.objects.create(
        page=second, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    routed = route(f"{program.slug}/{alias.slug}/")
    assert routed.alias_of_id == second.pk
    assert set(routed.get_view_restrictions()) == set(Page.get_view_restrictions(routed))
    client.force_login(enrollment.trainee)
    response = client.get(alias.url)
    assert b'name="password"' in response.content


def test_no_restriction_on_the_chain_costs_no_query(program, django_assert_num_queries):
    stage, _second = stages_of(program)
    routed = route(f"{program.slug}/{stage.slug}/")
    with django_assert_num_queries(0):
        assert list(routed.get_view_restrictions()) == []


@pytest.mark.parametrize("where", ["root", "home", "program", "stage"])
def test_a_restriction_anywhere_on_the_chain_is_found_by_routing(program, where):
    stage, second = stages_of(program)
    page = {
        "root": Page.get_first_root_node(),
        "home": home_page(),
        "program": program,
        "stage": stage,
    }[where]
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert list(route(f"{program.slug}/{stage.slug}/").get_view_restrictions()) == [restriction]
    # A sibling's restriction is not the stage's.
    if where == "stage":
        assert list(route(f"{program.slug}/{second.slug}/").get_view_restrictions()) == []
