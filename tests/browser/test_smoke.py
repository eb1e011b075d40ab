import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from tests.browser.conftest import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_demo_trainee_logs_in_and_sees_my_onboarding(live_server, new_page):
    call_command("seed_demo", "--quiet")
    page = new_page()
    login(page, live_server, "trainee1", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="My onboarding")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("My onboarding")
    screenshot(page, "smoke-trainee-home")


def test_phone_sized_login_page_is_usable(live_server, new_page):
    call_command("seed_demo", "--quiet")
    page = new_page(viewport={"width": 375, "height": 740})
    login(page, live_server, "director", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Ramp-up dashboard")).to_be_visible()
    screenshot(page, "smoke-director-phone")
