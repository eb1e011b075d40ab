"""The product survey end to end in Chromium: the demo trainee takes it, the mentor grades it
in a second browser context, the trainee sees the result and the stage advances."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from courses.blocks import Responsible
from courses.models import ChecklistTick, StagePage, StageProgress
from demo import quizzes as demo
from demo.content import en
from demo.people import DEMO_PASSWORD
from quizzes import selectors, services
from quizzes.models import Attempt, GradeChange, Quiz
from tests.browser.conftest import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _tick_through_the_page(page, live_server, stage, enrollment, items) -> None:
    """Tick each item with its "Mark done" button on the stage page, as its responsible does."""
    page.goto(f"{live_server.url}{stage.url}?enrollment={enrollment.pk}")
    for item in items:
        page.get_by_role("button", name=f"Mark “{item['text']}” as done").click()
        page.wait_for_load_state()
        expect(
            page.get_by_role("button", name=f"Mark “{item['text']}” as not done")
        ).to_be_visible()


def _prepare_last_requirement(live_server, new_page):
    """The demo trainee whose survey is in progress finishes everything else of the stage
    through the pages: the trainee and HR tick their checklist items, the mentor grades the
    certification on its grading page (taking it with "Take it"). The survey is what remains."""
    call_command("seed_demo", "--quiet")
    survey = Quiz.objects.get(slug=demo.SURVEY_SLUG)
    certification = Quiz.objects.get(slug=demo.CERTIFICATION_SLUG)
    attempt = Attempt.objects.select_related("enrollment__trainee").get(
        quiz=survey, status=Attempt.Status.IN_PROGRESS
    )
    enrollment = attempt.enrollment
    # The demo program is in both languages: the stage of the trainee's program (the original).
    stage = StagePage.objects.child_of(enrollment.program).get(slug=demo.STAGE_SLUG)
    mentor = enrollment.mentorships.active().get().mentor
    done = set(
        ChecklistTick.objects.filter(enrollment=enrollment, stage=stage).values_list(
            "item_id", flat=True
        )
    )
    open_ = [item for id_, item in stage.checklist_items() if item["required"] and id_ not in done]
    mine = [i for i in open_ if i["responsible"] == Responsible.TRAINEE]
    theirs = [i for i in open_ if i["responsible"] != Responsible.TRAINEE]
    assert mine
    assert theirs

    trainee_page = new_page()
    login(trainee_page, live_server, enrollment.trainee.username, DEMO_PASSWORD)
    _tick_through_the_page(trainee_page, live_server, stage, enrollment, mine)
    hr_page = new_page()
    login(hr_page, live_server, "hr", DEMO_PASSWORD)
    _tick_through_the_page(hr_page, live_server, stage, enrollment, theirs)
    ticked_by = dict(
        ChecklistTick.objects.filter(enrollment=enrollment, stage=stage).values_list(
            "item_id", "ticked_by__username"
        )
    )
    required_ids = {item_id for item_id, item in stage.checklist_items() if item["required"]}
    assert required_ids <= set(ticked_by)
    assert set(ticked_by.values()) >= {enrollment.trainee.username, "hr"}

    cert = services.attempt_start(
        enrollment=enrollment, quiz=certification, user=enrollment.trainee
    )
    services.attempt_submit(attempt=cert, user=enrollment.trainee)
    grader = new_page()
    login(grader, live_server, mentor.username, DEMO_PASSWORD)
    grader.goto(f"{live_server.url}/grading/{cert.pk}/")
    expect(grader.get_by_text("Nobody is grading this attempt")).to_be_visible()
    grader.get_by_role("button", name="Take it").click()
    expect(grader.get_by_text("You took this attempt")).to_be_visible()
    expect(grader.get_by_text("You hold this attempt until")).to_be_visible()
    item = next(i for i in selectors.attempt_sheet(cert) if i.is_manual)
    for criterion in item.criteria:
        grader.get_by_label(f"{criterion.name} (0–{criterion.max_points.normalize()})").fill(
            str(criterion.max_points.normalize())
        )
    grader.get_by_role("button", name="Finish grading").click()
    expect(grader.get_by_text("Graded. The trainee has been notified")).to_be_visible()
    cert.refresh_from_db()
    assert cert.status == Attempt.Status.GRADED
    assert cert.passed
    assert cert.graded_by == mentor
    progress = StageProgress.objects.get(enrollment=enrollment, stage=stage)
    assert progress.status == StageProgress.Status.IN_PROGRESS
    return attempt, enrollment, mentor, stage


def test_two_graders_on_one_attempt(live_server, new_page):
    """Opening the page takes nothing; the mentor takes the attempt; HR, whose page was open
    already, sees the lock on reload, and a save from the page opened before is refused."""
    call_command("seed_demo", "--quiet")
    attempt = (
        Attempt.objects.filter(status=Attempt.Status.AWAITING_GRADING)
        .filter(enrollment__mentorships__ended_on__isnull=True)
        .select_related("enrollment__trainee")
        .order_by("pk")
        .first()
    )
    assert attempt is not None
    assert attempt.leased_to is None
    mentor = attempt.enrollment.mentorships.active().get().mentor
    url = f"{live_server.url}/grading/{attempt.pk}/"
    points_before = sorted(attempt.responses.values_list("pk", "awarded_points"))

    hr = new_page()
    login(hr, live_server, "hr", DEMO_PASSWORD)
    hr.goto(url)
    expect(hr.get_by_text("Nobody is grading this attempt")).to_be_visible()
    first = new_page()
    login(first, live_server, mentor.username, DEMO_PASSWORD)
    first.goto(url)
    expect(first.get_by_text("Nobody is grading this attempt")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.leased_to is None  # two people looked; nobody holds it
    first.get_by_role("button", name="Take it").click()
    expect(first.get_by_text("You hold this attempt until")).to_be_visible()

    # HR's page, open since before: a save from it is refused with who holds the attempt
    points = hr.get_by_label(re.compile(r"^Points \(0"))
    points.first.fill("1")
    hr.get_by_role("button", name="Save and continue later").click()
    expect(hr.get_by_text(f"{mentor.get_full_name()} is grading this attempt now")).to_be_visible()
    expect(hr.get_by_text("your changes were not saved")).to_be_visible()
    screenshot(hr, "quizzes-grading-refused-second-grader")
    # reopened, it shows the lock and offers nothing to save
    hr.goto(url)
    lock = hr.get_by_text(
        re.compile(f"{re.escape(mentor.get_full_name())} is grading this attempt \\(until")
    )
    expect(lock).to_be_visible()
    expect(hr.get_by_role("button", name="Save and continue later")).to_have_count(0)
    expect(hr.get_by_role("button", name="Take it")).to_have_count(0)
    expect(hr.get_by_label(re.compile(r"^Points \(0")).first).to_be_disabled()
    screenshot(hr, "quizzes-grading-locked")
    attempt.refresh_from_db()
    assert attempt.leased_to == mentor
    assert sorted(attempt.responses.values_list("pk", "awarded_points")) == points_before
    assert not GradeChange.objects.filter(
        response__attempt=attempt, changed_by__username="hr"
    ).exists()

    # the holder saves as usual
    first.get_by_label(re.compile(r"^Points \(0")).first.fill("2")
    first.get_by_role("button", name="Save and continue later").click()
    expect(first.get_by_text("Saved. You can finish grading later.")).to_be_visible()


def test_trainee_takes_the_survey_mentor_grades_stage_advances(live_server, new_page):
    attempt, enrollment, mentor, stage = _prepare_last_requirement(live_server, new_page)
    trainee = enrollment.trainee

    page = new_page()
    login(page, live_server, trainee.username, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My quizzes").click()
    expect(page.get_by_role("heading", name="My quizzes")).to_be_visible()
    page.get_by_role("link", name="Resume").first.click()
    expect(page.get_by_role("heading", name="Product survey: Kestrel MF-4200")).to_be_visible()

    textareas = page.locator("textarea")
    for i in range(textareas.count()):
        area = textareas.nth(i)
        if not area.input_value():
            area.fill(en.CONTENT.survey.good_answers[i])
    page.get_by_label(re.compile(r"What is the order total in RUB")).fill("564 540")
    page.get_by_label("Starter toners for 8,000 pages").check()
    page.get_by_label("Power and USB cables").check()
    page.get_by_label("An office printing up to 15,000 pages a month in A4 and A3").check()
    questions = page.locator("section.question")
    questions.filter(has_text="third-party toner").get_by_label("False").check()
    questions.filter(has_text="next working day when").get_by_label("True").check()
    expect(page.locator("[data-save-status]")).to_contain_text("Saved at")
    screenshot(page, "quizzes-take-survey")
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_text("Every question has an answer.")).to_be_visible()
    page.get_by_role("button", name="Yes, submit my answers").click()
    expect(page.get_by_text("Your mentor grades your answers by")).to_be_visible()

    grader = new_page()
    login(grader, live_server, mentor.username, DEMO_PASSWORD)
    grader.get_by_role("navigation", name="Main").get_by_role("link", name="Grading").click()
    row = grader.locator("tr", has_text=trainee.get_full_name()).filter(has_text="Product survey")
    row.get_by_role("link", name="Grade").click()
    expect(grader.get_by_text("Nobody is grading this attempt")).to_be_visible()
    points = grader.get_by_label(re.compile(r"^Points \(0"))
    assert points.count() == 7
    for i in range(points.count()):
        points.nth(i).fill("4")
    grader.get_by_label("Feedback to the trainee").first.fill(
        "Good; add the competitors' toner prices."
    )
    screenshot(grader, "quizzes-grading-page")
    grader.get_by_role("button", name="Finish grading").click()
    expect(grader.get_by_text("Graded. The trainee has been notified")).to_be_visible()

    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    expect(page.locator(".result-tile")).to_contain_text("Passed")
    # 7 x 4 + 5 + 2 + 2 + 1 + 1 = 39 of 46 = 84.8 %
    expect(page.locator(".result-tile")).to_contain_text("84.8%")
    expect(page.get_by_text("Good; add the competitors' toner prices.")).to_be_visible()
    screenshot(page, "quizzes-result")
    assert (
        StageProgress.objects.get(enrollment=enrollment, stage=stage).status
        == StageProgress.Status.COMPLETED
    )
    page.goto(f"{live_server.url}{stage.url}")
    expect(page.get_by_test_id("stage-status")).to_have_text("Completed")
    screenshot(page, "quizzes-stage-after")


def test_quiz_pages_work_on_a_phone(live_server, new_page):
    call_command("seed_demo", "--quiet")
    attempt = Attempt.objects.select_related("enrollment__trainee").get(
        quiz__slug=demo.SURVEY_SLUG, status=Attempt.Status.IN_PROGRESS
    )
    page = new_page(viewport={"width": 375, "height": 740})
    login(page, live_server, attempt.enrollment.trainee.username, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/attempts/{attempt.pk}/")
    expect(page.get_by_role("button", name="Review and submit")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380
    screenshot(page, "quizzes-take-phone")
    page.goto(f"{live_server.url}/quizzes/")
    expect(page.get_by_role("heading", name="My quizzes")).to_be_visible()
    expect(page.get_by_role("link", name="Resume")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    screenshot(page, "quizzes-my-quizzes-phone")


def test_hr_sees_queue_overdue_list_and_authors_in_the_admin(live_server, new_page):
    call_command("seed_demo", "--quiet")
    survey = Quiz.objects.get(slug=demo.SURVEY_SLUG)
    page = new_page()
    login(page, live_server, "hr", DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Grading", exact=True).click()
    expect(page.get_by_role("heading", name="Grading")).to_be_visible()
    expect(page.locator("table.grading-queue")).to_contain_text("days past due")
    expect(page.locator("table.grading-queue")).to_contain_text("due in 2 days")
    screenshot(page, "quizzes-grading-queue")
    nav.get_by_role("link", name="Overdue grading").click()
    expect(page.get_by_text("Role-play certification: conclude a deal")).to_be_visible()
    screenshot(page, "quizzes-overdue")
    page.goto(f"{live_server.url}/admin/snippets/quizzes/quiz/edit/{survey.pk}/")
    preview = page.get_by_text("Preview as a trainee")
    expect(preview).to_be_visible()
    preview.scroll_into_view_if_needed()
    expect(
        page.get_by_role("link", name=re.compile("What are the main characteristics"))
    ).to_be_visible()
    page.screenshot(path=str(screenshot(page, "quizzes-admin-quiz")))  # the questions panel in view
    page.goto(f"{live_server.url}/quizzes/{survey.slug}/results/")
    expect(page.get_by_role("heading", name=re.compile("Results"))).to_be_visible()
    screenshot(page, "quizzes-results")
