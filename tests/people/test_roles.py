import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page

from people import navigation, permissions, roles
from people.roles import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(Role.values) <= names
    hr = Group.objects.get(name=Role.HR)
    codenames = set(hr.permissions.values_list("codename", flat=True))
    assert {"access_admin", "add_image", "change_periodictask"} <= codenames
    assert GroupPagePermission.objects.filter(
        group=hr, page=Page.get_first_root_node(), permission__codename="publish_page"
    ).exists()
    trainee = Group.objects.get(name=Role.TRAINEE)
    assert not trainee.permissions.filter(codename="access_admin").exists()


def test_sync_is_idempotent():
    roles.sync_role_permissions()
    before = GroupPagePermission.objects.count()
    roles.sync_role_permissions()
    assert GroupPagePermission.objects.count() == before


@pytest.mark.parametrize(
    ("role", "start"),
    [
        (Role.TRAINEE, "courses:my_onboarding"),
        (Role.MENTOR, "mentors:mentees"),
        (Role.HR, "courses:enrollments"),
        (Role.HEAD_OF_SALES, "mentors:bonuses"),
        (Role.DIRECTOR, "dashboard"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, role, start):
    user = make_user(role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(start)
    page = client.get(response.url)
    assert page.status_code == 200
    # The base layout with the role's navigation.
    assert b'class="site-nav"' in page.content
    assert b"Log out" in page.content


def test_highest_role_wins():
    user = make_user(Role.MENTOR)
    user.groups.add(Group.objects.get(name=Role.DIRECTOR))
    assert roles.primary_role(user) == Role.DIRECTOR


def test_user_without_role_gets_a_welcome_page(client):
    client.force_login(make_user())
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert b"no role" in response.content


def test_anonymous_home_goes_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("login")


@pytest.mark.parametrize(
    ("role", "forbidden"),
    [
        (Role.TRAINEE, ["dashboard", "courses:enrollments", "mentors:mentees", "mentors:bonuses"]),
        (
            Role.MENTOR,
            ["dashboard", "courses:enrollments", "mentors:bonuses", "courses:my_onboarding"],
        ),
    ],
)
def test_start_pages_of_other_roles_are_forbidden(client, role, forbidden):
    client.force_login(make_user(role))
    for name in forbidden:
        assert client.get(reverse(name)).status_code == 403, name


def test_navigation_lists_the_roles_pages():
    director = make_user(Role.DIRECTOR)
    labels = [str(label) for label, _url in navigation.navigation(director)]
    assert "Ramp-up" in labels
    assert "Mentor bonuses" in labels
    assert "My onboarding" not in labels


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.TRAINEE, False),
        (Role.MENTOR, False),
        (Role.HR, True),
        (Role.HEAD_OF_SALES, True),
        (Role.DIRECTOR, True),
    ],
)
def test_the_admin_link_follows_the_roles_without_permission_queries(client, role, shown):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user(role)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("notifications")).content.decode()
    assert (reverse("wagtailadmin_home") in body) is shown
    assert not [q for q in queries if "auth_permission" in q["sql"]]
    assert permissions.shows_admin_link(user) is shown


def test_staff_see_the_admin_link_whatever_their_role():
    assert permissions.shows_admin_link(make_user(is_staff=True))
