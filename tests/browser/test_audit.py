from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from courses.models import Enrollment
from demo.people import DEMO_PASSWORD
from quizzes import services as quiz_services
from quizzes.models import Attempt, ExtraAttemptGrant, Response
from tests.browser.conftest import login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _audited_demo():
    """The demo company, plus a grade override and an extra attempt (the demo has neither)."""
    call_command("seed_demo", "--quiet")
    users = get_user_model().objects
    director, hr = users.get(username="director"), users.get(username="hr")
    response = (
        Response.objects.filter(attempt__status=Attempt.Status.GRADED, awarded_points__isnull=False)
        .select_related("attempt__enrollment__trainee", "question")
        .order_by("pk")
        .first()
    )
    points = Decimal(0) if response.awarded_points else response.question.points
    quiz_services.response_override(
        response=response,
        user=director,
        grade=quiz_services.ResponseGrade(points=points),
        reason="Second reading: the answer names the right discount rule",
    )
    enrollment = Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).first()
    ExtraAttemptGrant.objects.create(
        enrollment=enrollment,
        quiz=response.attempt.quiz,
        granted_by=hr,
        reason="Was ill on the day of the test",
    )
    return enrollment


def test_director_reads_the_audit_history_and_opens_a_trainee(live_server, new_page):
    enrollment = _audited_demo()
    trainee = enrollment.trainee.get_full_name()

    page = new_page(viewport={"width": 1400, "height": 1000})
    login(page, live_server, "director", DEMO_PASSWORD)
    page.get_by_role("link", name="Audit history").click()
    expect(page.get_by_role("heading", name="Audit history")).to_be_visible()
    table = page.locator("table.audit")
    expect(table).to_contain_text("Grade override")
    expect(table).to_contain_text("Second reading: the answer names the right discount rule")
    expect(table).to_contain_text("Bonus approved")
    screenshot(page, "audit-history")

    page.get_by_label("What").select_option("extra_attempt")
    page.get_by_label("Trainee").fill(enrollment.trainee.last_name)
    page.get_by_role("button", name="Filter").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Was ill on the day of the test")
    expect(rows.first).to_contain_text("Irina Volkova")

    rows.first.get_by_role("link", name=trainee).click()
    expect(page.get_by_role("heading", name=trainee)).to_be_visible()
    grants = page.locator("ul.extra-attempts")
    expect(grants).to_contain_text("Was ill on the day of the test")
    expect(grants).to_contain_text("granted by Irina Volkova")
    grants.scroll_into_view_if_needed()
    screenshot(page, "audit-drilldown-extra-attempts")
