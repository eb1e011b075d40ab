import io
import re
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.users.models import UserProfile

from courses import services as course_services
from courses.models import Enrollment, StagePage, StageProgress
from mentors.models import Mentorship
from people.models import Notification
from people.roles import Role
from rampup import services
from rampup.dashboard import (
    PAGE_SIZE,
    SORT_COLUMNS,
    cache_generation,
    dashboard,
    dashboard_cache_key,
    dashboard_rows_cache_key,
)
from rampup.models import RampPlan
from tests.conftest import make_user
from tests.queries import SIGNED_IN
from tests.rampup.helpers import (
    add,
    local,
    make_program,
    populate,
    table_pks,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
PLAN = {"target_call": 100, "target_meeting": 10, "target_application": 5, "target_contract": 0}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(local(TODAY, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def main(response) -> str:
    return response.content.decode().split('<main id="main"', 1)[1]


def funnel_count(response, step: str) -> int:
    match = re.search(rf"{step}</th>\s*<td class=\"num\">(\d+)</td>", response.content.decode())
    return int(match.group(1))


# A dashboard computed afresh: signed in; the filter form's choices (programs, hire months,
# offices: the mentor is a search, not a list); the programs and plans of the filter; the
# summary (one statement, the first page's ids with it); the overdue gradings; the rows of
# the page and of the lists above the table.
COLD_QUERIES = SIGNED_IN + 14


def test_dashboard_query_count_does_not_grow_with_trainees(client, django_assert_num_queries):
    program = make_program(**PLAN)
    client.force_login(make_user(Role.DIRECTOR))
    populate(program, 10)
    with django_assert_num_queries(COLD_QUERIES):
        small = client.get(reverse("dashboard"))
    assert small.status_code == 200
    populate(program, 90)  # new enrollments: the cached page is stale, this one is computed
    with django_assert_num_queries(COLD_QUERIES):
        large = client.get(reverse("dashboard"))
    assert large.status_code == 200
    assert 'All enrollments <span class="muted">(100)</span>' in large.content.decode()
    assert len(table_pks(large)) == PAGE_SIZE


def test_dashboard_figures_and_cohort_filter(client):
    program = make_program(**PLAN)
    july, _mentor = populate(program, 2, hire=date(2026, 7, 1))
    # One July hire reached the full targets in month 1: ramped in month 1.
    add(july[0], "call", local(date(2026, 7, 10)), n=80)
    add(july[0], "meeting", local(date(2026, 7, 10)), n=8)
    add(july[0], "application", local(date(2026, 7, 10)), n=5)
    september, _ = populate(program, 1, hire=date(2026, 9, 15))
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    page = client.get(reverse("dashboard"))
    data = dashboard(director, today=TODAY)
    assert len(data.rows) == 3
    assert len(table_pks(page)) == 3
    assert [r.ramped_month for r in data.ramped] == [1]
    assert data.median_time_to_ramp == Decimal(1)
    # Nobody kept up after month 1: the last two complete months are behind for everyone, but
    # the one who ramped in month 1 is past the ramp-up curve, so not "behind the curve".
    assert {r.enrollment.pk for r in data.behind} == {july[1].pk, september[0].pk}
    assert data.behind_share == Decimal(67)
    assert b"<svg" in page.content
    assert b"kozea.github.io" not in page.content
    assert '<span class="value">67%</span>' in page.content.decode()
    filtered = client.get(reverse("dashboard"), {"cohort": "2026-09"})
    assert table_pks(filtered) == [september[0].pk]


def test_dashboard_is_for_directors_hr_and_head_of_sales(client):
    for role, expected in [
        (Role.DIRECTOR, 200),
        (Role.HR, 200),
        (Role.HEAD_OF_SALES, 200),
        (Role.MENTOR, 403),
        (Role.TRAINEE, 403),
    ]:
        client.force_login(make_user(role))
        assert client.get(reverse("dashboard")).status_code == expected, role


def test_exports_open_with_the_table_cells(client):
    program = make_program(**PLAN)
    enrollments, mentor = populate(program, 2)
    client.force_login(make_user(Role.DIRECTOR))
    response = client.get(reverse("dashboard_export_xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Trainee", "E-mail", "Program", "Hire date"]
    emails = {sheet.cell(row=r, column=2).value for r in (2, 3)}
    assert emails == {e.trainee.email for e in enrollments}
    assert sheet.cell(row=2, column=4).value.date() == date(2026, 7, 1)
    assert sheet.cell(row=2, column=5).value == 5  # months 1-5 since 1 July
    fulfilment_col = header.index("Fulfilment") + 1
    # Month 4 (1 Oct - 1 Nov) had no activity: fulfilment 0.
    assert Decimal(str(sheet.cell(row=2, column=fulfilment_col).value)) == Decimal("0")
    mentor_col = header.index("Mentor") + 1
    assert sheet.cell(row=2, column=mentor_col).value == mentor.get_full_name()
    csv_text = client.get(reverse("dashboard_export_csv")).content.decode()
    assert csv_text.splitlines()[0].startswith("Trainee,E-mail,Program,Hire date")
    assert len(csv_text.splitlines()) == 3


def test_exports_and_charts_speak_the_directors_language(client):
    program = make_program(**PLAN)
    (enrollment,), _mentor = populate(program, 1)
    client.force_login(make_user(Role.DIRECTOR))
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    sheet = load_workbook(io.BytesIO(client.get(reverse("dashboard_export_xlsx")).content)).active
    assert sheet.title == "Выход на план"
    assert [c.value for c in sheet[1]][:4] == ["Стажёр", "Эл. почта", "Программа", "Дата приёма"]
    csv_text = client.get(reverse("dashboard_export_csv")).content.decode()
    assert csv_text.splitlines()[0].startswith("Стажёр,Эл. почта,Программа,Дата приёма")
    page = client.get(reverse("dashboard")).content.decode()
    assert "Выход на план по когортам найма: план и факт" in page
    assert "Месяц с даты приёма" in page  # noqa: RUF001 - the Russian preposition
    drilldown = client.get(reverse("ramp_drilldown", args=[enrollment.pk])).content.decode()
    assert "План и факт по месяцам с даты приёма" in drilldown  # noqa: RUF001
    assert "Факт" in drilldown
    assert "Month since hire" not in page + drilldown


# The cached page (issue #7): figures reused for RAMP_DASHBOARD_CACHE_SECONDS, per user,
# filters and day, dropped when something the dashboard shows is changed.

# Signed in (tests/queries.py: the session; the user with roles and unread count), nothing else.
WARM_QUERIES = SIGNED_IN
# Another sort or page of a cached dashboard: the page's ids (one query of ORDER BY and LIMIT)
# and its 50 rows (the enrollments with trainee, program, plan and mentor; the monthly counts,
# the quiz results, the current stages); never the summary again.
PAGE_QUERIES = SIGNED_IN + 8


def test_a_warm_dashboard_reads_only_the_session_and_the_user(client, django_assert_num_queries):
    program = make_program(**PLAN)
    client.force_login(make_user(Role.DIRECTOR))
    for n in (10, 90):
        populate(program, n)
        cold = client.get(reverse("dashboard"))
        with CaptureQueriesContext(connection) as queries:
            warm = client.get(reverse("dashboard"))
        assert len(queries) == WARM_QUERIES, [q["sql"] for q in queries]
        for query in queries:
            assert not re.search(r"(courses|mentors|quizzes)_", query["sql"]), query["sql"]
        # The same page, but for the header's per-request CSRF token (the log-out form).
        assert main(warm) == main(cold)
        with django_assert_num_queries(PAGE_QUERIES):
            other = client.get(reverse("dashboard"), {"sort": "-quiz", "page": 2})
        with django_assert_num_queries(WARM_QUERIES):
            again = client.get(reverse("dashboard"), {"sort": "-quiz", "page": 2})
        assert main(other) == main(again)


def test_a_cache_that_is_down_still_shows_the_dashboard(client):
    program = make_program(**PLAN)
    populate(program, 3)
    client.force_login(make_user(Role.DIRECTOR))
    broken = mock.Mock()
    for name in ("add", "get", "get_many", "incr", "set", "set_many"):
        getattr(broken, name).side_effect = ConnectionError("cache down")
    with mock.patch("rampup.views.cache", broken), mock.patch("rampup.dashboard.cache", broken):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert len(table_pks(response)) == 3


def test_figures_are_as_of_the_first_request_until_refreshed(client, frozen_today):
    program = make_program(**PLAN)
    enrollments, _mentor = populate(program, 2)
    client.force_login(make_user(Role.DIRECTOR))
    params = {"cohort": "2026-07", "sort": "-trainee"}
    first = client.get(reverse("dashboard"), params)
    assert "Figures as of 10:00" in first.content.decode()
    assert funnel_count(first, "Calls") == 40

    frozen_today.move_to(local(TODAY, 10, 4))
    add(enrollments[0], "call", local(TODAY, 9), n=5)  # activities do not invalidate
    again = client.get(reverse("dashboard"), params)
    assert "Figures as of 10:00" in again.content.decode()
    assert funnel_count(again, "Calls") == 40
    refresh = re.search(r'as of 10:00 — <a href="\?([^"]+)"', again.content.decode()).group(1)
    assert refresh == "cohort=2026-07&amp;sort=-trainee&amp;refresh=1"

    refreshed = client.get(reverse("dashboard"), {**params, "refresh": "1"})
    assert "Figures as of 10:04" in refreshed.content.decode()
    assert funnel_count(refreshed, "Calls") == 45
    # Links from the refreshed page (sort, pages, exports) do not recompute again.
    links = re.findall(r'href="[^"]*refresh=1', refreshed.content.decode())
    assert len(links) == 1
    # ... and the recomputed figures were cached.
    frozen_today.move_to(local(TODAY, 10, 6))
    cached = client.get(reverse("dashboard"), params)
    assert "Figures as of 10:04" in cached.content.decode()
    assert funnel_count(cached, "Calls") == 45


def test_figures_expire_after_the_configured_time(client, frozen_today, settings):
    settings.RAMP_DASHBOARD_CACHE_SECONDS = 60
    program = make_program(**PLAN)
    populate(program, 1)
    client.force_login(make_user(Role.DIRECTOR))
    assert "as of 10:00" in client.get(reverse("dashboard")).content.decode()
    frozen_today.move_to(local(TODAY, 10) + timedelta(seconds=59))
    assert "as of 10:00" in client.get(reverse("dashboard")).content.decode()
    frozen_today.move_to(local(TODAY, 10, 1) + timedelta(seconds=1))
    assert "as of 10:01" in client.get(reverse("dashboard")).content.decode()


INDEPENDENT_STATUS = '<span class="status status-independent">Working independently'


def test_a_sign_off_or_a_drop_shows_on_the_next_request(client):
    program = make_program(**PLAN)
    stage = StagePage(title="Work rhythm", slug="work-rhythm")
    program.add_child(instance=stage)
    stage.save_revision().publish()
    ready, leaving = (
        course_services.enrollment_create(
            trainee=make_user(Role.TRAINEE), program=program, hire_date=date(2026, 6, 1)
        )
        for _ in range(2)
    )
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    before = client.get(reverse("dashboard")).content.decode()
    assert before.count(INDEPENDENT_STATUS) == 0
    assert "Dropped in the last 6 months</h2>" not in before

    generation = cache_generation()
    response = client.post(reverse("ramp_sign_off", args=[ready.pk]), {"note": "Ready."})
    assert response.status_code == 302
    assert cache_generation() > generation
    signed = client.get(reverse("dashboard")).content.decode()
    assert signed.count(INDEPENDENT_STATUS) == 1

    course_services.enrollment_drop(
        enrollment=leaving, user=make_user(Role.HR), reason="Moved to another city"
    )
    dropped = client.get(reverse("dashboard")).content.decode()
    assert "Dropped in the last 6 months</h2>" in dropped
    assert "Moved to another city" in dropped

    generation = cache_generation()
    RampPlan.objects.get(program=program).save()
    assert cache_generation() > generation


def test_each_user_has_their_own_cached_page(client, frozen_today):
    program = make_program(**PLAN)
    populate(program, 3)
    director, hr = make_user(Role.DIRECTOR), make_user(Role.HR)
    client.force_login(director)
    assert "as of 10:00" in client.get(reverse("dashboard")).content.decode()
    frozen_today.move_to(local(TODAY, 10, 2))
    client.force_login(hr)
    assert "as of 10:02" in client.get(reverse("dashboard")).content.decode()
    client.force_login(director)
    page = client.get(reverse("dashboard")).content.decode()
    assert "as of 10:00" in page
    assert director.get_full_name() in page
    # What is cached holds no token and nothing of the person who asked.
    keys = {dashboard_cache_key(user=user, params={}, today=TODAY) for user in (director, hr)}
    assert len(keys) == 2
    for key in keys:
        cached = cache.get(key)
        rows = cache.get(dashboard_rows_cache_key(key, sort="hire_date", page=1))
        html = cached.filters_html + cached.summary_html + rows.rows_html
        assert "csrf" not in html.lower()
        for user in (director, hr):
            assert user.get_full_name() not in html
            assert user.username not in html


def test_the_table_pages_keep_the_sort_and_the_filters(client):
    program = make_program(**PLAN)
    enrollments, _mentor = populate(program, PAGE_SIZE + 5)
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    params = {"cohort": "2026-07", "sort": "-trainee"}
    first = client.get(reverse("dashboard"), params)
    content = first.content.decode()
    assert "Page 1 of 2" in content
    assert 'href="?cohort=2026-07&amp;sort=-trainee&amp;page=2"' in content
    # A new sort starts at page 1; the filters stay.
    assert 'href="?cohort=2026-07&amp;sort=trainee"' in content

    second = client.get(reverse("dashboard"), {**params, "page": 2})
    assert 'href="?cohort=2026-07&amp;sort=-trainee&amp;page=1"' in second.content.decode()
    names = {e.pk: e.trainee.get_full_name().lower() for e in enrollments}
    in_order = sorted(names, key=names.get, reverse=True)
    assert table_pks(first) == in_order[:PAGE_SIZE]
    assert table_pks(second) == in_order[PAGE_SIZE:]
    # The summary still counts every trainee of the filter; the exports hold every row.
    assert "Page 2 of 2" in second.content.decode()
    assert f'<span class="value">{PAGE_SIZE + 5}</span>' in second.content.decode()
    csv_text = client.get(reverse("dashboard_export_csv"), params).content.decode()
    assert len(csv_text.splitlines()) == PAGE_SIZE + 6


def test_the_table_sorts_as_the_rows_sort(client):
    """Each sort of the page (one query of ORDER BY and LIMIT, rampup/table.py) shows the rows
    in the order of sorting the Python rows, ties in hire order."""
    program = make_program(**PLAN)
    enrollments, _mentor = populate(program, 4)
    populate(program, 3, hire=date(2026, 9, 15))
    add(enrollments[1], "call", local(date(2026, 7, 10)), n=80)
    enrollments[2].status = Enrollment.Status.INDEPENDENT
    enrollments[2].save()
    director = make_user(Role.DIRECTOR)
    client.force_login(director)
    for column in SORT_COLUMNS:
        for sort in (column, f"-{column}"):
            expected = dashboard(director, today=TODAY, sort=column, descending=sort != column).rows
            shown = table_pks(client.get(reverse("dashboard"), {"sort": sort}))
            assert shown == [row.enrollment.pk for row in expected], sort


def test_drilldown_visibility(client):
    program = make_program(**PLAN)
    (mine, other), mentor = populate(program, 2)
    # A name no generated person shares: a 404 page names the signed-in user, and random
    # names can coincide.
    mine.trainee.first_name, mine.trainee.last_name = "Drilldown", "Onlyforthose-Allowed"
    mine.trainee.save(update_fields=["first_name", "last_name"])
    Mentorship.objects.filter(enrollment=other).update(mentor=make_user(Role.MENTOR))
    url = reverse("ramp_drilldown", args=[mine.pk])
    cases = [
        (mine.trainee, 200),
        (other.trainee, 404),
        (mentor, 200),
        (make_user(Role.MENTOR), 404),
        (make_user(Role.HR), 200),
        (make_user(Role.DIRECTOR), 200),
        (make_user(Role.HEAD_OF_SALES), 200),
    ]
    for user, expected in cases:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 404:
            assert mine.trainee.get_full_name().encode() not in response.content
    client.force_login(mine.trainee)
    assert client.get(reverse("my_ramp")).url == url


def test_drilldown_shows_months_criteria_and_escapes_names(client):
    program = make_program(**PLAN)
    (enrollment,), _mentor = populate(program, 1)
    enrollment.trainee.first_name = "<script>alert(1)</script>"
    enrollment.trainee.save()
    client.force_login(make_user(Role.DIRECTOR))
    page = client.get(reverse("ramp_drilldown", args=[enrollment.pk]))
    content = page.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content
    assert "Meetings per day" in content
    assert "Decision-maker reach" in content
    assert len(page.context["data"].ramp.months) == 5


def test_mentor_signs_off_from_the_drilldown(client):
    program = make_program(**PLAN)
    stage = StagePage(title="Work rhythm", slug="work-rhythm")
    program.add_child(instance=stage)
    stage.save_revision().publish()
    trainee = make_user(Role.TRAINEE)
    enrollment = course_services.enrollment_create(
        trainee=trainee, program=program, hire_date=date(2026, 6, 1)
    )
    mentor = make_user(Role.MENTOR)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 6, 1))
    add(enrollment, "call", local(date(2026, 6, 10)), n=30)
    url = reverse("ramp_sign_off", args=[enrollment.pk])

    client.force_login(make_user(Role.MENTOR))  # not this trainee's mentor
    assert client.post(url, {"note": "ok"}).status_code == 404
    client.force_login(mentor)
    page = client.get(reverse("ramp_drilldown", args=[enrollment.pk]))
    assert page.context["can_sign_off"]
    response = client.post(url, {"note": "Closes deals on her own."})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.INDEPENDENT
    sign_off = enrollment.readiness_sign_off
    assert sign_off.signed_by == mentor
    assert sign_off.figures["months"][0]["actual"]["call"] == 30
    progress = StageProgress.objects.get(enrollment=enrollment, stage=stage)
    assert progress.status == StageProgress.Status.COMPLETED


def test_ramp_api_shapes_and_visibility(client):
    program = make_program(**PLAN)
    RampPlan.objects.filter(program=program).update(percentages=[50, 100])
    (enrollment, other), mentor = populate(program, 2)
    client.force_login(make_user(Role.DIRECTOR))
    listing = client.get("/api/v1/enrollments/").json()
    assert {row["id"] for row in listing} == {enrollment.pk, other.pk}
    assert set(listing[0]) == {
        "id",
        "trainee",
        "trainee_name",
        "program",
        "hire_date",
        "status",
        "current_stage",
        "mentor",
    }
    assert listing[0]["mentor"] == mentor.email
    body = client.get(f"/api/v1/enrollments/{enrollment.pk}/ramp/").json()
    assert set(body) == {
        "enrollment",
        "hire_date",
        "plan",
        "months",
        "ramped_month",
        "behind_the_curve",
        "criteria",
    }
    assert [c["number"] for c in body["criteria"]] == [1, 2, 3, 4, 5, 6, 7]
    assert body["plan"] == {
        "months": 2,
        "percentages": ["50", "100"],
        "full_targets": {"call": 100, "meeting": 10, "application": 5, "contract": 0},
    }
    first = body["months"][0]
    assert first == {
        "index": 1,
        "start": "2026-07-01",
        "end": "2026-08-01",
        "complete": True,
        "actual": {"call": 20, "meeting": 2, "application": 0, "contract": 0},
        "target": {"call": "50.00", "meeting": "5.00", "application": "2.50", "contract": "0.00"},
        "fulfilment": "0.27",
        "status": "behind",
    }
    assert body["months"][-1]["status"] == "in_progress"
    assert body["behind_the_curve"] is True
    assert body["ramped_month"] is None

    client.force_login(other.trainee)
    assert client.get(f"/api/v1/enrollments/{enrollment.pk}/ramp/").status_code == 404
    assert [row["id"] for row in client.get("/api/v1/enrollments/").json()] == [other.pk]
    client.logout()
    assert client.get("/api/v1/enrollments/").status_code in (401, 403)


def test_integration_token_sees_every_enrollment(client):
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    program = make_program(**PLAN)
    populate(program, 3)
    robot = make_user()
    robot.user_permissions.add(Permission.objects.get(codename="add_activity"))
    token = Token.objects.create(user=robot)
    response = client.get("/api/v1/enrollments/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert len(response.json()) == 3


def test_monthly_digest_is_sent_once_per_month(django_capture_on_commit_callbacks):
    program = make_program(**PLAN)
    (behind,), mentor = populate(program, 1)
    director = make_user(Role.DIRECTOR)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.ramp_digest_send(today=TODAY)
        services.ramp_digest_send(today=TODAY)
    assert sent == {"directors": 1, "mentors": 1}
    digest = Notification.objects.get(recipient=director)
    assert behind.trainee.get_full_name() in digest.body
    assert Notification.objects.filter(recipient=mentor).count() == 1
    assert not Group.objects.get(name=Role.DIRECTOR).user_set.exclude(pk=director.pk).exists()


def test_the_digest_is_written_in_each_directors_language():
    program = make_program(**PLAN)
    (behind,), mentor = populate(program, 1)
    director = make_user(Role.DIRECTOR)
    UserProfile.objects.create(user=director, preferred_language="ru")
    services.ramp_digest_send(today=TODAY)
    body = Notification.objects.get(recipient=director).body
    name, mentor_name = behind.trainee.get_full_name(), mentor.get_full_name()
    assert body.startswith("Отстают от плана (два последних полных месяца ниже плана):\n")
    assert f"- {name} ({program.title}, месяц 5, наставник {mentor_name})" in body


def test_the_cohort_chart_plots_the_table(client):
    """The chart's points are computed from the table's figures: for every cohort and month,
    the point is the cohort's fulfilment (the table) times the plan's percentage."""
    program = make_program(**PLAN)
    july, _mentor = populate(program, 2, hire=date(2026, 7, 1))
    add(july[0], "call", local(date(2026, 7, 10)), n=400)  # far over the calls, nothing else
    add(july[1], "call", local(date(2026, 8, 5)), n=30)
    add(july[1], "meeting", local(date(2026, 8, 5)), n=4)
    director = make_user(Role.DIRECTOR)
    data = dashboard(director, today=TODAY)
    plan = data.plan
    checked = 0
    for cohort in data.cohorts():
        for month, fulfilment in cohort.fulfilment.items():
            point = cohort.achievement[month] * 100
            table = fulfilment * plan.percentage(month)
            assert abs(point - table) <= plan.percentage(month) / 200  # the table's rounding
            assert (point >= plan.percentage(month)) is (fulfilment >= 1)
            checked += 1
    assert checked >= 2


def test_the_stage_timeline_says_took_only_for_completed_stages(client):
    program = make_program(**PLAN)
    (enrollment,), _mentor = populate(program, 1)
    later = StagePage(title="Stage two", slug=f"stage-two-{program.pk}")
    program.add_child(instance=later)
    StageProgress.objects.create(enrollment=enrollment, stage=later, status="locked")
    progress = list(StageProgress.objects.filter(enrollment=enrollment).order_by("stage__path"))
    first, second = progress[0], progress[1]
    opened = local(date(2026, 8, 3))  # a Monday
    StageProgress.objects.filter(pk=first.pk).update(
        status=StageProgress.Status.COMPLETED,
        available_at=opened,
        completed_at=local(date(2026, 8, 7)),
    )
    StageProgress.objects.filter(pk=second.pk).update(
        status=StageProgress.Status.IN_PROGRESS,
        available_at=local(date(2026, 8, 10)),
        completed_at=None,
    )
    client.force_login(make_user(Role.DIRECTOR))
    content = client.get(reverse("ramp_drilldown", args=[enrollment.pk])).content.decode()
    timeline = content.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    items = timeline.split("<li>")[1:]
    assert "took 5 working days" in items[0]
    assert "took" not in items[1]
    assert "working days so far" in items[1]
