"""HR's enrollment list answers any filter value with the list and a clear error, never a 500."""

from datetime import date

import pytest
from django.urls import reverse

from tests.courses.factories import enroll, make_program

TOO_BIG = str(2**64)  # beyond any integer column: SQLite raises OverflowError on it

BAD = [
    ("program", "abc", "Select a valid choice"),
    ("program", TOO_BIG, "Select a valid choice"),
    ("program", "-" + TOO_BIG, "Select a valid choice"),
    ("program", "999999", "Select a valid choice"),
    ("status", "nope", "Select a valid choice"),
    ("stage", TOO_BIG, "Select a valid choice"),
    ("stage", "1.5", "Select a valid choice"),
    ("mentor", TOO_BIG, "Select a valid choice"),
    ("mentor", "x" * 5000, "Select a valid choice"),
    ("hire_month", "2026-13", "Enter a valid date"),
    ("hire_month", "2026-09-01", "Enter a valid date"),
    ("hire_month", "99999-01", "Enter a valid date"),
]


@pytest.fixture
def listed(hr):
    program = make_program(stages=2, items=1, others=0)
    return [
        enroll(program, hire_date=date(2026, 9, 1), by=hr),
        enroll(program, hire_date=date(2026, 11, 2), by=hr),
    ]


@pytest.mark.parametrize(("name", "value", "error"), BAD)
def test_a_bad_value_is_a_field_error_and_filters_nothing(client, hr, listed, name, value, error):
    client.force_login(hr)
    response = client.get(reverse("courses:enrollments"), {name: value})
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[name])
    assert {row.enrollment.pk for row in response.context["rows"]} == {e.pk for e in listed}


def test_the_valid_filters_still_apply_beside_a_bad_one(client, hr, listed):
    client.force_login(hr)
    response = client.get(
        reverse("courses:enrollments"), {"hire_month": "2026-09", "program": TOO_BIG}
    )
    assert list(response.context["form"].errors) == ["program"]
    assert [row.enrollment.pk for row in response.context["rows"]] == [listed[0].pk]
    assert "Select a valid choice" in response.content.decode()


def test_the_extremes_of_the_calendar_are_months_like_any_other(client, hr, listed):
    client.force_login(hr)
    for month in ("0001-01", "9999-12"):
        response = client.get(reverse("courses:enrollments"), {"hire_month": month})
        assert response.status_code == 200
        assert not response.context["form"].errors
        assert response.context["rows"] == []
