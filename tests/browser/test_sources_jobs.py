"""Issue #18's Done-when in Chromium: HR runs a Bitrix24 connector (a local server standing
in for Bitrix24, tests/mentors/sources_support.py) and uploads an Asterisk Master.csv on the
activity import page, both through background import jobs (docs/sources.md): the right
activities for the right trainee, a second run and a second upload only duplicates, the upload's
progress bar advancing chunk by chunk (the stepping of tests/browser/test_import_jobs.py), and
the trainee's bonus statement and ramp-up figures moving with them."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentors import jobs
from mentors.models import Activity, Connector, IdentityMapping, ImportJob
from mentors.services import statement_compute
from people.roles import Role
from rampup.figures import monthly_counts
from tests.browser.conftest import login, screenshot
from tests.conftest import make_user
from tests.mentors.sources_support import BITRIX_CODE, FIXTURES, FakeCrm, anna
from tests.people.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
CHUNK = 1


def test_hr_runs_a_bitrix24_connector_and_uploads_a_master_csv(
    live_server, new_page, tmp_path, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TEST_BITRIX_WEBHOOK_CODE", BITRIX_CODE)
    enrollment, mentorship = anna()
    trainee = enrollment.trainee
    IdentityMapping.objects.create(source_kind="bitrix24", identity="7", person=trainee)
    IdentityMapping.objects.create(source_kind="asterisk", identity="101", person=trainee)
    make_user(Role.HR, username="hr-olga")
    queued = []
    # The upload's queue is this test: it runs the job itself, chunk by chunk.
    monkeypatch.setattr(jobs, "job_enqueue", lambda *, job_id: queued.append(job_id))

    def figures():
        statement = statement_compute(mentorship_id=mentorship.pk, now=timezone.now())
        ramp = monthly_counts([enrollment.pk]).get(enrollment.pk, {}).get(1, {})
        return statement.call_count, statement.tier_name, ramp.get("call", 0)

    assert figures() == (0, "Base", 0)
    page = new_page()
    login(page, live_server, "hr-olga", PASSWORD)
    drilldown = f"{live_server.url}/ramp-up/{enrollment.pk}/"

    def month_one_calls():
        # The drill-down's first month: "calls / target" in its first figure cell.
        page.goto(drilldown)
        row = page.locator("tr", has=page.locator("th", has_text="M1"))
        return row.locator("td").first.inner_text().split("/")[0].strip()

    assert month_one_calls() == "0"

    with FakeCrm() as crm:
        connector = Connector.objects.create(
            name="bitrix",
            kind="bitrix24",
            location=f"{crm.base}/rest/1",
            secret_env="TEST_BITRIX_WEBHOOK_CODE",
        )
        status_url = f"{live_server.url}/admin/mentoring/connectors/{connector.pk}/status/"
        page.goto(status_url)
        expect(page.locator("main")).to_contain_text("The connector has not run yet.")
        page.get_by_role("button", name="Run now").click()
        last_run = page.locator(".connector-last-run")
        expect(last_run).to_contain_text("Import")
        run = connector.runs.get()
        assert (run.created, run.duplicates, run.not_counted, run.unknown) == (5, 0, 2, 1)
        assert sorted(trainee.enrollments.get().activities.values_list("kind", flat=True)) == [
            "application",
            "application",
            "call",
            "contract",
            "meeting",
        ]
        assert figures() == (1, "Base", 1)
        assert month_one_calls() == "1"
        # The run's job: its page shows what the run imported.
        page.goto(status_url)
        page.locator("a.connector-run-job").click()
        expect(page).to_have_url(f"{live_server.url}/activity/import/jobs/{run.job_id}/")
        expect(page.locator('[data-field="created"]')).to_have_text("5")
        expect(page.locator('[data-field="not_counted"]')).to_have_text("2")
        expect(page.locator('[data-field="held"]')).to_have_text("1")
        # Run again: only duplicates.
        page.goto(status_url)
        page.get_by_role("button", name="Run now").click()
        expect(page.locator(".connector-last-run dd").nth(4)).to_have_text("5")  # duplicates
        again = connector.runs.order_by("-pk").first()
        assert (again.created, again.duplicates) == (0, 5)
        screenshot(page, "sources-jobs-connector-run")
    assert Activity.objects.filter(enrollment=enrollment).count() == 5

    master = tmp_path / "Master.csv"
    master.write_bytes((FIXTURES / "Master.csv").read_bytes())

    def upload():
        page.goto(f"{live_server.url}/activity/import/")
        page.get_by_label("File format").select_option("asterisk")
        page.locator("#id_file").set_input_files(str(master))
        page.get_by_role("button", name="Import").click()
        expect(page).to_have_url(f"{live_server.url}/activity/import/jobs/{queued[-1]}/")
        bar = page.locator("progress.import-progress")
        expect(bar).to_have_attribute("value", "0")
        seen = []

        def after_chunk(job):
            shown = job.rows_checked if job.status == ImportJob.Status.VALIDATING else job.rows_done
            page.wait_for_function(
                "n => document.querySelector('progress.import-progress').value === n", arg=shown
            )
            seen.append(
                (page.locator("[data-job-status]").inner_text(), bar.get_attribute("value"))
            )

        job = jobs.job_run(
            job=ImportJob.objects.get(pk=queued[-1]), chunk_size=CHUNK, after_chunk=after_chunk
        )
        assert job.status == ImportJob.Status.DONE
        expect(page.locator("[data-job-status]")).to_have_text("Done")
        return job, seen

    job, seen = upload()
    # Answered outbound calls of 101 of 30 s or more (an upload's rule): two; 105 is kept.
    assert seen == [
        ("Checking the rows", "1"),
        ("Checking the rows", "2"),
        ("Saving the rows", "1"),
        ("Saving the rows", "2"),
    ]
    assert (job.created, job.duplicates, job.not_counted, job.held) == (2, 0, 4, 1)
    expect(page.get_by_text("Imported 2 activities.")).to_be_visible()
    expect(page.locator('[data-field="not_counted"]')).to_have_text("4")
    expect(page.locator(".held-identities")).to_contain_text("105")
    assert Activity.objects.filter(enrollment=enrollment, source="asterisk").count() == 2
    assert figures() == (3, "Two calls", 3)
    screenshot(page, "sources-jobs-asterisk-upload")

    job, _seen = upload()
    assert (job.created, job.duplicates) == (0, 2)
    expect(page.locator('[data-field="duplicates"]')).to_have_text("2")
    expect(page.get_by_text("Imported 0 activities.")).to_be_visible()
    assert figures() == (3, "Two calls", 3)

    # The ramp-up drill-down counts the trainee's calls of the first month: the CRM's one and
    # the PBX's two.
    assert month_one_calls() == "3"
    screenshot(page, "sources-jobs-ramp-drilldown")
