"""The newest demo trainee signs the job description and completes stage 1 in a browser."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from courses import services
from courses.blocks import Responsible
from courses.models import Enrollment, StagePage
from demo.people import DEMO_PASSWORD
from tests.browser.conftest import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def seed_people_and_program():
    """The demo company's people and the courses seeder only: this test is about the program,
    so it does not depend on the other apps' demo data."""
    import random

    from django.utils import timezone

    from demo import courses as courses_demo
    from demo import people as demo

    ctx = demo.DemoContext(today=timezone.localdate(), rng=random.Random(2026))
    demo.seed(ctx)
    courses_demo.seed(ctx)


def overall_percent(page) -> int:
    return int(page.get_by_test_id("overall-progress").get_attribute("aria-valuenow"))


def test_trainee_signs_ticks_and_completes_stage_one(live_server, new_page):
    seed_people_and_program()
    User = get_user_model()
    enrollment = (
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE)
        .select_related("trainee")
        .order_by("-hire_date")
        .first()
    )
    trainee = enrollment.trainee
    stage1 = StagePage.objects.get(slug="introduction")
    hr = User.objects.get(username="hr")

    page = new_page()
    login(page, live_server, trainee.username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="My onboarding")).to_be_visible()
    expect(page.get_by_test_id("stage-1").get_by_test_id("stage-status")).to_have_text(
        "In progress"
    )
    expect(page.get_by_test_id("stage-2").get_by_test_id("stage-status")).to_have_text("Locked")
    expect(page.get_by_test_id("next-action")).to_contain_text("Sign the job description")
    before = overall_percent(page)
    screenshot(page, "courses-my-onboarding-before")

    # The job description, from the next action.
    page.get_by_test_id("next-action").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Job description: account manager")).to_be_visible()
    screenshot(page, "courses-job-description")
    page.get_by_role("button", name="Sign the job description").click()
    expect(page.get_by_test_id("signature-state")).to_contain_text("You signed")

    # The other people's items of stage 1 are done by HR (the system administrator's accounts,
    # the head of department's briefing, HR's documents).
    for item_id, item in stage1.checklist_items():
        if item["required"] and item["responsible"] != Responsible.TRAINEE:
            services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=item_id, user=hr)

    page.goto(f"{live_server.url}{stage1.url}")
    expect(page.get_by_role("heading", name="Introduction to the company")).to_be_visible()
    screenshot(page, "courses-stage-page")
    own_items = [
        item["text"]
        for _id, item in stage1.checklist_items()
        if item["required"] and item["responsible"] == Responsible.TRAINEE
    ]
    for text in own_items:
        page.get_by_role("button", name=f"Mark “{text}” as done").click()
        page.wait_for_load_state()
    expect(page.get_by_text("Stage completed: Introduction to the company.")).to_be_visible()
    expect(page.get_by_test_id("stage-status").first).to_have_text("Completed")
    screenshot(page, "courses-stage-completed")

    page.goto(f"{live_server.url}/onboarding/")
    expect(page.get_by_test_id("stage-1").get_by_test_id("stage-status")).to_have_text("Completed")
    expect(page.get_by_test_id("stage-2").get_by_test_id("stage-status")).to_have_text("Available")
    assert overall_percent(page) > before
    screenshot(page, "courses-my-onboarding-after")

    # Stage 2 opens; stage 3 is still locked and shows only what unlocks it.
    page.get_by_test_id("stage-2").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Products and customer base")).to_be_visible()
    page.goto(f"{live_server.url}{StagePage.objects.get(slug='sales-training').url}")
    expect(page.get_by_text("This stage is not open yet.")).to_be_visible()

    # A phone-sized My onboarding.
    phone = new_page(viewport={"width": 375, "height": 740})
    login(phone, live_server, trainee.username, DEMO_PASSWORD)
    expect(phone.get_by_role("heading", name="My onboarding")).to_be_visible()
    screenshot(phone, "courses-my-onboarding-phone")


def test_hr_enrollments_list(live_server, new_page):
    seed_people_and_program()
    page = new_page()
    login(page, live_server, "hr", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/enrollments/")
    expect(page.get_by_role("heading", name="Enrollments")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(13)
    screenshot(page, "courses-enrollments")
    page.get_by_label("Status").select_option("dropped")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(2)
    page.get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.locator(".message-warning")).to_contain_text("Moved to the logistics department")
    screenshot(page, "courses-enrollment-detail")
