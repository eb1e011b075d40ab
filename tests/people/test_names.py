"""One way to name a person: the full name, or the username of someone without one."""

import pytest
from django.template import Context, Template

from people.names import display_name
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_person_is_named_by_full_name_else_username():
    assert display_name(make_user(first_name="Anna", last_name="Petrova")) == "Anna Petrova"
    assert display_name(make_user(username="a.petrova", first_name="", last_name="")) == (
        "a.petrova"
    )


def test_the_template_filter_names_the_same_way_and_no_one_as_empty():
    template = Template('{% load people_tags %}{{ who|display_name|default:"—" }}')
    anna = make_user(first_name="Anna", last_name="Petrova")
    nameless = make_user(username="a.petrova", first_name="", last_name="")
    assert template.render(Context({"who": anna})) == "Anna Petrova"
    assert template.render(Context({"who": nameless})) == "a.petrova"
    assert template.render(Context({"who": None})) == "—"


def test_the_header_names_a_user_without_a_full_name_by_username(client):
    user = make_user(username="no.name", first_name="", last_name="")
    client.force_login(user)
    assert '<span class="user-name">no.name' in client.get("/notifications/").content.decode()
