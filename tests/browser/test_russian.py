# ruff: noqa: RUF001 - Russian text, whose letters look like Latin ones
"""The Russian demo read in a browser: plurals, dates, numbers and money as a Russian reader
expects them on the trainee's home, the mentor's home, the bonuses page and the dashboard, and
the program's pages in each person's language. Screenshots of every page go to var/screenshots/
(gitignored), to be looked at."""

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import expect

from courses.models import Enrollment, StagePage, StageProgress
from demo.people import DEMO_PASSWORD
from mentors.models import BonusStatement
from tests.browser.conftest import login_in_any_language

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
NBSP = "\xa0"
SPACE = "[\xa0\u202f]"  # the formats' no-break (or narrow no-break) space


def russian_date(day) -> str:
    """«2 декабря 2026», written out here, not by the formats under test."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def russian_number(n) -> str:
    return f"{int(n):,}".replace(",", NBSP)


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian's three forms: 1 звонок, 2 звонка, 5 звонков (11-14: many)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, live_server, username: str) -> None:
    login_in_any_language(page, live_server, username, DEMO_PASSWORD)


def open_as(new_page, live_server, username: str, path: str):
    page = new_page(locale="ru-RU")
    login(page, live_server, username)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    return page, page.locator("#main").inner_text()


COUNTED = {
    "звон": ("звонок", "звонка", "звонков"),
    "встреч": ("встреча", "встречи", "встреч"),
    "заяв": ("заявка", "заявки", "заявок"),
    "договор": ("договор", "договора", "договоров"),
}


def assert_counts_read_right(text: str) -> int:
    """Every «N звонков», «N встречи», ... has the form its number asks for."""
    found = re.findall(r"(\d[\d\xa0]*) (звон\w+|встреч\w*|заяв\w+|договор\w*)", text)
    for number, word in found:
        n = int(number.replace(NBSP, ""))
        forms = next(forms for stem, forms in COUNTED.items() if word.startswith(stem))
        assert word == plural(n, *forms), (number, word)
    return len(found)


def test_plurals_dates_numbers_and_money_read_right_in_russian(live_server, new_page):
    call_command("seed_demo", "--language", "ru", "--quiet")
    today = timezone.localdate()

    # The trainee's home: the hire date, the days since, the stages' completion dates, the
    # progress in per cent, "N of M tasks".
    enrollment = Enrollment.objects.select_related("program").get(trainee__username="trainee1")
    page, text = open_as(new_page, live_server, "trainee1", "/onboarding/")
    shoot(page, "ru-trainee-home")
    assert f"дата приёма: {russian_date(enrollment.hire_date)}" in text
    days = (today - enrollment.hire_date).days
    assert f"{days}\n{plural(days, 'день', 'дня', 'дней')} с даты приёма" in text
    assert re.search(rf"Общий прогресс: \d+{SPACE}%", text)
    for _done, total, word in re.findall(r"Выполнено (\d+) из (\d+) (задачи|задач)", text):
        assert word == ("задачи" if int(total) % 10 == 1 and int(total) % 100 != 11 else "задач")
    completed = StageProgress.objects.filter(enrollment=enrollment, status="completed")
    assert completed.exists()
    for progress in completed:
        assert f"завершён {russian_date(timezone.localdate(progress.completed_at))}" in text
    assert re.search(r"по плану: 2 рабочих дня", text)
    assert re.search(r"по плану: 20 рабочих дней", text)

    # The mentor's home: the window's counts in words, the days since hire, money.
    page, text = open_as(new_page, live_server, "mentor1", "/mentees/")
    shoot(page, "ru-mentor-home")
    assert assert_counts_read_right(text) >= 4 * 4  # four mentees, four kinds each
    assert re.search(r"Учтено за период: \d+ звон", text)
    assert f"10{NBSP}000{NBSP}₽" in text
    for days, word in re.findall(r"С даты приёма\n(\d+) (\w+)", text):
        assert word == plural(int(days), "день", "дня", "дней")
    assert not re.search(r"\d,\d{3}", text)  # no English thousands separator

    # The bonuses page: the totals by status, "N расчётов", the periods as dates.
    page, text = open_as(new_page, live_server, "sales_head", "/bonuses/")
    shoot(page, "ru-bonuses")
    totals = defaultdict(lambda: [Decimal(0), 0])
    for statement in BonusStatement.objects.all():
        totals[statement.status][0] += statement.amount
        totals[statement.status][1] += 1
    labels = dict(BonusStatement.Status.choices)
    assert totals
    for status, (amount, count) in totals.items():
        with translation.override("ru"):
            label = str(labels[status])
        expected = f"{russian_number(amount)}{NBSP}₽\n{label} · {count} " + plural(
            count, "расчёт", "расчёта", "расчётов"
        )
        assert expected in text, expected
    # The periods as dates: «6 декабря – 4 января 2027», whatever today is.
    periods = {
        f"{s.period_start.day} {MONTHS[s.period_start.month - 1]} – {russian_date(s.last_day)}"
        for s in BonusStatement.objects.exclude(status="superseded")
    }
    assert any(period in text for period in periods), sorted(periods)
    assert assert_counts_read_right(text) >= 1  # the recomputed counts of a flagged statement

    # The dashboard: decimals with a comma, grouped thousands, per cent with a space, 24-hour.
    page, text = open_as(new_page, live_server, "director", "/ramp-up/")
    expect(page.locator(".chart-svg svg").first).to_be_visible()
    shoot(page, "ru-dashboard")
    assert re.search(r"Данные на ([01]\d|2[0-3]):[0-5]\d", text)
    assert re.search(r"\n\d+,\d мес\.\nМедианный срок выхода на план", text)
    assert re.search(rf"\n\d+{SPACE}%\nОтстаёт от плана", text)
    assert re.search(r"\t1,00\b", text)  # the cohort table: 1,00 = the plan met
    assert re.search(rf"Звонки\t\d{{1,3}}{SPACE}\d{{3}}\b", text)
    assert re.search(rf"\t\d+,\d{SPACE}%", text)  # a conversion rate
    assert not re.search(r"(?<![\d.])\d+\.\d\d(?![\d.])", text)  # no English decimal point

    # The Russian program's stage page.
    stage = StagePage.objects.get(slug="products-and-customers", locale__language_code="ru")
    page, text = open_as(new_page, live_server, "trainee1", stage.url)
    shoot(page, "ru-stage-page")
    assert stage.title in text
    assert "Плановая длительность: 4 рабочих дня" in text


def test_the_program_reads_in_each_persons_language(live_server, new_page):
    """The English demo's program has a Russian translation: switching to Russian shows the
    stage in Russian at the same address, with the same progress."""
    call_command("seed_demo", "--language", "en", "--quiet")
    stage = StagePage.objects.get(slug="products-and-customers", locale__language_code="en")
    russian = StagePage.objects.get(
        translation_key=stage.translation_key, locale__language_code="ru"
    )
    page = new_page()
    login(page, live_server, "trainee1")
    page.goto(f"{live_server.url}{stage.url}")
    expect(page.locator("h1")).to_have_text(stage.title)
    done_in_english = page.locator(".checklist-item.done").count()
    assert done_in_english > 0
    shoot(page, "en-stage-page")

    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.url.endswith(stage.url)
    expect(page.locator("h1")).to_have_text(russian.title)
    expect(page.locator(".checklist-item.done")).to_have_count(done_in_english)
    text = page.locator("#main").inner_text()
    assert russian.summary in text
    assert stage.summary not in text
    shoot(page, "ru-translated-stage-page")

    page.goto(f"{live_server.url}/onboarding/")
    text = page.locator("#main").inner_text()
    assert russian.title in text
    assert russian.get_parent().title in text
    shoot(page, "ru-translated-trainee-home")
