from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from mentors import services
from mentors.models import BonusStatement
from people.roles import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import make_user
from tests.mentors.factories import add_activities, make_enrollment, make_mentorship, make_rule
from tests.people.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MSK = ZoneInfo("Europe/Moscow")


def test_trainee_logs_a_call_on_a_phone_and_sees_it_in_the_weekly_totals(live_server, new_page):
    trainee = make_user(Role.TRAINEE, username="anna", first_name="Anna", last_name="Petrova")
    make_enrollment(trainee=trainee, hire_date=timezone.localdate() - timedelta(days=20))
    page = new_page(viewport={"width": 375, "height": 740})
    login(page, live_server, "anna", PASSWORD)
    page.goto(f"{live_server.url}/activity/")
    expect(page.get_by_role("heading", name="My activity")).to_be_visible()
    # Half an hour ago, but today: just after midnight on a Monday that would be last week.
    now = timezone.localtime()
    when = max(now - timedelta(minutes=30), now.replace(hour=0, minute=0)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    page.get_by_label("What").select_option("call")
    page.get_by_label("When").fill(when)
    page.get_by_label("Note").fill("First cold call to Stroymash")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_contain_text("Call logged")
    current = page.locator(".weekly-totals tbody tr").first
    expect(current.locator('td[data-kind="call"]')).to_have_text("1")
    expect(page.locator(".activity-log")).to_contain_text("First cold call to Stroymash")
    # Nothing sticks out sideways on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "mentors-my-activity-phone")


def test_head_of_sales_approves_a_statement_and_exports_it(live_server, new_page):
    rule = make_rule()
    for first, last in (("Sergey", "Kuznetsov"), ("Elena", "Sokolova")):
        mentor = make_user(Role.MENTOR, first_name=first, last_name=last)
        enrollment = make_enrollment(hire_date=date(2026, 1, 12))
        m = make_mentorship(enrollment=enrollment, mentor=mentor, rule=rule)
        add_activities(enrollment, "call", 310, datetime(2026, 1, 20, 11, tzinfo=MSK))
        add_activities(enrollment, "application", 12, datetime(2026, 1, 21, 11, tzinfo=MSK))
        services.statement_compute(mentorship_id=m.pk)
    make_user(Role.HEAD_OF_SALES, username="pavel", first_name="Pavel", last_name="Orlov")
    page = new_page()
    login(page, live_server, "pavel", PASSWORD)
    page.goto(f"{live_server.url}/bonuses/")
    expect(page.get_by_role("heading", name="Mentor bonuses")).to_be_visible()
    first_row = page.locator("table.statements tbody tr").first
    first_row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.locator(".message-success")).to_contain_text("1 statement approved")
    expect(page.locator("table.statements")).to_contain_text("Approved")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export CSV").click()
    with open(info.value.path(), encoding="utf-8-sig") as f:
        content = f.read()
    assert "Increased" in content
    assert "15000.00" in content
    assert content.count("\n") == 3  # the header, the statement, the totals row
    assert BonusStatement.objects.filter(payroll_batch__number=1).count() == 1
    page.goto(f"{live_server.url}/bonuses/")
    screenshot(page, "mentors-bonuses-approved")
    # Payroll batch 1: downloaded again byte for byte, then paid as a whole, once.
    page.get_by_role("link", name="payroll batch 1").click()
    expect(page.get_by_role("heading", name="Payroll batches")).to_be_visible()
    with page.expect_download() as again:
        page.get_by_role("link", name="Download payroll-batch-0001.csv").click()
    with open(again.value.path(), encoding="utf-8-sig") as f:
        assert f.read() == content
    # Who approved does not also pay: a second person does (BONUS_PAYMENT_NEEDS_SECOND_PERSON).
    expect(page.get_by_role("button", name="Mark paid (1 statement)")).to_have_count(0)
    expect(page.locator("#batch-1")).to_contain_text("a second person marks it paid")
    make_user(Role.DIRECTOR, username="olga", first_name="Olga", last_name="Smirnova")
    director = new_page()
    login(director, live_server, "olga", PASSWORD)
    director.goto(f"{live_server.url}/bonuses/payroll/")
    director.get_by_role("button", name="Mark paid (1 statement)").click()
    expect(director.locator(".message-success")).to_contain_text("Payroll batch 1 marked paid")
    expect(director.locator("#batch-1")).to_contain_text("Olga Smirnova")
    expect(director.get_by_role("button", name="Mark paid (1 statement)")).to_have_count(0)
    assert BonusStatement.objects.filter(status="paid").count() == 1
    screenshot(director, "mentors-payroll-batches")


def test_demo_mentor_and_head_of_sales_pages(live_server, new_page):
    call_command("seed_demo", "--quiet")
    page = new_page()
    login(page, live_server, "mentor1", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/mentees/")
    expect(page.get_by_role("heading", name="My mentees")).to_be_visible()
    expect(page.locator("article.mentee").first).to_be_visible()
    screenshot(page, "mentors-mentees-demo")
    phone = new_page(viewport={"width": 375, "height": 740})
    login(phone, live_server, "mentor1", DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/mentees/")
    screenshot(phone, "mentors-mentees-phone")
    boss = new_page()
    login(boss, live_server, "sales_head", DEMO_PASSWORD)
    boss.goto(f"{live_server.url}/bonuses/")
    expect(boss.locator("table.statements")).to_contain_text("Needs review")
    screenshot(boss, "mentors-bonuses-demo")
    boss.goto(f"{live_server.url}/mentorships/")
    screenshot(boss, "mentors-mentorships-demo")
