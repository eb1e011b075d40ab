"""The pages people read most, in Russian and in English: money «25 000 ₽», grouped numbers
«1 200», percentages «50 %» and dates «2 ноября 2026» in Russian; «25,000 ₽», «1,200», «50%»
and «2 November 2026» in English (issue #15)."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from mentors import exports
from mentors import services as mentor_services
from mentors.models import BonusStatement
from people.roles import Role
from tests.conftest import make_user
from tests.courses import factories as courses
from tests.mentors import factories as mentors
from tests.rampup import helpers as rampup

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def in_language(client, user, language: str):
    """Log ``user`` in reading ``language``, as the language switch leaves them: the choice on
    the profile and in the cookie that LocaleMiddleware reads."""
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": language})
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def text_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# The trainee's home ----------------------------------------------------------------------


@pytest.fixture
def dec_2():
    with time_machine.travel(datetime(2026, 12, 2, 10, tzinfo=MSK), tick=False):
        yield


@pytest.fixture
def march_18():
    with time_machine.travel(datetime(2026, 3, 18, 15, tzinfo=MSK), tick=False):
        yield


@pytest.fixture
def nov_26():
    with time_machine.travel(datetime(2026, 11, 26, 10, tzinfo=MSK), tick=False):
        yield


@pytest.fixture
def trainee_home(dec_2, hr):
    program = courses.make_program(stages=2, items=2, others=1)
    enrollment = courses.enroll(program, by=hr, hire_date=date(2026, 11, 2))
    courses.finish_stage(enrollment, courses.stages_of(program)[0], hr=hr)
    return enrollment


def test_the_trainee_home_in_russian(client, trainee_home):
    page = text_of(
        in_language(client, trainee_home.trainee, "ru").get(reverse("courses:my_onboarding"))
    )
    assert "2 ноября 2026" in page  # hired
    assert f'data-testid="overall-percent">50{NBSP}%</span>' in page
    assert f"Общий прогресс: 50{NBSP}%" in page
    assert 'aria-valuenow="50"' in page  # read by machines: unchanged
    assert 'style="width: 50%"' in page


def test_the_trainee_home_in_english(client, trainee_home):
    page = text_of(
        in_language(client, trainee_home.trainee, "en").get(reverse("courses:my_onboarding"))
    )
    assert "2 November 2026" in page
    assert 'data-testid="overall-percent">50%</span>' in page
    assert "Overall progress: 50%" in page


# The mentor's home and the bonuses page ---------------------------------------------------


@pytest.fixture
def final_statement(march_18, mentor, head_of_sales):
    """An approved statement of a window that ended (hired 5 January: 5 January – 3 February)."""
    enrollment = mentors.make_enrollment(hire_date=date(2026, 1, 5))
    mentorship = mentors.make_mentorship(
        enrollment=enrollment, mentor=mentor, rule=mentors.make_rule()
    )
    mentors.add_activities(enrollment, "call", 1200, datetime(2026, 1, 10, 11, tzinfo=MSK))
    mentor_services.statement_compute(mentorship_id=mentorship.pk)
    statement = BonusStatement.objects.get(mentorship=mentorship)
    mentor_services.statement_approve(statement=statement, user=head_of_sales)
    return statement


@pytest.fixture
def mentee(march_18, mentor):
    """A mentee hired on 2 March 2026 with 1,200 calls in the bonus window: the Base tier
    (5,000 ₽) reached, the Increased one (15,000 ₽) still ahead."""
    enrollment = mentors.make_enrollment(hire_date=date(2026, 3, 2))
    mentorship = mentors.make_mentorship(
        enrollment=enrollment, mentor=mentor, rule=mentors.make_rule()
    )
    mentors.add_activities(enrollment, "call", 1200, datetime(2026, 3, 3, 11, tzinfo=MSK))
    mentor_services.statement_compute(mentorship_id=mentorship.pk)
    return mentorship


def test_the_mentor_home_in_russian(client, mentor, mentee):
    page = text_of(in_language(client, mentor, "ru").get(reverse("mentors:mentees")))
    assert f"Base</strong> · 5{NBSP}000{NBSP}₽" in page
    assert f"До уровня «Increased» (15{NBSP}000{NBSP}₽)" in page
    assert "2 марта – 31 марта 2026" in page  # the bonus window
    assert f"1{NBSP}200 / 300" in page  # calls towards the next tier
    assert f'<td class="num">1{NBSP}200</td>' in page  # calls in the statement
    assert f'<td class="num">5{NBSP}000{NBSP}₽</td>' in page
    assert "RUB" not in page


def test_the_mentor_home_in_english(client, mentor, mentee):
    page = text_of(in_language(client, mentor, "en").get(reverse("mentors:mentees")))
    assert f"Base</strong> · 5,000{NBSP}₽" in page
    assert f"Towards “Increased” (15,000{NBSP}₽)" in page
    assert "2 March – 31 March 2026" in page
    assert '<td class="num">1,200</td>' in page
    assert "5,000.00" not in page  # no kopecks on a whole amount


def test_the_bonuses_page_in_russian(client, head_of_sales, mentee):
    page = text_of(in_language(client, head_of_sales, "ru").get(reverse("mentors:bonuses")))
    assert f'<span class="value">5{NBSP}000{NBSP}₽</span>' in page  # the total tile
    assert f'<td class="num">5{NBSP}000{NBSP}₽</td>' in page
    assert f'<td class="num">1{NBSP}200</td>' in page
    assert "2 марта – 31 марта 2026" in page
    assert "RUB" not in page


def test_the_bonuses_page_in_english(client, head_of_sales, mentee):
    page = text_of(in_language(client, head_of_sales, "en").get(reverse("mentors:bonuses")))
    assert f'<span class="value">5,000{NBSP}₽</span>' in page
    assert '<td class="num">1,200</td>' in page
    assert "2 March – 31 March 2026" in page


def test_the_payroll_files_for_russian_excel_and_with_typed_cells(
    client, head_of_sales, final_statement
):
    client = in_language(client, head_of_sales, "ru")
    page = text_of(client.get(reverse("mentors:bonuses")))
    assert 'name="dialect" value="excel-ru"' in page
    assert "CSV для Excel (;)" in page

    response = client.post(reverse("mentors:bonuses_export"), {"dialect": "excel-ru"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    header, row, _total = response.content.decode("utf-8-sig").splitlines()
    assert header.split(";")[1] == "Наставник"
    cells = row.split(";")
    assert cells[5:7] == ["2026-01-05", "2026-02-03"]
    assert cells[8:] == ["5000,00", "RUB"]

    # The statement is in batch 1 now; the other formats of the same file, as rendered.
    statements = list(BonusStatement.objects.all())
    plain = exports.render(statements, fmt="csv")
    assert plain.decode("utf-8-sig").splitlines()[1].endswith(",5000.00,RUB")

    xlsx = exports.render(statements, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    start, end, amount = (sheet.cell(row=2, column=n) for n in (6, 7, 9))
    assert start.is_date
    assert start.value.date() == date(2026, 1, 5)
    assert end.is_date
    assert end.value.date() == date(2026, 2, 3)
    assert amount.data_type == "n"
    assert amount.value == 5000
    assert amount.number_format == "#,##0.00"


def test_an_unknown_csv_dialect_is_a_message_not_a_file(client, head_of_sales, final_statement):
    client.force_login(head_of_sales)
    response = client.post(reverse("mentors:bonuses_export"), {"dialect": "excel-xx"}, follow=True)
    assert response.status_code == 200
    assert "Unknown CSV dialect." in response.content.decode()
    assert BonusStatement.objects.get().exported_at is None


# The ramp-up dashboard -------------------------------------------------------------------

PLAN = {"target_call": 100, "target_meeting": 10, "target_application": 5, "target_contract": 0}


@pytest.fixture
def director(nov_26):
    program = rampup.make_program(**PLAN)
    enrollments, _mentor = rampup.populate(program, 2, hire=date(2026, 7, 1))
    rampup.add(enrollments[0], "call", rampup.local(date(2026, 7, 2)), n=1200)
    return make_user(Role.DIRECTOR)


def test_the_dashboard_in_russian(client, director):
    page = text_of(in_language(client, director, "ru").get(reverse("dashboard")))
    assert f'<span class="value">100{NBSP}%</span>' in page  # behind the curve
    assert f'<td class="num">1{NBSP}240</td>' in page  # calls in the funnel
    assert f'<td class="num">0,3{NBSP}%</td>' in page  # meetings from calls
    assert "<td>01.07.2026</td>" in page  # hire dates in the table
    assert '<th scope="row">Июль 2026</th>' in page  # the cohort
    assert "Июль 2026 (2)" in page  # the chart's legend
    assert f"{NBSP}%</text>" in page  # the chart's axis
    assert "2026-07-01" not in page


def test_the_dashboard_in_english(client, director):
    page = text_of(in_language(client, director, "en").get(reverse("dashboard")))
    assert '<span class="value">100%</span>' in page
    assert '<td class="num">1,240</td>' in page
    assert '<td class="num">0.3%</td>' in page
    assert '<th scope="row">July 2026</th>' in page
    assert f"{NBSP}%</text>" not in page


def test_the_dashboard_exports_for_russian_excel_and_with_typed_cells(client, director):
    client = in_language(client, director, "ru")
    page = text_of(client.get(reverse("dashboard")))
    assert f'href="{reverse("dashboard_export_csv")}?dialect=excel-ru"' in page

    response = client.get(reverse("dashboard_export_csv"), {"dialect": "excel-ru"})
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    header = lines[0].split(";")
    assert header[:4] == ["Стажёр", "Эл. почта", "Программа", "Дата приёма"]
    row = lines[1].split(";")
    assert row[3] == "2026-07-01"
    fulfilment = row[header.index("Выполнение плана")]
    assert "," in fulfilment or fulfilment == "0"

    plain = client.get(reverse("dashboard_export_csv"))
    assert not plain.content.startswith("\ufeff".encode())
    assert plain.content.decode().splitlines()[0].startswith("Стажёр,Эл. почта,")

    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard_export_xlsx")).content)).active
    hired, months = sheet.cell(row=2, column=4), sheet.cell(row=2, column=5)
    assert hired.is_date
    assert hired.value.date() == date(2026, 7, 1)
    assert (months.data_type, months.value) == ("n", 5)
    fulfilment = sheet.cell(row=2, column=10)
    assert fulfilment.data_type == "n"
    assert fulfilment.number_format == "0.00"


def test_an_unknown_dashboard_dialect_goes_back_with_a_message(client, director):
    client.force_login(director)
    response = client.get(reverse("dashboard_export_csv"), {"dialect": "nope", "cohort": "2026-07"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard") + "?cohort=2026-07"
    page = client.get(response["Location"]).content.decode()
    assert "Unknown CSV dialect." in page


def test_the_export_of_someone_without_the_dashboard_is_refused(client, mentor):
    client.force_login(mentor)
    assert client.get(reverse("dashboard_export_csv"), {"dialect": "nope"}).status_code == 403


def test_no_thousand_separator_is_forced_on_every_number():
    # Ids rendered into URLs and forms must stay ungrouped: grouping is asked for per value.
    assert not settings.USE_THOUSAND_SEPARATOR


def test_ids_in_links_stay_ungrouped_in_russian(client, director):
    program = rampup.make_program(**PLAN)
    rampup.make_enrollment(hire_date=date(2026, 8, 3), program=program, pk=12345)
    page = text_of(in_language(client, director, "ru").get(reverse("dashboard")))
    assert 'href="/ramp-up/12345/"' in page
