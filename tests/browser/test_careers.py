"""The career ladder in a browser, on the demo company: a manager sees their next level with
met and unmet requirements from their records; the head of sales promotes them with a reason
and the history shows it with its evidence; the ladder's band for each city is what HR
entered."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from careers.models import PayBand
from demo.people import DEMO_PASSWORD
from people.formatting import money
from tests.browser.conftest import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_next_level_promotion_and_bands(live_server, new_page):
    call_command("seed_demo", "--quiet")
    manager = new_page()
    login(manager, live_server, "mentor1", DEMO_PASSWORD)
    manager.get_by_role("navigation", name="Main").get_by_role("link", name="My career").click()
    expect(
        manager.get_by_role("heading", name="Now: Level 3 · Senior account manager")
    ).to_be_visible()
    expect(
        manager.get_by_role("heading", name="Next: Level 4 · Lead account manager")
    ).to_be_visible()
    rows = manager.locator("table.requirements tbody tr")
    expect(rows).to_have_count(3)
    expect(manager.locator("tr.requirement.met")).to_have_count(2)
    unmet = manager.locator("tr.requirement.unmet")
    expect(unmet).to_have_count(1)
    expect(unmet).to_contain_text("Works with clients in senior positions")
    expect(unmet).to_contain_text("Take over one of the head of sales' key accounts.")
    expect(manager.locator("tr.requirement.met").first).to_contain_text(
        "38 months since the hire date"
    )
    expect(manager.locator("#next-band")).to_contain_text(f"up to {money(120_000, 'RUB')}")
    screenshot(manager, "careers-my-career")

    head = new_page()
    login(head, live_server, "sales_head", DEMO_PASSWORD)
    head.get_by_role("navigation", name="Main").get_by_role("link", name="Career ladder").click()
    expect(head.locator("#ready-count .value")).to_have_text("1")
    head.get_by_role("link", name="Sergey Kuznetsov").click()
    propose = head.locator("#propose")
    propose.get_by_label("Level").select_option(label="Level 4 · Lead account manager")
    propose.get_by_label("Monthly pay").fill("130000")
    propose.get_by_label("Reason").fill("Took over the Volga Trade account with its director.")
    propose.get_by_role("button", name="Propose").click()
    expect(head.locator("#propose")).to_contain_text("above the level's band")  # 120,000 in Moscow
    head.locator("#propose").get_by_label("Monthly pay").fill("100000")
    head.locator("#propose").get_by_role("button", name="Propose").click()
    expect(head.locator("#decide")).to_be_visible()
    head.locator("#decide").get_by_label("Decision").select_option("approve")
    head.locator("#decide").get_by_role("button", name="Record the decision").click()
    expect(head.get_by_role("heading", name="Now: Level 4 · Lead account manager")).to_be_visible()
    latest = head.locator("ol.history li").first
    expect(latest).to_contain_text("Took over the Volga Trade account with its director.")
    latest.get_by_text("The evidence at the time of the proposal").click()
    expect(latest.locator("details li.unmet")).to_contain_text(
        "Works with clients in senior positions"
    )
    expect(latest.locator("details li.met")).to_have_count(2)
    screenshot(head, "careers-promoted")

    manager.goto(f"{live_server.url}/career/ladder/")
    bands = manager.locator("table.bands")
    for band in PayBand.objects.select_related("level", "office"):
        column = [c.strip() for c in bands.locator("thead th").all_text_contents()].index(
            band.office.city
        )
        cell = bands.locator(f"#level-{band.level_id} td").nth(column - 1)
        high = money(band.maximum, "RUB")
        expected = f"{money(band.minimum, 'RUB')}–{high}" if band.minimum else f"up to {high}"
        expect(cell).to_have_text(expected)
    screenshot(manager, "careers-ladder")
