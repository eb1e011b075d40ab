"""Numbers, money and percentages in the reader's language (people/formatting.py and the
``num``, ``money`` and ``percent`` filters), and the spreadsheet writer (people/spreadsheets.py):
typed XLSX cells, and CSV plain or for Excel in Russian."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format
from openpyxl import load_workbook

from people import formatting, spreadsheets
from people.spreadsheets import DATE, DECIMAL, INTEGER, MONEY, PERCENT, Column

NBSP = "\xa0"


@pytest.fixture
def ru():
    with translation.override("ru"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("value", "places", "russian", "english"),
    [
        (0, None, "0", "0"),
        (7, None, "7", "7"),
        (11607, None, f"11{NBSP}607", "11,607"),
        (-25000, None, f"-25{NBSP}000", "-25,000"),
        (1234567890, None, f"1{NBSP}234{NBSP}567{NBSP}890", "1,234,567,890"),
        (Decimal("0.56"), None, "0,56", "0.56"),
        (Decimal("0.50"), None, "0,50", "0.50"),  # the places the value has
        (Decimal("-1234.5"), None, f"-1{NBSP}234,5", "-1,234.5"),
        (Decimal("2.45"), 1, "2,5", "2.5"),  # rounded half up, not cut off
        (Decimal("-0.04"), 1, "0,0", "0.0"),  # never «-0»
        (Decimal("1E+1"), None, "10", "10"),  # a normalized Decimal
        (1.5, None, "1,5", "1.5"),
        ("25000", None, f"25{NBSP}000", "25,000"),
        (None, None, "—", "—"),
        ("", None, "—", "—"),
    ],
)
def test_number_in_both_languages(value, places, russian, english):
    with translation.override("ru"):
        assert formatting.number(value, places) == russian
    with translation.override("en"):
        assert formatting.number(value, places) == english


def test_what_is_not_a_number_is_shown_as_it_is(ru):
    assert formatting.number("n/a") == "n/a"
    assert formatting.money("abc") == "abc"
    assert formatting.percent(Decimal("NaN")) == "NaN"


@pytest.mark.parametrize(
    ("amount", "currency", "russian", "english"),
    [
        (Decimal("25000.00"), "RUB", f"25{NBSP}000{NBSP}₽", f"25,000{NBSP}₽"),
        (Decimal("1250.5"), "RUB", f"1{NBSP}250,50{NBSP}₽", f"1,250.50{NBSP}₽"),
        (Decimal("0.00"), "RUB", f"0{NBSP}₽", f"0{NBSP}₽"),
        (Decimal("-3000"), "RUB", f"-3{NBSP}000{NBSP}₽", f"-3,000{NBSP}₽"),
        (Decimal("1234567.899"), "RUB", f"1{NBSP}234{NBSP}567,90{NBSP}₽", f"1,234,567.90{NBSP}₽"),
        (5000, "USD", f"5{NBSP}000{NBSP}USD", f"5,000{NBSP}USD"),
        (5000, None, f"5{NBSP}000{NBSP}₽", f"5,000{NBSP}₽"),  # settings.DEFAULT_CURRENCY
        (None, "RUB", "—", "—"),
    ],
)
def test_money_in_both_languages(amount, currency, russian, english):
    with translation.override("ru"):
        assert formatting.money(amount, currency) == russian
    with translation.override("en"):
        assert formatting.money(amount, currency) == english


@pytest.mark.parametrize(
    ("value", "places", "russian", "english"),
    [
        (74, None, f"74{NBSP}%", "74%"),
        (0, None, f"0{NBSP}%", "0%"),
        (100, None, f"100{NBSP}%", "100%"),
        (Decimal("84.8"), None, f"84,8{NBSP}%", "84.8%"),
        (Decimal("66.67"), 0, f"67{NBSP}%", "67%"),
        (-12.5, None, f"-12,5{NBSP}%", "-12.5%"),
        (None, None, "—", "—"),
    ],
)
def test_percent_in_both_languages(value, places, russian, english):
    with translation.override("ru"):
        assert formatting.percent(value, places) == russian
    with translation.override("en"):
        assert formatting.percent(value, places) == english


def render(source: str, **context) -> str:
    return Template("{% load people_tags %}" + source).render(Context(context))


def test_the_filters_in_russian(ru):
    assert render("{{ n|num }}", n=25000) == f"25{NBSP}000"
    assert render("{{ v|num:1 }}", v=Decimal("2.45")) == "2,5"
    assert render("{{ a|money:'RUB' }}", a=Decimal("25000.00")) == f"25{NBSP}000{NBSP}₽"
    assert render("{{ a|money }}", a=Decimal("99.99")) == f"99,99{NBSP}₽"
    assert render("{{ p|percent }}", p=74) == f"74{NBSP}%"
    assert render("{{ p|percent }}", p=None) == "—"
    assert render("{{ p|num:'x' }}", p=Decimal("1.5")) == "1,5"  # a bad argument is ignored


def test_the_filters_in_english(en):
    assert render("{{ n|num }}", n=25000) == "25,000"
    assert render("{{ a|money:c }}", a=Decimal("25000"), c="RUB") == f"25,000{NBSP}₽"
    assert render("{{ p|percent }}", p=Decimal("74")) == "74%"


def test_text_that_is_not_a_number_is_escaped(ru):
    assert render("{{ v|num }}", v="<b>") == "&lt;b&gt;"


def test_the_named_date_formats(ru):
    day = date(2026, 12, 2)
    assert date_format(day) == "2 декабря 2026"
    assert date_format(day, "MONTH_DAY_FORMAT") == "2 декабря"
    assert date_format(day, "YEAR_MONTH_FORMAT") == "Декабрь 2026"
    with translation.override("en"):
        assert date_format(day) == "2 December 2026"
        assert date_format(day, "MONTH_DAY_FORMAT") == "2 December"


# The spreadsheet writer ------------------------------------------------------------------

COLUMNS = [
    Column("Name"),
    Column("Day", DATE),
    Column("Count", INTEGER),
    Column("Share", DECIMAL),
    Column("Amount", MONEY),
    Column("Quiz (%)", PERCENT),
]
ROWS = [
    [
        "Иван Петров",
        date(2026, 12, 2),
        11607,
        Decimal("0.56"),
        Decimal("25000.50"),
        Decimal("84.8"),
    ],
    ['=HYPERLINK("x")', date(2026, 1, 5), 0, Decimal("-1.25"), Decimal("0.00"), None],
]


def test_plain_csv_is_comma_separated_utf8_with_iso_dates_and_decimal_points():
    data = spreadsheets.to_csv(COLUMNS, ROWS)
    assert not data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["Name", "Day", "Count", "Share", "Amount", "Quiz (%)"]
    assert rows[1] == ["Иван Петров", "2026-12-02", "11607", "0.56", "25000.50", "84.8"]


def test_csv_for_russian_excel_has_a_bom_semicolons_and_decimal_commas():
    data = spreadsheets.to_csv(COLUMNS, ROWS, dialect="excel-ru")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(";") == ["Name", "Day", "Count", "Share", "Amount", "Quiz (%)"]
    assert lines[1].split(";") == ["Иван Петров", "2026-12-02", "11607", "0,56", "25000,50", "84,8"]
    second = next(csv.reader(io.StringIO(lines[2]), delimiter=";"))
    assert second[3:] == ["-1,25", "0,00", ""]


def test_csv_text_never_becomes_a_formula():
    for dialect in spreadsheets.DIALECTS:
        text = spreadsheets.to_csv(COLUMNS, ROWS, dialect=dialect).decode("utf-8-sig")
        delimiter = ";" if dialect == "excel-ru" else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert rows[2][0] == '\'=HYPERLINK("x")'
        assert rows[2][2] == "0"  # a number is not text: never prefixed


def test_an_unknown_dialect_is_refused():
    with pytest.raises(spreadsheets.UnknownDialect):
        spreadsheets.to_csv(COLUMNS, ROWS, dialect="excel-de")
    assert spreadsheets.check_dialect("") == "excel"
    assert spreadsheets.check_dialect(None) == "excel"


def test_xlsx_keeps_dates_numbers_and_text_typed():
    sheet = load_workbook(io.BytesIO(spreadsheets.to_xlsx(COLUMNS, ROWS, title="Test"))).active
    assert sheet.title == "Test"
    assert [c.value for c in sheet[1]] == ["Name", "Day", "Count", "Share", "Amount", "Quiz (%)"]
    name, day, count, share, amount, quiz = sheet[2]
    assert name.value == "Иван Петров"
    assert name.data_type == "s"
    assert day.is_date
    assert day.value.date() == date(2026, 12, 2)
    assert day.number_format == "dd.mm.yyyy"
    assert (count.value, count.data_type, count.number_format) == (11607, "n", "#,##0")
    assert share.data_type == "n"
    assert Decimal(str(share.value)) == Decimal("0.56")
    assert (amount.data_type, amount.number_format) == ("n", "#,##0.00")
    assert Decimal(str(amount.value)) == Decimal("25000.5")
    assert (quiz.data_type, quiz.number_format) == ("n", "0.0")
    formula_like = sheet.cell(row=3, column=1)
    assert formula_like.value == '=HYPERLINK("x")'
    assert formula_like.data_type == "s"  # stored as text, not as a formula
    assert sheet.cell(row=3, column=6).value is None


def test_xlsx_writes_an_aware_datetime_in_local_time():
    moscow = datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/Moscow"))
    columns = [Column("When", DATE)]
    sheet = load_workbook(io.BytesIO(spreadsheets.to_xlsx(columns, [[moscow]], title="T"))).active
    assert sheet.cell(row=2, column=1).value == datetime(2026, 12, 2, 9, 30)  # noqa: DTZ001
