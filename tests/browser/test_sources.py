"""HR sets up an Asterisk connector in the admin, runs it now, maps the unknown extension and
re-applies the mappings: the calls appear (docs/sources.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentors.models import Activity, Connector
from people.roles import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import make_user
from tests.mentors.factories import make_enrollment
from tests.people.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def master_csv(when) -> str:
    start = when.strftime("%Y-%m-%d %H:%M:%S")
    return (
        f'"","101","84951234567","from-internal","""Anna"" <101>","PJSIP/101-00000012",'
        f'"PJSIP/trunk-00000013","Dial","x","{start}","{start}","{start}",163,155,"ANSWERED",'
        f'"DOCUMENTATION","1732432503.18","","","1732432503.18","25"\n'
    )


def test_hr_runs_a_connector_and_maps_its_unknown_extension(
    live_server, new_page, tmp_path, settings
):
    settings.ACTIVITY_SOURCE_ROOTS = [str(tmp_path)]
    trainee = make_user(
        Role.TRAINEE, first_name="Anna", last_name="Petrova", email="anna@example.com"
    )
    enrollment = make_enrollment(
        trainee=trainee, hire_date=timezone.localdate() - timedelta(days=20)
    )
    make_user(Role.HR, username="hr-olga")
    path = tmp_path / "Master.csv"
    path.write_text(master_csv(timezone.localtime() - timedelta(days=1)))
    connector = Connector.objects.create(name="pbx", kind="asterisk", location=str(path))
    page = new_page()
    login(page, live_server, "hr-olga", PASSWORD)
    page.goto(f"{live_server.url}/admin/mentoring/connectors/{connector.pk}/status/")
    expect(page.locator("main")).to_contain_text("The connector has not run yet.")
    page.get_by_role("button", name="Run now").click()
    expect(page.locator(".connector-last-run")).to_contain_text("Rows of unknown people")
    expect(page.locator("main")).to_contain_text("101")
    screenshot(page, "sources-connector-status")
    page.get_by_role("link", name="Map to a person").click()
    expect(page.get_by_role("textbox", name="Identity")).to_have_value("101")
    page.get_by_role("combobox", name="Person").select_option(
        label="Anna Petrova <anna@example.com>"
    )
    page.get_by_role("button", name="Create").click()
    expect(page.locator("body")).to_contain_text("101")
    page.goto(f"{live_server.url}/admin/mentoring/unknown-identities/reapply/")
    page.get_by_role("button", name="Re-apply now").click()
    expect(page.locator("body")).to_contain_text("Mappings re-applied. Created: 1")
    assert Activity.objects.filter(enrollment=enrollment, source="asterisk").count() == 1
