"""The career pages through the client: my next level, the ladder, the team with its office
filter and exports, a person's page where promotions are proposed and decided."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from careers import services
from careers.models import LevelChange
from people.formatting import money
from people.roles import Role
from tests.conftest import make_user
from tests.mentors.factories import add_activities, make_enrollment, make_mentorship
from tests.queries import SIGNED_IN
from tests.quizzes.factories import QuizFactory

from .factories import make_ladder, make_offices, pass_quiz, place

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))  # noqa: DTZ001  made aware here


@pytest.fixture
def offices():
    return make_offices()


@pytest.fixture
def quiz():
    return QuizFactory(title="1C certification", is_certification=True)


@pytest.fixture
def ladder(offices, quiz):
    return make_ladder(offices, quiz=quiz)


def on_ladder(office, *, director, hire_date=date(2025, 1, 10), mentor=None):
    """An account manager at level 1 in ``office``, with an enrollment (and a mentor)."""
    enrollment = make_enrollment(hire_date=hire_date)
    if mentor is not None:
        make_mentorship(enrollment=enrollment, mentor=mentor)
    person = enrollment.trainee
    place(person, office, hire_date=hire_date)
    services.level_enter(person=person, decided_by=director, on=date(2025, 6, 1))
    return enrollment


def test_my_career_shows_met_and_unmet_requirements_and_the_band(
    client, ladder, offices, quiz, director
):
    enrollment = on_ladder(offices["St. Petersburg"], director=director)
    pass_quiz(enrollment, quiz, at=at(2025, 9, 1, 12))
    add_activities(enrollment, "meeting", 5, timezone.now())
    client.force_login(enrollment.trainee)
    page = client.get(reverse("careers:my_career")).content.decode()
    assert "Now: Level 1 · Account manager" in page
    assert "Next: Level 2 · Account manager II" in page
    assert "2 of 5 requirements met" in page  # experience and the quiz
    assert "1C certification passed on" in page
    assert "5 meetings of 20 in the last 90 days" in page
    assert "Book more meetings." in page
    assert "No document on file." in page
    assert "Pay band in St. Petersburg: up to 30,000" in page


def test_my_career_before_the_ladder(client, ladder, trainee):
    client.force_login(trainee)
    page = client.get(reverse("careers:my_career")).content.decode()
    assert "Not on the ladder yet" in page
    assert "Next: Level 1" in page


def test_the_ladder_shows_each_office_band_as_entered(client, ladder, trainee):
    client.force_login(trainee)
    page = client.get(reverse("careers:ladder")).content.decode()
    rub = lambda thousands: money(Decimal(thousands * 1000), "RUB")  # noqa: E731
    for low, high in ((25, 30), (15, 20), (12, 15), (20, 23)):
        assert f"{rub(low)}–{rub(high)}" in page
    for high in (40, 25, 20, 30):
        assert f"up to {rub(high)}" in page


def test_team_page_and_office_filter(client, ladder, offices, director, head_of_sales):
    moscow = on_ladder(offices["Moscow"], director=director).trainee
    kazan_less = on_ladder(offices["Ekaterinburg"], director=director).trainee
    client.force_login(head_of_sales)
    page = client.get(reverse("careers:team")).content.decode()
    assert f"person-{moscow.pk}" in page
    assert f"person-{kazan_less.pk}" in page
    filtered = client.get(reverse("careers:team"), {"office": offices["Moscow"].pk})
    assert f"person-{moscow.pk}" in filtered.content.decode()
    assert f"person-{kazan_less.pk}" not in filtered.content.decode()
    # An office that does not exist is a form error, not a 500.
    bad = client.get(reverse("careers:team"), {"office": "99999999999999999999"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()


def test_directors_see_their_own_office_when_the_setting_says_so(
    client, ladder, offices, director, settings
):
    moscow = on_ladder(offices["Moscow"], director=director).trainee
    other = on_ladder(offices["Ekaterinburg"], director=director).trainee
    place(director, offices["Moscow"])
    settings.OFFICE_SCOPE = True
    client.force_login(director)
    page = client.get(reverse("careers:team")).content.decode()
    assert f"person-{moscow.pk}" in page
    assert f"person-{other.pk}" not in page
    assert client.get(reverse("careers:person", args=[other.pk])).status_code == 404


def test_team_page_is_for_those_who_oversee_the_team(client, ladder, trainee, mentor):
    for user in (trainee, mentor):
        client.force_login(user)
        assert client.get(reverse("careers:team")).status_code == 403
        assert client.get(reverse("careers:team_export")).status_code == 403


# The team, enrollments, level changes, ladders (4: ladders, levels, requirements, bands),
# quizzes passed, activity counts, evidence, and the offices of the filter.
TEAM_QUERIES = SIGNED_IN + 11


@pytest.mark.parametrize("n", [1, 4])
def test_team_page_takes_the_same_queries_for_one_or_four(
    client, ladder, offices, director, django_assert_num_queries, n
):
    for i in range(n):
        enrollment = on_ladder(offices["Moscow"], director=director)
        add_activities(enrollment, "meeting", i, timezone.now())
    client.force_login(director)
    client.get(reverse("careers:team"))
    with django_assert_num_queries(TEAM_QUERIES):
        page = client.get(reverse("careers:team")).content.decode()
    assert page.count('id="person-') == n


def test_team_exports(client, ladder, offices, director):
    person = on_ladder(offices["Moscow"], director=director).trainee
    client.force_login(director)
    csv = client.get(reverse("careers:team_export"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode()
    assert person.get_full_name() in text
    assert "Level 1 · Account manager" in text
    xlsx = client.get(reverse("careers:team_export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=1).value == person.get_full_name()
    assert sheet.cell(row=2, column=2).value == "Moscow"
    bad = client.get(reverse("careers:team_export"), {"dialect": "nonsense"})
    assert bad.status_code == 400


def test_team_exports_write_formulas_as_text(client, ladder, offices, director):
    """The team export goes through people/spreadsheets.py: a name that looks like a formula
    is text in CSV (an apostrophe before it) and a string cell in XLSX."""
    person = on_ladder(offices["Moscow"], director=director).trainee
    person.first_name, person.last_name = '=HYPERLINK("http://x")', "@SUM(A1)"
    person.save(update_fields=["first_name", "last_name"])
    client.force_login(director)
    text = client.get(reverse("careers:team_export"), {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in text
    xlsx = client.get(reverse("careers:team_export"), {"format": "xlsx"})
    cell = load_workbook(io.BytesIO(xlsx.content)).active.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_promote_on_the_person_page(client, ladder, offices, director, head_of_sales):
    mentor = make_user(Role.MENTOR)
    person = on_ladder(offices["Moscow"], director=director, mentor=mentor).trainee
    level_two = ladder.levels.get(number=2)
    client.force_login(mentor)
    page = client.get(reverse("careers:person", args=[person.pk])).content.decode()
    assert 'id="propose"' in page
    assert 'id="decide"' not in page
    # Bad input: a form error with 400, nothing written.
    response = client.post(
        reverse("careers:propose", args=[person.pk]),
        {"level": level_two.pk, "reason": "", "pay": "abc"},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("careers:propose", args=[person.pk]),
        {"level": level_two.pk, "reason": "Ready.", "pay": "50000"},
    )
    assert response.status_code == 400
    assert "up to 40,000" in response.content.decode()
    assert not LevelChange.objects.proposed().exists()
    response = client.post(
        reverse("careers:propose", args=[person.pk]),
        {"level": level_two.pk, "reason": "Closed the Stroymash deal.", "pay": "38000"},
    )
    assert response.status_code == 302
    # The mentor may not decide; the head of sales may.
    page = client.get(reverse("careers:person", args=[person.pk])).content.decode()
    assert 'id="decide"' not in page
    assert client.post(reverse("careers:decide", args=[person.pk]), {}).status_code == 403
    client.force_login(head_of_sales)
    response = client.post(
        reverse("careers:decide", args=[person.pk]), {"decision": "approve", "note": "Agreed."}
    )
    assert response.status_code == 302
    page = client.get(reverse("careers:person", args=[person.pk])).content.decode()
    assert "Now: Level 2 · Account manager II" in page
    assert "Closed the Stroymash deal." in page
    assert "The evidence at the time of the proposal" in page
    assert "38,000" in page


def test_nobody_decides_their_own_promotion_on_the_page(
    client, ladder, offices, director, head_of_sales
):
    place(head_of_sales, offices["Moscow"], hire_date=date(2020, 1, 1))
    services.promotion_propose(
        person=head_of_sales, level=ladder.levels.get(number=1), user=director, reason="Hired."
    )
    client.force_login(head_of_sales)
    # Their own page is "My career": no decision form; a forged POST is refused.
    response = client.get(reverse("careers:person", args=[head_of_sales.pk]))
    assert response.status_code == 302
    response = client.post(reverse("careers:decide", args=[head_of_sales.pk]),
                           {"decision": "approve"})  # fmt: skip
    assert response.status_code == 403
    assert LevelChange.objects.proposed().count() == 1


def test_people_see_only_who_they_may(client, ladder, offices, director):
    mentor = make_user(Role.MENTOR)
    mine = on_ladder(offices["Moscow"], director=director, mentor=mentor).trainee
    theirs = on_ladder(offices["Moscow"], director=director).trainee
    client.force_login(mentor)
    assert client.get(reverse("careers:person", args=[mine.pk])).status_code == 200
    assert client.get(reverse("careers:person", args=[theirs.pk])).status_code == 404
    client.force_login(mine)
    assert client.get(reverse("careers:person", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("careers:propose", args=[theirs.pk]), {}).status_code == 404


def test_mentor_confirms_on_the_page(client, ladder, offices, director):
    mentor = make_user(Role.MENTOR)
    person = on_ladder(offices["Moscow"], director=director, mentor=mentor).trainee
    confirmation = ladder.levels.get(number=2).requirements.get(kind="confirmation")
    client.force_login(mentor)
    response = client.post(
        reverse("careers:evidence", args=[person.pk]),
        {"requirement": confirmation.pk, "note": "Handled the Volga Trade complaint."},
    )
    assert response.status_code == 302
    page = client.get(reverse("careers:person", args=[person.pk])).content.decode()
    assert "Confirmed by" in page
    # A document requirement is not the mentor's to file: not offered, refused if forged.
    document = ladder.levels.get(number=2).requirements.get(kind="document")
    response = client.post(
        reverse("careers:evidence", args=[person.pk]), {"requirement": document.pk}
    )
    assert response.status_code == 400
