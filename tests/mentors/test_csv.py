"""CSV import: per-row errors, all-or-nothing, duplicates, the command and the upload page."""

import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.timezone import localdate

from courses.models import Enrollment
from mentors.importing import CsvFileError, import_csv
from mentors.models import Activity
from people.roles import Role
from tests.conftest import make_user

from .factories import make_enrollment

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
HEADER = "trainee_email,kind,occurred_at,source,external_id,amount,note\n"


@pytest.fixture
def enrollment():
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    return make_enrollment(trainee=trainee, hire_date=localdate() - timedelta(days=60))


def when(days_ago=1):
    return (datetime.now(MSK) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def run(text, **kwargs):
    return import_csv(
        io.BytesIO(text.encode("utf-8")), enrollments=Enrollment.objects.all(), **kwargs
    )


def test_valid_file_imports_and_a_second_run_counts_duplicates(enrollment):
    text = HEADER + (
        f"anna@example.com,call,{when()},telephony,c-1,,\n"
        f"ANNA@example.com,meeting,{when(2)},,,,At the client's office\n"
        f'anna@example.com,contract,{when(3)},crm,d-1,"125 000,50",Supply\n'
    )
    result = run(text)
    assert (result.saved, result.created, result.duplicates, result.rows) == (True, 3, 0, 3)
    meeting = Activity.objects.get(kind="meeting")
    assert meeting.source == "csv"
    assert meeting.note == "At the client's office"
    assert str(Activity.objects.get(kind="contract").amount) == "125000.50"
    again = run(text)
    # Rows without an external id cannot be recognised, so only the keyed ones are duplicates.
    assert (again.created, again.duplicates) == (1, 2)


def test_errors_name_row_and_column_and_nothing_is_saved(enrollment):
    text = HEADER + (
        f"anna@example.com,call,{when()},,,,\n"  # line 2: fine
        f"anna@example.com,call,2026-03-01 10:00,,,,\n"  # line 3: naive time
        f"ghost@example.com,call,{when()},,,,\n"  # line 4: unknown trainee
        f"anna@example.com,call,{when()},,,12.00,\n"  # line 5: amount on a call
        f"anna@example.com,dinner,{when()},,,,\n"  # line 6: unknown kind
        f"anna@example.com,call,yesterday,,,,\n"  # line 7: not a date
        f"anna@example.com,call,{when()}\n"  # line 8: too few cells
    )
    result = run(text)
    assert not result.saved
    assert result.created == 0
    assert Activity.objects.count() == 0
    got = {(e.row, e.field) for e in result.errors}
    assert got == {
        (3, "occurred_at"),
        (4, "trainee"),
        (5, "amount"),
        (6, "kind"),
        (7, "occurred_at"),
        (8, "row"),
    }
    assert result.invalid_rows == 6


def test_partial_import_saves_the_valid_rows(enrollment):
    text = HEADER + f"anna@example.com,call,{when()},,,,\nanna@example.com,call,nope,,,,\n"
    result = run(text, all_or_nothing=False)
    assert result.saved
    assert result.created == 1
    assert result.invalid_rows == 1
    assert Activity.objects.count() == 1


def test_activity_before_hire_or_in_the_future_is_rejected(enrollment):
    before = datetime.combine(enrollment.hire_date, datetime.min.time(), tzinfo=MSK) - timedelta(
        minutes=1
    )
    text = HEADER + (
        f"anna@example.com,call,{before.isoformat()},,,,\nanna@example.com,call,{when(-1)},,,,\n"
    )
    result = run(text)
    assert [(e.row, e.field) for e in result.errors] == [(2, "occurred_at"), (3, "occurred_at")]


def test_bad_header_and_bad_encoding(enrollment):
    with pytest.raises(CsvFileError):
        run("email,kind,when\n")
    with pytest.raises(CsvFileError):
        run("")
    with pytest.raises(CsvFileError):
        import_csv(
            io.BytesIO(HEADER.encode() + "Анна".encode("cp1251")),
            enrollments=Enrollment.objects.all(),
        )


# On SQLite a chunk of 1,000 rows takes about 12 statements (999 parameters per INSERT at
# most); on PostgreSQL the whole file takes a handful (COPY, then one INSERT). One more flags
# the trainee's statements for recomputation; the provenance and confirmation columns make an
# INSERT hold fewer rows.
# The certification clearances of the new trainees: a few queries per chunk.
@pytest.mark.parametrize(("n", "queries"), [(250, 21), (2500, 53)])
def test_rows_are_inserted_in_chunks(enrollment, django_assert_max_num_queries, n, queries):
    rows = "".join(f"anna@example.com,call,{when()},tel,id-{i},,\n" for i in range(n))
    with django_assert_max_num_queries(queries):
        result = import_csv(
            io.BytesIO((HEADER + rows).encode()),
            enrollments=Enrollment.objects.all(),
        )
    assert result.created == n


def test_import_activities_command(tmp_path, enrollment, capsys):
    path = tmp_path / "calls.csv"
    path.write_text(HEADER + f"anna@example.com,call,{when()},tel,1,,\n", encoding="utf-8")
    call_command("import_activities", str(path))
    assert "1 created" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "anna@example.com,call,never,tel,2,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_activities", str(bad))
    assert "row 2, occurred_at" in capsys.readouterr().err
    assert Activity.objects.count() == 1


