"""The pages: My activity, a mentee's activity, My mentees and Mentor bonuses."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from mentors import services
from mentors.models import Activity, BonusStatement
from people.roles import Role
from tests.conftest import make_user
from tests.queries import SIGNED_IN

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 18, 15, 0, tzinfo=MSK)  # a Wednesday


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def enrollment(trainee):
    return make_enrollment(trainee=trainee, hire_date=date(2026, 2, 2))


def test_trainee_logs_a_call_and_sees_it_in_the_weekly_totals(client, enrollment):
    client.force_login(enrollment.trainee)
    page = client.get("/activity/")
    assert page.status_code == 200
    assert b"Log an activity" in page.content
    response = client.post(
        "/activity/", {"kind": "call", "occurred_at": "2026-03-18T10:30", "note": "Cold call"}
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.occurred_at == datetime(2026, 3, 18, 10, 30, tzinfo=MSK)
    assert activity.recorded_by == enrollment.trainee
    assert activity.source == "manual"
    page = client.get("/activity/")
    weeks = page.context["weeks"]
    assert weeks[0].week_start == date(2026, 3, 16)
    assert weeks[0].counts["call"] == 1
    assert b"Cold call" in page.content


def test_form_errors_are_shown_next_to_the_fields(client, enrollment):
    client.force_login(enrollment.trainee)
    response = client.post(
        "/activity/", {"kind": "call", "occurred_at": "2026-03-20T10:00", "amount": "5"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "amount" in form.errors
    response = client.post("/activity/", {"kind": "call", "occurred_at": "2026-03-20T10:00"})
    assert "in the future" in str(response.context["form"].errors)
    response = client.post("/activity/", {"kind": "call", "occurred_at": "2026-01-20T10:00"})
    assert "before the hire date" in str(response.context["form"].errors)
    assert Activity.objects.count() == 0


def test_filters_of_the_log(client, enrollment):
    add_activities(enrollment, "call", 2, datetime(2026, 3, 2, 10, tzinfo=MSK))
    add_activities(enrollment, "meeting", 1, datetime(2026, 3, 10, 10, tzinfo=MSK))
    client.force_login(enrollment.trainee)
    page = client.get("/activity/", {"kind": "meeting"})
    assert page.context["page_obj"].paginator.count == 1
    page = client.get("/activity/", {"date_from": "2026-03-01", "date_to": "2026-03-05"})
    assert page.context["page_obj"].paginator.count == 2


def test_mentor_logs_for_a_mentee_others_get_404(client, enrollment, mentor):
    make_mentorship(enrollment=enrollment, mentor=mentor, rule=make_rule())
    client.force_login(mentor)
    url = f"/activity/{enrollment.pk}/"
    assert client.get(url).status_code == 200
    client.post(url, {"kind": "meeting", "occurred_at": "2026-03-17T12:00"})
    assert Activity.objects.get().recorded_by == mentor
    stranger = make_user(Role.MENTOR)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "call", "occurred_at": "2026-03-17T12:00"}).status_code == 404
    other_trainee = make_user(Role.TRAINEE)
    make_enrollment(trainee=other_trainee)
    client.force_login(other_trainee)
    assert client.get(url).status_code == 404
    assert Activity.objects.count() == 1


def test_deleting_ones_own_entry_only(client, enrollment):
    mine = services.activity_record(
        enrollment=enrollment,
        kind="call",
        occurred_at=datetime(2026, 3, 17, 9, tzinfo=MSK),
        recorded_by=enrollment.trainee,
    )
    imported = Activity.objects.create(
        enrollment=enrollment, kind="call", occurred_at=NOW, source="crm", external_id="z"
    )
    client.force_login(enrollment.trainee)
    client.post(f"/activity/entry/{imported.pk}/delete/")
    assert Activity.objects.filter(pk=imported.pk).exists()
    client.post(f"/activity/entry/{mine.pk}/delete/")
    assert not Activity.objects.filter(pk=mine.pk).exists()
    client.force_login(make_user(Role.TRAINEE))
    assert client.post(f"/activity/entry/{imported.pk}/delete/").status_code == 404


def _mentees(mentor, n, rule):
    for i in range(n):
        e = make_enrollment(hire_date=date(2026, 3, 2) - timedelta(days=i))
        make_mentorship(enrollment=e, mentor=mentor, rule=rule, started_on=e.hire_date)
        add_activities(e, "call", 40 + i, datetime(2026, 3, 3, 11, tzinfo=MSK))
        add_activities(e, "application", 3, datetime(2026, 3, 4, 11, tzinfo=MSK))


# Signed in (tests/queries.py); the active mentorships with trainee, program and rule, the
# rules' tiers, the window counts, the stage summaries, the quiz attempts
# (mentors.selectors.mentee_rows; the open stages' checklists and ticks only when a mentee has
# an open stage: tests/mentors/test_workspace.py), the attempts awaiting grading, the mentor's
# statements; the calls picked for review, the mentor's call reviews and recorded attempts
# graded (docs/coaching.md).
MY_MENTEES_QUERIES = SIGNED_IN + 5 + 1 + 1 + 3


@pytest.mark.parametrize("n", [1, 6])
def test_my_mentees_query_count_does_not_grow(client, mentor, django_assert_num_queries, n):
    rule = make_rule()
    _mentees(mentor, n, rule)
    for m in mentor.mentorships.all():
        services.statement_compute(mentorship_id=m.pk)
    client.force_login(mentor)
    with django_assert_num_queries(MY_MENTEES_QUERIES):
        page = client.get("/mentees/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert len(rows) == n
    row = next(r for r in rows if r.enrollment.hire_date == date(2026, 3, 2))
    assert row.counts == {"call": 40, "meeting": 0, "application": 3, "contract": 0}
    assert row.reached.name == "Base"
    assert row.next.name == "Increased"
    assert [(p.kind, p.count, p.target) for p in row.progress] == [
        ("call", 40, 300),
        ("application", 3, 10),
    ]
    assert row.progress[0].percent == round(100 * 40 / 300)
    assert row.days_left == 14  # 18 March to 1 April (excluded)
    assert row.days_since_hire == 16
    assert b"Towards" in page.content
    assert "grading_count" in page.context
    assert [s.mentorship.mentor for s in page.context["statements"]] == [mentor] * n


def test_my_mentees_shows_only_ones_own(client, mentor):
    rule = make_rule()
    _mentees(make_user(Role.MENTOR), 2, rule)
    client.force_login(mentor)
    page = client.get("/mentees/")
    assert page.context["rows"] == []
    assert list(page.context["statements"]) == []


def _statements(n, rule):
    for i in range(n):
        e = make_enrollment(hire_date=date(2026, 1, 5))
        m = make_mentorship(enrollment=e, mentor=make_user(Role.MENTOR), rule=rule)
        add_activities(e, "call", 10 + i, datetime(2026, 1, 10, 11, tzinfo=MSK))
        services.statement_compute(mentorship_id=m.pk)


@pytest.mark.parametrize("n", [2, 8])
def test_mentor_bonuses_query_count_does_not_grow(
    client, head_of_sales, django_assert_max_num_queries, n
):
    _statements(n, make_rule())
    client.force_login(head_of_sales)
    with django_assert_max_num_queries(11):
        page = client.get("/bonuses/")
    assert page.status_code == 200
    assert len(page.context["statements"]) == n


def test_head_of_sales_approves_and_exports_a_second_person_marks_paid(
    client, head_of_sales, director
):
    _statements(3, make_rule())
    ids = list(BonusStatement.objects.values_list("pk", flat=True))
    assert set(BonusStatement.objects.values_list("status", flat=True)) == {"final"}
    client.force_login(head_of_sales)
    client.post("/bonuses/action/", {"action": "approve", "statement": ids[:2]})
    assert BonusStatement.objects.filter(status="approved").count() == 2
    # Paying is per payroll batch: no per-statement action any more.
    assert 'value="mark_paid"' not in client.get("/bonuses/").content.decode()

    csv_response = client.post("/bonuses/export/", {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Personnel number,Mentor,Mentor e-mail,Trainee")
    assert len(lines) == 4  # the header, two statements, the totals row
    assert all(line.endswith(",RUB") for line in lines[1:])
    assert lines[-1].startswith("Total,2 statements,")

    # Both approved statements went out in batch 1: a second export has nothing new.
    again = client.post("/bonuses/export/", {"format": "xlsx"}, follow=True)
    assert "Nothing new to export" in again.content.decode()

    # Who approved does not also pay (BONUS_PAYMENT_NEEDS_SECOND_PERSON): the batch shows no
    # button to them, and the action refuses.
    page = client.get(reverse("mentors:payroll_batches")).content.decode()
    assert "a second person marks it paid" in page
    client.post(reverse("mentors:payroll_batch_mark_paid", args=[1]))
    assert BonusStatement.objects.filter(status="paid").count() == 0
    client.force_login(director)
    client.post(reverse("mentors:payroll_batch_mark_paid", args=[1]))
    assert BonusStatement.objects.filter(status="paid", paid_by=director).count() == 2
    assert BonusStatement.objects.filter(status="final").count() == 1


def test_the_payroll_files_are_headed_in_the_exporters_language(client, head_of_sales):
    _statements(2, make_rule())
    client.force_login(head_of_sales)
    first, second = BonusStatement.objects.values_list("pk", flat=True)
    client.post("/bonuses/action/", {"action": "approve", "statement": [first]})
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    csv_response = client.post("/bonuses/export/", {"format": "csv"})
    header, row, total = csv_response.content.decode("utf-8-sig").splitlines()
    assert ",Наставник,E-mail наставника,Стажёр," in header
    assert row.endswith(",RUB")
    assert total.endswith(",RUB")
    client.post("/bonuses/action/", {"action": "approve", "statement": [second]})
    book = load_workbook(io.BytesIO(client.post("/bonuses/export/", {"format": "xlsx"}).content))
    assert book.active.title == "Премии наставников"
    assert book.active.cell(row=1, column=2).value == "Наставник"


def test_bonus_filters(client, director):
    _statements(2, make_rule())
    BonusStatement.objects.filter(pk=BonusStatement.objects.first().pk).update(
        status="approved", approved_at=NOW
    )
    client.force_login(director)
    assert len(client.get("/bonuses/", {"status": "approved"}).context["statements"]) == 1
    mentor_id = BonusStatement.objects.first().mentorship.mentor_id
    assert len(client.get("/bonuses/", {"mentor": mentor_id}).context["statements"]) == 1
    assert len(client.get("/bonuses/", {"period_from": "2026-03-01"}).context["statements"]) == 0


def test_bonus_page_is_for_directors_and_head_of_sales(client, mentor, hr, trainee):
    for user in (mentor, hr, trainee):
        client.force_login(user)
        assert client.get("/bonuses/").status_code == 403
        assert client.post("/bonuses/export/", {"format": "csv"}).status_code == 403
