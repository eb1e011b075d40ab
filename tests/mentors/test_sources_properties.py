"""Property-based: whatever a file or an API answer holds, each source adapter gives row
errors or a clear SourceError, never an unhandled exception, and never half a file: either
every row of it is saved (or found a duplicate, or kept for an unknown identity), or none."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentors.adapters import amocrm, bitrix24
from mentors.models import Activity, HeldRow, IdentityMapping
from mentors.sources import FILE_READERS, Options, SourceError
from mentors.sources.services import source_import

from .sources_support import FIXTURES, NOW, anna

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "101",
            "105",
            "ANSWERED",
            "NO ANSWER",
            "from-internal",
            "PJSIP/101-00000012",
            "2026-11-24 10:15:03",
            "2026-02-30 10:15:03",
            "9999-12-31 23:59:59",
            "24.11.2026 10:15",
            "31.02.2026",
            "\x00",
            "anna@example.com",
            "звонок",
            "call",
            "-5",
            "1e400",
            "x" * 300,
        ]
    ),
)
table = st.lists(st.lists(cell, min_size=0, max_size=23), min_size=0, max_size=6)


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace")


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        enrollment, _mentorship = anna()
        for kind, identity in (("asterisk", "101"), ("bitrix24", "7"), ("amocrm", "504141")):
            IdentityMapping.objects.create(
                source_kind=kind, identity=identity, person=enrollment.trainee
            )
        yield enrollment


def whole_or_nothing(reader) -> None:
    """Import in a savepoint rolled back afterwards: a SourceError or an unsaved result
    leaves no row; a saved one accounts for every row it read."""
    with transaction.atomic():
        activities, held = Activity.objects.count(), HeldRow.objects.count()
        message = ""
        try:
            outcome = source_import(reader=reader, now=NOW)
        except SourceError as error:
            outcome, message = None, str(error)
        assert outcome is not None or message  # a SourceError always says why
        result = outcome.result if outcome else None
        if result is None or not result.saved:
            assert (Activity.objects.count(), HeldRow.objects.count()) == (activities, held)
        else:
            assert result.invalid_rows == 0
            assert result.created + result.duplicates == result.rows
            assert Activity.objects.count() == activities + result.created
        transaction.set_rollback(True)


@EXAMPLES
@given(rows=table, utc=st.booleans())
def test_asterisk_any_records(world, rows, utc):
    data = csv_bytes(rows)
    whole_or_nothing(FILE_READERS["asterisk"](io.BytesIO(data), Options(now=NOW, utc=utc)))


@EXAMPLES
@given(data=st.binary(max_size=400))
def test_asterisk_any_bytes(world, data):
    good = (FIXTURES / "Master.csv").read_bytes()
    whole_or_nothing(FILE_READERS["asterisk"](io.BytesIO(good + data), Options(now=NOW)))


@EXAMPLES
@given(
    rows=table,
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
    header=st.booleans(),
)
def test_spreadsheet_any_rows(world, rows, delimiter, encoding, header):
    if header:
        rows = [["Эл_почта", "Вид", "Дата_время", "Внешний_id", "Сумма"], *rows]
    data = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    whole_or_nothing(FILE_READERS["csv"](io.BytesIO(data), Options(now=NOW)))


ics_line = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "BEGIN:VEVENT",
            "END:VEVENT",
            "UID:x@example.com",
            "DTSTART:20261124T100000",
            "DTSTART;TZID=Europe/Moscow:20261124T100000",
            "DTSTART;TZID=Nowhere/Atlantis:20261124T100000",
            "DTSTART;VALUE=DATE:20261124",
            "DTSTART:99991231T235959Z",
            "DTSTART:garbage",
            "RRULE:FREQ=DAILY",
            "RRULE:FREQ=WEEKLY;UNTIL=20261201T000000Z",
            "RRULE:FREQ=NONSENSE",
            "RECURRENCE-ID:20261125T100000",
            "EXDATE:20261125T100000",
            "RDATE:20261126T100000Z",
            "ORGANIZER:mailto:anna@example.com",
            "ATTENDEE:mailto:ANNA@example.com",
            "STATUS:CANCELLED",
        ]
    ),
)


@EXAMPLES
@given(lines=st.lists(ics_line, max_size=14))
def test_ics_any_calendar(world, lines):
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""])
    data = text.encode("utf-8", errors="surrogatepass")
    whole_or_nothing(FILE_READERS["ics"](io.BytesIO(data), Options(now=NOW)))


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    cell,
)
FIELDS = [
    "ID", "CALL_ID", "PORTAL_USER_ID", "CALL_TYPE", "CALL_DURATION", "CALL_START_DATE",
    "CALL_FAILED_CODE", "TYPE_ID", "COMPLETED", "START_TIME", "RESPONSIBLE_ID", "ASSIGNED_BY_ID",
    "DATE_CREATE", "DATE_MODIFY", "CLOSEDATE", "STAGE_SEMANTIC_ID", "OPPORTUNITY", "LAST_UPDATED",
    "id", "note_type", "created_at", "updated_at", "closed_at", "responsible_user_id",
    "created_by", "status_id", "price", "params", "is_deleted", "name",
]  # fmt: skip
item = st.dictionaries(
    st.sampled_from(FIELDS),
    st.one_of(
        json_scalar, st.dictionaries(st.sampled_from(["duration", "call_status"]), json_scalar)
    ),
    max_size=12,
)
answer = st.one_of(
    json_scalar,
    st.lists(item, max_size=3),
    st.fixed_dictionaries(
        {"result": st.one_of(st.lists(item, max_size=4), json_scalar), "next": json_scalar}
    ),
    st.fixed_dictionaries(
        {
            "_embedded": st.dictionaries(
                st.sampled_from(["notes", "leads"]), st.lists(item, max_size=4)
            ),
            "_links": st.one_of(
                json_scalar,
                st.fixed_dictionaries({"next": st.fixed_dictionaries({"href": cell})}),
            ),
        }
    ),
)


@EXAMPLES
@given(answer=answer, kind=st.sampled_from(["bitrix24", "amocrm"]))
def test_crm_any_answer(world, monkeypatch, answer, kind):
    monkeypatch.setenv("TEST_SECRET", "s3cret")
    module = bitrix24 if kind == "bitrix24" else amocrm
    monkeypatch.setattr(module, "get_json", lambda *args, **kwargs: answer)
    connector = SimpleNamespace(
        location="https://example.test/rest/1", secret_env="TEST_SECRET", cursor={}
    )
    reader_class = bitrix24.Bitrix24Reader if kind == "bitrix24" else amocrm.AmoCrmReader
    whole_or_nothing(reader_class(connector, Options(now=NOW)))