def test_hr_uploads_a_file(client, hr, enrollment, django_capture_on_commit_callbacks):
    client.force_login(hr)
    assert client.get("/activity/import/").status_code == 200
    upload = SimpleUploadedFile(
        "calls.csv", (HEADER + f"anna@example.com,call,{when()},tel,9,,\n").encode(), "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activity/import/", {"file": upload})
    assert client.get(response.url).status_code == 200
    assert Activity.objects.filter(recorded_by=hr).count() == 1
    bad = SimpleUploadedFile("x.csv", (HEADER + "anna@example.com,call,never,,,,\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activity/import/", {"file": bad})
    assert b"occurred_at" in client.get(response.url).content
    assert Activity.objects.count() == 1


def test_only_hr_and_head_of_sales_may_import(client, mentor, trainee):
    for user in (mentor, trainee):
        client.force_login(user)
        assert client.get("/activity/import/").status_code == 403


def test_a_repeated_external_id_keeps_the_first_line_and_counts_the_rest(enrollment):
    text = HEADER + (
        f"anna@example.com,call,{when(1)},crm,x-1,,first\n"
        f"anna@example.com,call,{when(2)},crm,x-1,,second\n"
        f"anna@example.com,meeting,{when(3)},crm,x-2,,\n"
        f"anna@example.com,call,{when(4)},crm,x-1,,third\n"
        f"anna@example.com,call,{when(5)},telephony,x-1,,other source\n"  # not a repeat
        f"anna@example.com,call,{when(6)},crm,,,no id\n"  # no id: never a duplicate
        f"anna@example.com,call,{when(6)},crm,,,no id\n"
    )
    result = run(text)
    assert (result.rows, result.created, result.duplicates) == (7, 5, 2)
    assert Activity.objects.get(source="crm", external_id="x-1").note == "first"
    assert Activity.objects.filter(external_id="").count() == 2


def test_rows_already_in_the_database_are_duplicates_and_left_alone(enrollment):
    existing = Activity.objects.create(
        enrollment=enrollment,
        kind="meeting",
        occurred_at=datetime.now(MSK) - timedelta(days=9),
        source="crm",
        external_id="x-1",
        note="kept",
    )
    text = HEADER + (
        f"anna@example.com,call,{when()},crm,x-1,,replacement\n"
        f"anna@example.com,call,{when()},crm,x-2,,\n"
    )
    result = run(text)
    assert (result.saved, result.created, result.duplicates) == (True, 1, 1)
    existing.refresh_from_db()
    assert (existing.kind, existing.note) == ("meeting", "kept")
    assert result.enrollment_ids == {enrollment.pk}


def test_counts_of_a_partial_import(enrollment):
    Activity.objects.create(
        enrollment=enrollment,
        kind="call",
        occurred_at=datetime.now(MSK),
        source="crm",
        external_id="old",
    )
    text = HEADER + (
        f"anna@example.com,call,{when()},crm,new-1,,\n"
        f"anna@example.com,call,{when()},crm,old,,\n"  # in the database
        f"anna@example.com,call,{when()},crm,new-1,,\n"  # earlier in the file
        f"anna@example.com,call,soon,crm,new-2,,\n"  # invalid
        f"anna@example.com,call,{when()},crm,,,\n"
    )
    result = run(text, all_or_nothing=False)
    assert (result.saved, result.rows, result.created, result.duplicates, result.invalid_rows) == (
        True,
        5,
        2,
        2,
        1,
    )
    assert [(e.row, e.field) for e in result.errors] == [(5, "occurred_at")]
    assert Activity.objects.count() == 3


def test_one_bad_row_leaves_the_database_as_it_was(enrollment):
    Activity.objects.create(
        enrollment=enrollment,
        kind="call",
        occurred_at=datetime.now(MSK),
        source="crm",
        external_id="old",
    )
    before = list(Activity.objects.values_list("pk", "source", "external_id"))
    good = "".join(f"anna@example.com,call,{when()},crm,n-{i},,\n" for i in range(1500))
    result = run(HEADER + good + "anna@example.com,call,never,crm,n-x,,\n")
    assert not result.saved
    assert (result.created, result.duplicates, result.invalid_rows) == (0, 0, 1)
    assert [(e.row, e.field) for e in result.errors] == [(1502, "occurred_at")]
    assert list(Activity.objects.values_list("pk", "source", "external_id")) == before
    assert result.enrollment_ids == set()


def test_a_file_that_breaks_halfway_saves_nothing_and_the_connection_goes_on(enrollment):
    good = "".join(f"anna@example.com,call,{when()},crm,n-{i},,\n" for i in range(1500))
    huge_cell = "x" * 200_000  # over the csv module's field size limit
    with pytest.raises(CsvFileError):
        run(HEADER + good + f'anna@example.com,call,{when()},crm,n-x,,"{huge_cell}"\n')
    assert Activity.objects.count() == 0
    assert run(HEADER + good).created == 1500


def test_trainees_met_late_in_a_long_file_are_looked_up(enrollment):
    other = make_enrollment(
        trainee=make_user(Role.TRAINEE, email="boris@example.com"),
        hire_date=localdate() - timedelta(days=60),
    )
    lines = [f"anna@example.com,call,{when()},crm,a-{i},,\n" for i in range(2500)]
    lines[1700] = f"boris@example.com,meeting,{when()},crm,b-1,,\n"
    lines[2400] = f"nobody@example.com,call,{when()},crm,c-1,,\n"
    result = run(HEADER + "".join(lines), all_or_nothing=False)
    assert [(e.row, e.field) for e in result.errors] == [(2402, "trainee")]
    assert (result.created, result.duplicates) == (2499, 0)
    assert Activity.objects.get(external_id="b-1").enrollment == other
    assert result.enrollment_ids == {enrollment.pk, other.pk}


def test_a_nul_character_is_a_row_error(enrollment):
    text = HEADER + f"anna@example.com,call,{when()},crm,n-1,,before\x00after\n"
    result = run(text)
    assert [(e.row, e.field) for e in result.errors] == [(2, "note")]
    assert Activity.objects.count() == 0


def test_any_utc_offset_python_reads_is_stored_as_the_same_instant(enrollment):
    # PostgreSQL refuses offsets over about 16 hours; the importer stores UTC.
    moment = datetime.now(MSK).replace(microsecond=0) - timedelta(days=2)
    east = moment.astimezone(timezone(timedelta(hours=20))).isoformat()
    west = moment.astimezone(timezone(-timedelta(hours=23, minutes=30))).isoformat()
    text = HEADER + f"anna@example.com,call,{east},,e-1,,\nanna@example.com,call,{west},,e-2,,\n"
    result = run(text)
    assert result.created == 2, result.errors
    assert {a.occurred_at for a in Activity.objects.all()} == {moment}


def test_trainees_are_found_whatever_the_case_and_doubtful_ones_are_refused(enrollment):
    year_ago = localdate() - timedelta(days=365)
    maria = make_user(Role.TRAINEE, email="maria@example.com")
    kept = make_enrollment(trainee=maria, hire_date=year_ago)
    make_enrollment(
        trainee=maria,
        hire_date=localdate() - timedelta(days=30),
        status="dropped",
        dropped_on=localdate(),
    )
    for email in ("twin@example.com", "Twin@Example.com"):
        make_enrollment(trainee=make_user(Role.TRAINEE, email=email))
    make_enrollment(trainee=make_user(Role.TRAINEE, email="gone@example.com", is_active=False))
    text = HEADER + (
        f"Maria@Example.com,call,{when()},,,,\n"
        f"maria@example.com,call,{when()},,,,\n"
        f"twin@example.com,call,{when()},,,,\n"
        f"gone@example.com,call,{when()},,,,\n"
        f"{'a' * 300}@example.com,call,{when()},,,,\n"
        f"ANNA@EXAMPLE.COM,call,{when()},,,,\n"
    )
    result = run(text, all_or_nothing=False)
    assert [(e.row, e.field) for e in result.errors] == [
        (4, "trainee"),
        (5, "trainee"),
        (6, "trainee"),
    ]
    assert "Several people" in result.errors[0].message
    assert result.created == 3
    assert Activity.objects.filter(enrollment=kept).count() == 2
    assert result.enrollment_ids == {kept.pk, enrollment.pk}


def test_row_errors_are_written_in_the_uploaders_language(
    client, hr, enrollment, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    bad = SimpleUploadedFile("x.csv", (HEADER + "anna@example.com,call,never,,,,\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activity/import/", {"file": bad})
    page = client.get(response.url).content.decode()
    assert "«never» — не дата и время в формате ISO 8601." in page
    assert "is not an ISO 8601" not in page


RUSSIAN_HEADER = "Email_стажёра,ВИД,дата_время,источник,внешний_id,сумма,примечание,ЛПР\n"


def test_a_file_with_russian_column_names_and_kinds_imports_through_the_page(
    client, hr, enrollment, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    page = client.get("/activity/import/").content.decode()
    # The Russian page documents the Russian names and codes.
    assert "эл_почта,вид,дата_время,источник,внешний_id,сумма,примечание,лпр" in page
    assert "вид: звонок, встреча, заявка, договор, мероприятие" in page
    text = RUSSIAN_HEADER + (
        f"anna@example.com,Звонок,{when()},телефония,c-1,,,нет\n"
        f"anna@example.com, встреча ,{when(2)},crm,m-1,,в офисе клиента,да\n"
        f'anna@example.com,договор,{when(3)},crm,d-1,"125 000,50",Поставка,\n'
        f"anna@example.com,заявка,{when(4)},crm,a-1,,,\n"
        f"anna@example.com,мероприятие,{when(5)},crm,e-1,,,\n"
        f"anna@example.com,рекомендация,{when(6)},crm,r-1,,,\n"
    )
    upload = SimpleUploadedFile("calls.csv", text.encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/activity/import/", {"file": upload}).status_code == 302
    kinds = dict(Activity.objects.values_list("external_id", "kind"))
    assert kinds == {
        "c-1": "call",
        "m-1": "meeting",
        "d-1": "contract",
        "a-1": "application",
        "e-1": "event",
        "r-1": "referral",
    }
    meeting = Activity.objects.get(external_id="m-1")
    assert (meeting.source, meeting.note, meeting.decision_maker_reached) == (
        "crm",
        "в офисе клиента",
        True,
    )
    assert str(Activity.objects.get(external_id="d-1").amount) == "125000.50"
    assert Activity.objects.get(external_id="c-1").source == "телефония"
    # The English page keeps the English names.
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    page = client.get("/activity/import/").content.decode()
    assert "trainee_email,kind,occurred_at,source" in page
    assert "call, meeting, application, contract, event or referral" in page


def test_an_unknown_russian_kind_is_a_row_error(enrollment):
    result = run("эл_почта,вид,дата_время\n" + f"anna@example.com,визит,{when()}\n")
    assert [(e.row, e.field) for e in result.errors] == [(2, "kind")]
    assert "call, meeting, application" in result.errors[0].message
    with translation.override("ru"):
        result = run("эл_почта,вид,дата_время\n" + f"anna@example.com,визит,{when()}\n")
    assert "звонок, встреча, заявка" in result.errors[0].message
    assert not Activity.objects.exists()


def test_two_names_for_one_column_are_a_file_error(enrollment):
    with pytest.raises(CsvFileError, match="trainee_email"):
        run(
            "trainee_email,эл_почта,kind,occurred_at\n"
            + f"a@example.com,a@example.com,call,{when()}\n"
        )
    with pytest.raises(CsvFileError, match="kind"):
        run("trainee_email,вид,Kind,occurred_at\n")
    assert not Activity.objects.exists()
