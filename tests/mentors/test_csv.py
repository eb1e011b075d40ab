"""CSV import: per-row errors, all-or-nothing, duplicates, the command and the upload page."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from courses.models import Enrollment
from lms.roles import Role
from mentors.importing import CsvFileError, import_csv
from mentors.models import Activity
from tests.conftest import make_user

from .factories import make_enrollment

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
HEADER = "trainee_email,kind,occurred_at,source,external_id,amount,note\n"


@pytest.fixture
def enrollment():
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    return make_enrollment(trainee=trainee, hire_date=date.today() - timedelta(days=60))


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
    assert meeting.source == "csv" and meeting.note == "At the client's office"
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
    assert not result.saved and result.created == 0
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
    assert result.saved and result.created == 1 and result.invalid_rows == 1
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


def test_rows_are_inserted_in_chunks(enrollment, django_assert_max_num_queries):
    rows = "".join(f"anna@example.com,call,{when()},tel,id-{i},,\n" for i in range(250))
    with django_assert_max_num_queries(20):
        result = import_csv(
            io.BytesIO((HEADER + rows).encode()),
            enrollments=Enrollment.objects.all(),
        )
    assert result.created == 250


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


def test_hr_uploads_a_file(client, hr, enrollment):
    client.force_login(hr)
    assert client.get("/activity/import/").status_code == 200
    upload = SimpleUploadedFile(
        "calls.csv", (HEADER + f"anna@example.com,call,{when()},tel,9,,\n").encode(), "text/csv"
    )
    response = client.post("/activity/import/", {"file": upload})
    assert response.status_code == 200
    assert Activity.objects.filter(recorded_by=hr).count() == 1
    bad = SimpleUploadedFile("x.csv", (HEADER + "anna@example.com,call,never,,,,\n").encode())
    response = client.post("/activity/import/", {"file": bad})
    assert b"occurred_at" in response.content and Activity.objects.count() == 1


def test_only_hr_and_head_of_sales_may_import(client, mentor, trainee):
    for user in (mentor, trainee):
        client.force_login(user)
        assert client.get("/activity/import/").status_code == 403
