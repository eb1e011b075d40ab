"""Connectors against a local server standing in for Bitrix24 and amoCRM (their documented
answers, with paging), the schedule, the status page with "Run now", and sync_connector."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command

from lms.schedule import DEFAULT_SCHEDULE
from mentors.models import Activity, Connector, ConnectorRun, IdentityMapping, UnknownIdentity
from mentors.sources.services import connector_sync, connectors_due
from mentors.tasks import connectors_sync_due
from people.roles import Role
from tests.conftest import make_user

from .sources_support import AMO_TOKEN, BITRIX_CODE, FIXTURES, MSK, NOW, FakeCrm, anna

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _roots(settings, tmp_path):
    settings.ACTIVITY_SOURCE_ROOTS = [str(tmp_path)]


@pytest.fixture
def crm():
    with FakeCrm() as server:
        yield server


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("TEST_BITRIX_WEBHOOK_CODE", BITRIX_CODE)
    monkeypatch.setenv("TEST_AMO_TOKEN", AMO_TOKEN)


def bitrix(crm, **kwargs):
    kwargs.setdefault("secret_env", "TEST_BITRIX_WEBHOOK_CODE")
    return Connector.objects.create(
        name="bitrix", kind="bitrix24", location=f"{crm.base}/rest/1", **kwargs
    )


def amo(crm, **kwargs):
    kwargs.setdefault("secret_env", "TEST_AMO_TOKEN")
    return Connector.objects.create(name="amo", kind="amocrm", location=crm.base, **kwargs)


def test_bitrix24_calls_meetings_and_deals_paged_then_only_duplicates(crm, secrets):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(source_kind="bitrix24", identity="7", person=enrollment.trainee)
    connector = bitrix(crm)
    run = connector_sync(connector=connector, now=NOW)
    assert run.status == ConnectorRun.Status.OK, run.errors
    assert (run.rows, run.created, run.duplicates, run.not_counted, run.unknown) == (8, 5, 0, 2, 1)
    kinds = sorted(enrollment.activities.values_list("kind", "external_id"))
    assert kinds == [
        ("application", "deal:301:application"),
        ("application", "deal:302:application"),
        ("call", "call:externalCall.5a0c2f1e8d1b4c6f.1732432503"),
        ("contract", "deal:301:contract"),
        ("meeting", "activity:5011"),
    ]
    contract = Activity.objects.get(external_id="deal:301:contract")
    assert contract.amount == Decimal("125000.50")
    assert contract.occurred_at == datetime(2026, 11, 27, 3, 0, tzinfo=MSK)
    assert {a.provenance for a in enrollment.activities.all()} == {"crm"}
    starts = [q.get("start") for path, q, _h in crm.requests if "voximplant" in path]
    assert starts == [["0"], ["2"]]  # the second page asked with Bitrix24's "next"
    connector.refresh_from_db()
    assert connector.cursor == {
        "calls": "2026-11-25T09:40:00+03:00",
        "meetings": "2026-11-26T09:00:00+03:00",
        "deals": "2026-11-28T10:05:00+03:00",
    }
    assert UnknownIdentity.objects.get().identity == "9"

    crm.requests.clear()
    again = connector_sync(connector=connector, now=NOW + timedelta(hours=1))
    assert (again.created, again.duplicates, again.unknown) == (0, 5, 1)
    first = crm.requests[0][1]
    assert first["FILTER[>=CALL_START_DATE]"] == ["2026-11-25T09:40:00+03:00"]
    assert UnknownIdentity.objects.get().count == 1


def test_amocrm_call_notes_and_leads_followed_by_links_next(crm, secrets):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="amocrm", identity="504141", person=enrollment.trainee
    )
    connector = amo(crm)
    run = connector_sync(connector=connector, now=NOW)
    assert run.status == ConnectorRun.Status.OK, run.errors
    assert (run.created, run.not_counted, run.unknown) == (4, 2, 1)
    assert sorted(enrollment.activities.values_list("external_id", flat=True)) == [
        "lead:167353:application",
        "lead:167353:contract",
        "lead:167400:application",
        "note:42950101",
    ]
    pages = [q.get("page") for path, q, _h in crm.requests if path == "/api/v4/leads/notes"]
    assert pages == [None, ["2"]]
    assert all(h["Authorization"] == f"Bearer {AMO_TOKEN}" for _p, _q, h in crm.requests)
    connector.refresh_from_db()
    assert connector.cursor["leads"] == 1795860300
    again = connector_sync(connector=connector, now=NOW + timedelta(hours=1))
    assert (again.created, again.duplicates) == (0, 4)
    assert ["1795860300"] in [q.get("filter[updated_at][from]") for _p, q, _h in crm.requests]


def test_a_refused_token_is_a_failed_run_and_saves_nothing(crm, monkeypatch):
    anna()
    monkeypatch.setenv("TEST_AMO_TOKEN", "wrong")
    run = connector_sync(connector=amo(crm), now=NOW)
    assert run.status == ConnectorRun.Status.FAILED
    assert "401" in run.errors[0]
    assert "Invalid token" in run.errors[0]
    assert Activity.objects.count() == 0


def test_a_missing_secret_or_an_outage_midway_saves_nothing(crm, secrets, monkeypatch):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(source_kind="bitrix24", identity="7", person=enrollment.trainee)
    run = connector_sync(connector=bitrix(crm, secret_env="NOT_SET_ANYWHERE"), now=NOW)
    assert run.status == ConnectorRun.Status.FAILED
    assert "NOT_SET_ANYWHERE" in run.errors[0]
    connector = Connector.objects.create(
        name="bitrix2",
        kind="bitrix24",
        location=f"{crm.base}/rest/1",
        secret_env="TEST_BITRIX_WEBHOOK_CODE",
    )
    crm.fail_with = 503
    run = connector_sync(connector=connector, now=NOW)
    assert run.status == ConnectorRun.Status.FAILED
    assert "Too many requests" in run.errors[0]
    assert Activity.objects.count() == 0
    connector.refresh_from_db()
    assert connector.cursor == {}
    assert connector.running_since is None


def test_amocrm_next_link_to_another_host_is_not_followed(crm, secrets, monkeypatch):
    anna()
    original = crm.answer

    def elsewhere(path, query, headers):
        status, body = original(path, query, headers)
        return status, body.replace(crm.base, "http://evil.example") if body else body

    monkeypatch.setattr(crm, "answer", elsewhere)
    run = connector_sync(connector=amo(crm), now=NOW)
    assert run.status == ConnectorRun.Status.FAILED
    assert "another host" in run.errors[0]
    assert len(crm.requests) == 1


def test_asterisk_file_connector_and_one_run_at_a_time(tmp_path):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    path = tmp_path / "Master.csv"
    path.write_bytes((FIXTURES / "Master.csv").read_bytes())
    connector = Connector.objects.create(
        name="pbx", kind="asterisk", location=str(path), min_call_seconds=30
    )
    Connector.objects.filter(pk=connector.pk).update(running_since=NOW - timedelta(minutes=5))
    assert connector_sync(connector=connector, now=NOW) is None  # another run holds it
    Connector.objects.filter(pk=connector.pk).update(running_since=None)
    run = connector_sync(connector=connector, now=NOW)
    assert (run.created, run.not_counted, run.unknown) == (2, 4, 1)
    missing = Connector.objects.create(name="gone", kind="ics", location=str(tmp_path / "no.ics"))
    run = connector_sync(connector=missing, now=NOW)
    assert run.status == ConnectorRun.Status.FAILED
    assert "No file" in run.errors[0]
    elsewhere = Connector.objects.create(name="passwd", kind="asterisk", location="/etc/passwd")
    run = connector_sync(connector=elsewhere, now=NOW)
    assert run.status == ConnectorRun.Status.FAILED
    assert "ACTIVITY_SOURCE_ROOTS" in run.errors[0]
    sneaky = Connector.objects.create(
        name="sneaky", kind="asterisk", location=str(tmp_path / ".." / ".." / "etc" / "passwd")
    )
    assert "ACTIVITY_SOURCE_ROOTS" in connector_sync(connector=sneaky, now=NOW).errors[0]


def test_the_schedule_pulls_the_due_connectors(tmp_path):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    path = tmp_path / "Master.csv"
    path.write_bytes((FIXTURES / "Master.csv").read_bytes())
    due = Connector.objects.create(name="pbx", kind="asterisk", location=str(path))
    Connector.objects.create(
        name="recent", kind="asterisk", location=str(path), last_run_at=NOW - timedelta(minutes=10)
    )
    Connector.objects.create(name="off", kind="asterisk", location=str(path), enabled=False)
    assert connectors_due(now=NOW) == [due.pk]
    assert connectors_sync_due() == 1  # eager in the tests: the due one ran
    assert list(ConnectorRun.objects.values_list("connector__name", flat=True)) == ["pbx"]
    assert connectors_due(now=NOW) == []
    entry = next(e for e in DEFAULT_SCHEDULE if e["task"] == "mentors.tasks.connectors_sync_due")
    assert entry["crontab"] == {"minute": "*/5"}


def test_status_page_and_run_now_for_hr_only(client, hr, tmp_path):
    enrollment, _mentorship = anna()
    path = tmp_path / "Master.csv"
    path.write_bytes((FIXTURES / "Master.csv").read_bytes())
    connector = Connector.objects.create(
        name="pbx", kind="asterisk", location=str(path), min_call_seconds=30
    )
    url = f"/admin/mentoring/connectors/{connector.pk}/status/"
    for person in (make_user(Role.MENTOR), make_user(Role.DIRECTOR), enrollment.trainee):
        client.force_login(person)
        # Wagtail sends a refusal back to the admin's home (or to its login) with a message.
        for response in (client.get(url), client.post(url)):
            assert response.status_code in (302, 403)
            assert response.get("Location", "") != url
    assert ConnectorRun.objects.count() == 0
    client.force_login(hr)
    page = client.get(url)
    assert page.status_code == 200
    assert "has not run yet" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    run = ConnectorRun.objects.get()
    assert (run.created, run.unknown) == (0, 3)  # nobody is mapped yet: 101 twice, 105
    # The run's rows went through a background job, without a starter, that HR may open.
    job = run.job
    assert (job.kind, job.fmt, job.started_by, job.status) == (
        "connector",
        "asterisk",
        None,
        "done",
    )
    assert (job.held, job.held_identities) == (3, ["101", "105"])
    page = client.get(url).content.decode()
    assert f'href="/activity/import/jobs/{job.pk}/"' in page
    assert client.get(f"/activity/import/jobs/{job.pk}/").status_code == 200
    assert "Calls counted: answered, outbound, at least 30 s of talk" in page
    assert "<code>101</code>" in page
    assert "<code>105</code>" in page
    assert "identity=101" in page
    assert client.get("/admin/mentoring/connectors/").status_code == 200
    assert client.get("/admin/mentoring/unknown-identities/").status_code == 200
    add = client.get("/admin/mentoring/identities/new/?source_kind=asterisk&identity=101")
    assert add.status_code == 200
    assert 'value="101"' in add.content.decode()
    client.post(
        "/admin/mentoring/identities/new/",
        {"source_kind": "asterisk", "identity": "101", "person": enrollment.trainee.pk},
    )
    assert IdentityMapping.objects.filter(identity="101").exists()
    response = client.post("/admin/mentoring/unknown-identities/reapply/")
    assert response.status_code == 302
    assert enrollment.activities.count() == 2
    assert list(UnknownIdentity.objects.values_list("identity", flat=True)) == ["105"]


def test_status_page_in_russian(client, hr, tmp_path):
    connector = Connector.objects.create(name="pbx", kind="asterisk", location=str(tmp_path))
    client.force_login(hr)
    page = client.get(
        f"/admin/mentoring/connectors/{connector.pk}/status/", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert page.status_code == 200


def test_a_secret_is_never_stored_only_its_variable_name(client, hr):
    client.force_login(hr)
    response = client.post(
        "/admin/mentoring/connectors/new/",
        {
            "name": "bitrix",
            "kind": "bitrix24",
            "location": "https://example.bitrix24.ru/rest/1",
            "secret_env": "k3y5ecr3tc0de",
            "enabled": "on",
            "interval_minutes": 60,
            "outbound_only": "on",
            "answered_only": "on",
            "min_call_seconds": 30,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Connector.objects.exists()
    response = client.post(
        "/admin/mentoring/connectors/new/",
        {
            "name": "pbx",
            "kind": "asterisk",
            "location": "/etc/passwd",
            "interval_minutes": 60,
            "min_call_seconds": 30,
        },
    )
    assert response.status_code == 200
    assert "folders connectors may read" in response.content.decode()
    assert not Connector.objects.exists()


def test_hr_sets_up_a_bitrix24_connector(client, hr):
    client.force_login(hr)
    response = client.post(
        "/admin/mentoring/connectors/new/",
        {
            "name": "bitrix",
            "kind": "bitrix24",
            "location": "https://example.bitrix24.ru/rest/1",
            "secret_env": "BITRIX_WEBHOOK_CODE",
            "enabled": "on",
            "interval_minutes": 60,
            "outbound_only": "on",
            "answered_only": "on",
            "min_call_seconds": 30,
        },
    )
    assert response.status_code == 302
    connector = Connector.objects.get()
    assert (connector.secret_env, connector.min_call_seconds) == ("BITRIX_WEBHOOK_CODE", 30)


def test_sync_connector_command(tmp_path, capsys):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    path = tmp_path / "Master.csv"
    path.write_bytes((FIXTURES / "Master.csv").read_bytes())
    Connector.objects.create(name="pbx", kind="asterisk", location=str(path), min_call_seconds=30)
    call_command("sync_connector", "pbx")
    assert "2 created, 0 duplicate(s), 4 not counted" in capsys.readouterr().out
    call_command("sync_connector", "pbx")  # nothing appended since: nothing read
    assert "0 row(s) taken: 0 created" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No connector 'nope'"):
        call_command("sync_connector", "nope")
    path.unlink()
    with pytest.raises(CommandError, match="failed"):
        call_command("sync_connector", "pbx")


def test_an_asterisk_connector_reads_only_what_was_appended(tmp_path, monkeypatch):
    enrollment, _mentorship = anna()
    IdentityMapping.objects.create(
        source_kind="asterisk", identity="101", person=enrollment.trainee
    )
    lines = (FIXTURES / "Master.csv").read_bytes().splitlines(keepends=True)
    path = tmp_path / "Master.csv"
    # Asterisk is in the middle of writing the second record.
    path.write_bytes(lines[0] + lines[1][:40])
    connector = Connector.objects.create(
        name="pbx", kind="asterisk", location=str(path), min_call_seconds=30
    )
    run = connector_sync(connector=connector, now=NOW)
    assert (run.rows, run.created) == (1, 1)
    with path.open("ab") as file:
        file.write(lines[1][40:] + b"".join(lines[2:]))
    run = connector_sync(connector=connector, now=NOW + timedelta(hours=1))
    # Only the six records written since: the first is not read again (no duplicate).
    assert (run.rows, run.created, run.duplicates, run.not_counted) == (6, 1, 0, 4)
    run = connector_sync(connector=connector, now=NOW + timedelta(hours=2))
    assert run.rows == 0
    # Rotated: a new, shorter file is read from its start.
    path.unlink()
    path.write_bytes(lines[0])
    run = connector_sync(connector=connector, now=NOW + timedelta(hours=3))
    assert (run.rows, run.duplicates) == (1, 1)
    # A run reads at most a chunk, up to its last complete line; the next one goes on.
    monkeypatch.setattr("mentors.sources.services.CDR_CHUNK_BYTES", len(lines[0]) + 10)
    path.unlink()
    path.write_bytes(b"".join(lines))
    connector.refresh_from_db()
    first = connector_sync(connector=connector, now=NOW + timedelta(hours=4))
    second = connector_sync(connector=connector, now=NOW + timedelta(hours=5))
    assert (first.rows, second.rows) == (1, 1)
