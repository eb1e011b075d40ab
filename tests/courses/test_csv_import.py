"""Bulk enrollment from HR's CSV: every row checked, nothing saved when any row is wrong."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import csv_import, services
from courses.models import Enrollment, StageProgress
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, make_program

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def program():
    return make_program(stages=2, title="Account manager onboarding")


def csv_bytes(*lines, sep=","):
    return ("\n".join(sep.join(line) for line in lines) + "\n").encode()


HEADER = ("email", "first_name", "last_name", "program", "hire_date")


def test_valid_file_creates_accounts_and_enrollments(program, hr):
    existing = make_user(email="dmitry@example.com", first_name="Dmitry")
    data = csv_bytes(
        HEADER,
        ("anna@example.com", "Anna", "Petrova", "Account manager onboarding", "2026-12-01"),
        ("Dmitry@Example.com", "", "", program.slug, "01.12.2026"),
    )
    result = services.enrollments_import(data=data, enrolled_by=hr)
    assert len(result.enrollments) == 2
    anna = User.objects.get(email="anna@example.com")
    assert anna.get_full_name() == "Anna Petrova"
    assert anna.groups.filter(name=Role.TRAINEE).exists()
    assert anna.profile.hire_date.isoformat() == "2026-12-01"
    [(new_user, password)] = result.new_accounts
    assert new_user == anna
    assert anna.check_password(password)
    assert Enrollment.objects.get(trainee=existing).enrolled_by == hr
    assert StageProgress.objects.filter(
        enrollment__trainee=anna, status=StageProgress.Status.AVAILABLE
    ).exists()


def test_bad_rows_are_all_reported_and_nothing_is_saved(program, hr):
    already = enroll(program, make_user(email="already@example.com"), by=hr)
    users_before = User.objects.count()
    enrollments_before = Enrollment.objects.count()
    data = csv_bytes(
        HEADER,
        ("good@example.com", "Good", "Row", program.slug, "2026-12-01"),
        ("not-an-email", "Bad", "Email", program.slug, "2026-12-01"),
        ("nodate@example.com", "No", "Date", program.slug, "tomorrow"),
        ("noprogram@example.com", "No", "Program", "Juggling", "2026-12-01"),
        ("noname@example.com", "", "", program.slug, "2026-12-01"),
        ("good@example.com", "Good", "Again", program.slug, "2026-12-01"),
        ("already@example.com", "", "", program.slug, "2026-12-01"),
    )
    with pytest.raises(csv_import.ImportFailed) as failed:
        services.enrollments_import(data=data, enrolled_by=hr)
    errors = {(e.row, e.column) for e in failed.value.errors}
    assert errors == {
        (3, "email"),
        (4, "hire_date"),
        (5, "program"),
        (6, "first_name"),
        (6, "last_name"),
        (7, "email"),
        (8, "email"),
    }
    messages = " ".join(e.message for e in failed.value.errors)
    assert "already on line 2" in messages
    assert "already enrolled" in messages
    assert "Account manager onboarding" in messages  # lists the programs there are
    assert User.objects.count() == users_before
    assert Enrollment.objects.count() == enrollments_before
    assert already.trainee.enrollments.count() == 1


def test_missing_columns_and_empty_files(program, hr):
    with pytest.raises(csv_import.ImportFailed) as failed:
        services.enrollments_import(
            data=csv_bytes(("email", "name"), ("a@example.com", "A")), enrolled_by=hr
        )
    assert {e.column for e in failed.value.errors} == {
        "first_name",
        "last_name",
        "program",
        "hire_date",
    }
    with pytest.raises(csv_import.ImportFailed):
        services.enrollments_import(data=csv_bytes(HEADER), enrolled_by=hr)


def test_semicolons_and_windows_1251_are_read(program, hr):
    data = "\n".join(
        [
            ";".join(HEADER),
            ";".join(("olga@example.com", "Ольга", "Никитина", program.slug, "2026-12-01")),
        ]
    ).encode("cp1251")
    result = services.enrollments_import(data=data, enrolled_by=hr)
    assert result.enrollments[0].trainee.first_name == "Ольга"


def test_only_hr_imports(program, head_of_sales):
    with pytest.raises(PermissionDenied):
        services.enrollments_import(data=csv_bytes(HEADER), enrolled_by=head_of_sales)


def test_upload_page_shows_row_errors(client, program, hr, director):
    url = reverse("courses:enrollments_import")
    client.force_login(director)
    assert client.get(url).status_code == 403
    client.force_login(hr)
    upload = SimpleUploadedFile(
        "people.csv",
        csv_bytes(HEADER, ("x@example.com", "X", "Y", "nope", "2026-12-01")),
        content_type="text/csv",
    )
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "No published program" in page
    assert not User.objects.filter(email="x@example.com").exists()
    upload = SimpleUploadedFile(
        "people.csv",
        csv_bytes(HEADER, ("x@example.com", "Xenia", "Young", program.slug, "2026-12-01")),
    )
    page = client.post(url, {"file": upload}).content.decode()
    assert "1 person enrolled" in page
    assert "Initial password" in page
    assert Enrollment.objects.filter(trainee__email="x@example.com").exists()


def test_row_errors_are_written_in_the_uploaders_language(client, program, hr):
    client.force_login(hr)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    upload = SimpleUploadedFile(
        "people.csv",
        csv_bytes(HEADER, ("", "X", "Y", "nope", "someday")),
        content_type="text/csv",
    )
    page = client.post(reverse("courses:enrollments_import"), {"file": upload}).content.decode()
    assert "указан адрес e-mail." in page
    assert "Нет опубликованной программы «nope»." in page
    # The column as the Russian page names it.
    assert "<td>программа</td>" in page
    assert "No published program" not in page


def test_a_file_with_russian_column_names_enrolls_through_the_page(client, program, hr):
    client.force_login(hr)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    url = reverse("courses:enrollments_import")
    # The Russian page documents the Russian names.
    assert "эл_почта, имя, фамилия, программа, дата_приёма" in client.get(url).content.decode()
    upload = SimpleUploadedFile(
        "people.csv",
        csv_bytes(
            (" Фамилия ", "ИМЯ", "Эл_почта", "Программа", "Дата приема"),
            ("Никитина", "Ольга", "olga@example.com", program.slug, "01.12.2026"),
            sep=";",
        ),
        content_type="text/csv",
    )
    client.post(url, {"file": upload})
    enrollment = Enrollment.objects.get(trainee__email="olga@example.com")
    assert enrollment.trainee.get_full_name() == "Ольга Никитина"
    assert enrollment.hire_date.isoformat() == "2026-12-01"
    # The English page keeps the English names.
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    assert "email, first_name, last_name, program, hire_date" in client.get(url).content.decode()


def test_two_names_for_one_column_are_a_file_error(program, hr):
    data = csv_bytes(
        ("email", "эл_почта", "first_name", "last_name", "program", "hire_date"),
        ("a@example.com", "b@example.com", "A", "B", program.slug, "2026-12-01"),
    )
    with pytest.raises(csv_import.ImportFailed) as failed:
        services.enrollments_import(data=data, enrolled_by=hr)
    [error] = failed.value.errors
    assert (error.row, error.column) == (1, "email")
    assert "“email” and “эл_почта”" in error.message
    assert not Enrollment.objects.exists()
