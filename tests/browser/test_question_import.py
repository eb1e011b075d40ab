"""The question bank's Done-when in Chromium: HR imports a GIFT file through the admin
preview, makes the demo's product check draw from it, and a trainee takes it twice, gets
different questions and sees the automatic score at once."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo import quizzes as demo
from demo.people import DEMO_PASSWORD
from quizzes.models import Attempt, Question, QuestionCategory, Quiz
from tests.browser.conftest import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GIFT = """// Written for this test: five true statements and one matching question.
$CATEGORY: $course$/top/Pool

::P1::The MF-4200 prints A3. {T}

::P2::The MF-4200 scans to e-mail. {TRUE}

::P3::The MF-4200 has a duplex unit. {T#It has.#Right.}

::P4::The MF-4200 takes a finisher. {T}

::P5::The MF-4200 ships with starter toners. {T}

::Match::Match the part to its use. {=Toner -> printing =Drum -> imaging =Tray -> paper}
"""


def test_import_preview_pool_two_attempts_instant_score(live_server, new_page, tmp_path):
    call_command("seed_demo", "--quiet")
    check = Quiz.objects.get(slug=demo.PRODUCT_CHECK_SLUG)
    trainee = (
        Attempt.objects.select_related("enrollment__trainee")
        .get(quiz__slug=demo.SURVEY_SLUG, status=Attempt.Status.IN_PROGRESS)
        .enrollment.trainee
    )
    gift = tmp_path / "pool.gift.txt"
    gift.write_text(GIFT, encoding="utf-8")

    hr = new_page()
    login(hr, live_server, "hr", DEMO_PASSWORD)
    hr.goto(f"{live_server.url}/admin/quizzes/questions/import/")
    hr.get_by_label("File").set_input_files(str(gift))
    hr.get_by_label("Format").select_option("gift")
    hr.get_by_label("Category").fill("Browser test")
    hr.get_by_role("button", name="Preview").click()
    expect(hr.get_by_text("Nothing has been saved yet.")).to_be_visible()
    expect(hr.locator("[data-import-preview]")).to_contain_text("The MF-4200 scans to e-mail.")
    expect(hr.locator("[data-import-skipped]")).to_contain_text(
        "Matching questions are not supported by the question bank."
    )
    screenshot(hr, "question-import-preview")
    assert not QuestionCategory.objects.filter(name="Browser test").exists()
    hr.get_by_role("button", name="Import").click()
    expect(hr.get_by_text("5 questions imported into Browser test.")).to_be_visible()
    pool = QuestionCategory.objects.get(name="Pool", parent__name="Browser test")
    assert Question.objects.filter(category=pool).count() == 5

    # HR points the product check at the imported pool, two questions an attempt.
    hr.goto(f"{live_server.url}/admin/snippets/quizzes/quiz/edit/{check.pk}/")
    hr.locator("select[name=pool_category]").select_option(label="Browser test/Pool")
    hr.get_by_label("Questions drawn from the pool").fill("2")
    hr.get_by_role("button", name="Save", exact=True).click()
    expect(hr.get_by_text(re.compile("updated"))).to_be_visible()
    check.refresh_from_db()
    assert (check.pool_category_id, check.pool_size) == (pool.pk, 2)

    page = new_page()
    login(page, live_server, trainee.username, DEMO_PASSWORD)
    seen = []
    for attempt_no, answer in ((1, "False"), (2, "True")):
        page.goto(f"{live_server.url}/quizzes/{check.slug}/")
        page.get_by_role("button", name="Start").click()
        questions = page.locator("section.question")
        expect(questions).to_have_count(2)
        texts = questions.locator(".question-text").all_inner_texts()
        seen.append({re.sub(r"^\d+\.\s*", "", t).strip() for t in texts})
        for i in range(2):
            questions.nth(i).get_by_label(answer, exact=True).check()
        expect(page.locator("[data-save-status]")).to_contain_text("Saved at")
        page.get_by_role("button", name="Review and submit").click()
        page.get_by_role("button", name="Yes, submit my answers").click()
        # Purely automatic: the score is there at once.
        tile = page.locator(".result-tile")
        expect(tile).to_be_visible()
        expect(tile).to_contain_text("100.0%" if answer == "True" else "0.0%")
        screenshot(page, f"question-pool-attempt-{attempt_no}")
    assert len(seen[0]) == len(seen[1]) == 2
    assert not seen[0] & seen[1], "the retake draws questions not seen before"
    attempts = Attempt.objects.filter(quiz=check, enrollment__trainee=trainee).order_by("number")
    drawn = [set(a.responses.values_list("question_id", flat=True)) for a in attempts]
    assert len(drawn) == 2
    assert not drawn[0] & drawn[1]
