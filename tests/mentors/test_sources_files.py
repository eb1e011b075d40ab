"""The file adapters against their formats' own examples: Asterisk's Master.csv, a calendar
export with a recurring event and an override, and a Russian Excel CSV (tests/fixtures/)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from mentors.models import Activity, HeldRow, IdentityMapping, UnknownIdentity
from mentors.services import statement_compute
from mentors.sources import FILE_READERS, CountingRule, Options, SourceError
from mentors.sources.services import identities_reapply, source_import
from people.roles import Role
from rampup.figures import monthly_counts
from tests.conftest import make_user

from .factories import make_enrollment
from .sources_support import FIXTURES, MSK, NOW, anna

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def read(fmt: str, data: bytes, **options):
    options.setdefault("rule", CountingRule(min_seconds=30))
    reader = FILE_READERS[fmt](io.BytesIO(data), Options(now=NOW, **options))
    return reader, source_import(reader=reader, now=NOW)


def master_csv() -> bytes:
    return (FIXTURES / "Master.csv").read_bytes()


def test_asterisk_counts_answered_outbound_calls_and_keeps_unknown_extensions():
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    _reader, outcome = read("asterisk", master_csv())
    result = outcome.result
    assert (result.saved, result.created, result.duplicates) == (True, 2, 0)
    # No answer, 12 seconds, inbound and busy are not counted by the rule.
    assert outcome.not_counted == 4
    assert outcome.unknown == {"105": 1}
    calls = Activity.objects.filter(source="asterisk").order_by("occurred_at")
    assert [c.occurred_at for c in calls] == [
        datetime(2026, 11, 24, 10, 15, 3, tzinfo=MSK),
        datetime(2026, 11, 26, 16, 5, 10, tzinfo=MSK),
    ]
    assert calls[0].external_id == "1732432503.18-25"
    assert calls[1].external_id.startswith("h:")  # the 16-column form has no uniqueid
    assert {c.provenance for c in calls} == {"pbx"}
    unknown = UnknownIdentity.objects.get()
    assert (unknown.source_kind, unknown.identity, unknown.count) == ("asterisk", "105", 1)
    assert unknown.first_seen == unknown.last_seen == NOW


def test_asterisk_times_in_utc_when_configured():
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    read("asterisk", master_csv(), utc=True)
    first = Activity.objects.filter(source="asterisk").order_by("occurred_at").first()
    assert first.occurred_at == datetime(2026, 11, 24, 13, 15, 3, tzinfo=MSK)


def test_a_second_delivery_is_all_duplicates_and_keeps_no_row_twice():
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    read("asterisk", master_csv())
    _reader, again = read("asterisk", master_csv())
    assert (again.result.created, again.result.duplicates) == (0, 2)
    assert Activity.objects.count() == 2
    assert HeldRow.objects.count() == 1
    assert UnknownIdentity.objects.get().count == 1


def test_mapping_an_unknown_extension_and_reapplying_imports_its_rows():
    anna()
    read("asterisk", master_csv())
    assert Activity.objects.count() == 0  # nobody is mapped yet: every counted call is kept
    assert UnknownIdentity.objects.count() == 2
    boris = make_user(Role.TRAINEE, email="boris@example.com")
    make_enrollment(trainee=boris, hire_date=NOW.date().replace(day=2))
    IdentityMapping.objects.create(source_kind="asterisk", identity="105", person=boris)
    result = identities_reapply(now=NOW)
    assert (result.created, result.invalid_rows) == (1, 0)
    assert Activity.objects.get().enrollment.trainee == boris
    assert list(UnknownIdentity.objects.values_list("identity", flat=True)) == ["101"]
    assert HeldRow.objects.filter(unknown__identity="101").count() == 2


def test_an_unreadable_asterisk_line_saves_nothing_of_the_file():
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    _reader, outcome = read("asterisk", master_csv() + b'"","101","x"\n')
    assert not outcome.result.saved
    assert outcome.result.errors[0].row == 8
    assert Activity.objects.count() == 0
    assert UnknownIdentity.objects.count() == 0


def test_russian_excel_csv_semicolons_cp1251_local_dates_and_identical_rows_once():
    enrollment, _mentorship = anna()
    data = (FIXTURES / "russian_excel.csv").read_bytes()
    _reader, outcome = read("csv", data)
    result = outcome.result
    assert (result.saved, result.rows, result.created, result.duplicates) == (True, 5, 3, 2)
    call = Activity.objects.get(kind="call")
    assert call.occurred_at == datetime(2026, 11, 24, 10, 15, tzinfo=MSK)
    assert call.note == "Первый звонок клиенту"
    assert call.provenance == "file"
    meeting = Activity.objects.get(kind="meeting")
    assert meeting.occurred_at == datetime(2026, 11, 25, tzinfo=MSK)
    assert str(Activity.objects.get(kind="contract").amount) == "125000.50"
    # The same rows again, saved as UTF-8 with commas: the same activities.
    rows = csv.reader(io.StringIO(data.decode("cp1251")), delimiter=";")
    utf8 = io.StringIO()
    csv.writer(utf8).writerows(rows)
    _reader, again = read("csv", utf8.getvalue().encode("utf-8-sig"))
    assert again.result.errors == []
    assert (again.result.created, again.result.duplicates) == (0, 5)
    assert enrollment.activities.count() == 3


def test_csv_with_a_chosen_delimiter_and_encoding():
    anna()
    text = "trainee_email|kind|occurred_at\nanna@example.com|call|2026-11-24 10:15\n"
    _reader, outcome = read("csv", text.encode("cp1251"), delimiter="|", encoding="cp1251")
    assert outcome.result.created == 1
    assert Activity.objects.get().occurred_at == datetime(2026, 11, 24, 10, 15, tzinfo=MSK)


def test_ics_meetings_with_recurrence_exdate_and_override():
    enrollment, _mentorship = anna()
    _reader, outcome = read("ics", (FIXTURES / "calendar.ics").read_bytes())
    assert outcome.result.saved
    meetings = enrollment.activities.filter(kind="meeting").order_by("occurred_at")
    assert [(m.occurred_at, m.external_id) for m in meetings] == [
        (
            datetime(2026, 11, 2, 10, tzinfo=MSK),
            "weekly-demo-42@calendar.example.ru/20261102T070000Z",
        ),
        (
            datetime(2026, 11, 16, 11, 30, tzinfo=MSK),
            "weekly-demo-42@calendar.example.ru/20261116T070000Z",
        ),
        (datetime(2026, 11, 20, 14, tzinfo=MSK), "3f1c2a9e-meeting-romashka@calendar.example.ru"),
        (
            datetime(2026, 11, 23, 10, tzinfo=MSK),
            "weekly-demo-42@calendar.example.ru/20261123T070000Z",
        ),
        (datetime(2026, 11, 25, 10, 30, tzinfo=MSK), "client-invite-7@crm.client.example"),
        (
            datetime(2026, 11, 30, 10, tzinfo=MSK),
            "weekly-demo-42@calendar.example.ru/20261130T070000Z",
        ),
    ]
    assert meetings[1].note == "Демонстрация продукта клиенту (перенесена)"
    # Cancelled and all-day entries are not meetings; the future one has not happened yet.
    assert outcome.not_counted == 2
    assert outcome.unknown == {"boris@example.com": 1}
    _reader, again = read("ics", (FIXTURES / "calendar.ics").read_bytes())
    assert (again.result.created, again.result.duplicates) == (0, 6)


def test_a_broken_calendar_is_a_clear_error():
    anna()
    with pytest.raises(SourceError, match="iCalendar"):
        read("ics", b"BEGIN:VCALENDAR\nthis is not\n")
    assert Activity.objects.count() == 0


def test_the_bonus_statement_and_the_ramp_move_after_an_import():
    enrollment, mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    before = statement_compute(mentorship_id=mentorship.pk, now=NOW)
    assert (before.call_count, before.tier_name) == (0, "Base")
    assert monthly_counts([enrollment.pk]).get(enrollment.pk, {}) == {}
    read("asterisk", master_csv())
    after = statement_compute(mentorship_id=mentorship.pk, now=NOW)
    assert (after.call_count, after.tier_name, str(after.amount)) == (2, "Two calls", "3000.00")
    assert monthly_counts([enrollment.pk])[enrollment.pk][1]["call"] == 2  # ramp month 1


def test_import_activities_command_formats(tmp_path, capsys):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    call_command(
        "import_activities",
        str(FIXTURES / "Master.csv"),
        "--format",
        "asterisk",
        "--min-seconds",
        "30",
    )
    out = capsys.readouterr().out
    assert "2 created" in out
    assert "4 not counted" in out
    assert "unknown identity '105': 1 row(s) kept" in out
    call_command("import_activities", str(FIXTURES / "russian_excel.csv"))
    assert "3 created, 2 duplicate(s)" in capsys.readouterr().out
    call_command("import_activities", str(FIXTURES / "calendar.ics"), "--format", "ics")
    assert "6 created" in capsys.readouterr().out
    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"not a calendar")
    with pytest.raises(CommandError, match="iCalendar"):
        call_command("import_activities", str(broken), "--format", "ics")


def test_the_counting_rule_decides_which_calls_count():
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    everything = CountingRule(outbound_only=False, answered_only=False, min_seconds=0)
    _reader, outcome = read("asterisk", master_csv(), rule=everything)
    # Every record but Boris's (kept for his unknown extension 105) is a call now.
    assert (outcome.result.created, outcome.not_counted, outcome.held) == (6, 0, 1)
    assert enrollment.activities.filter(note="234 s of talk").exists()  # the inbound one


def asterisk_lines(n: int) -> bytes:
    line = (
        '"","101","8495{i:07d}","from-internal","""Anna"" <101>","PJSIP/101-{i:08x}",'
        '"PJSIP/trunk-{i:08x}","Dial","x","2026-11-24 10:{m:02d}:{s:02d}",'
        '"2026-11-24 10:{m:02d}:{s:02d}","2026-11-24 10:{m:02d}:{s:02d}",95,90,"ANSWERED",'
        '"DOCUMENTATION","17324{i:05d}.1","","","17324{i:05d}.1","{i}"\n'
    )
    return "".join(line.format(i=i, m=i // 60, s=i % 60) for i in range(n)).encode()


@pytest.mark.parametrize("n", [20, 200])
def test_an_import_asks_a_fixed_number_of_queries(n, django_assert_max_num_queries):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    # 13 at 20 rows; on SQLite bulk_create's own batches (of about 70 rows) add one each.
    with django_assert_max_num_queries(16):
        _reader, outcome = read("asterisk", asterisk_lines(n))
    assert outcome.result.created == n
