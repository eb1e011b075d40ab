"""Issue #18's Done-when in Chromium: HR uploads an activity file, the page comes back at
once, and its progress bar advances while the job works, chunk by chunk, until the result.

The job runs in this test, one chunk at a time: after each chunk it waits until the page's
bar (polled by mentors/static/mentors/import_job.js) shows that chunk's count, so no clock
and no sleep decides what is seen."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentors import jobs
from mentors.models import Activity, ImportJob
from people.roles import Role
from tests.browser.conftest import login, screenshot
from tests.conftest import make_user
from tests.mentors.factories import make_enrollment
from tests.people.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
MSK = ZoneInfo("Europe/Moscow")
ROWS = 9
CHUNK = 3


def test_the_progress_bar_advances_while_the_job_works(
    live_server, new_page, tmp_path, settings, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    make_enrollment(trainee=trainee, hire_date=timezone.localdate() - timedelta(days=30))
    make_user(Role.HR, username="olga")
    queued = []
    # The queue is this test: it runs the job itself, chunk by chunk.
    monkeypatch.setattr(jobs, "job_enqueue", lambda *, job_id: queued.append(job_id))
    at = (datetime.now(MSK) - timedelta(days=1)).replace(microsecond=0).isoformat()
    path = tmp_path / "calls.csv"
    path.write_text(
        "trainee_email,kind,occurred_at,source,external_id\n"
        + "".join(f"anna@example.com,call,{at},telephony,call-{i}\n" for i in range(ROWS)),
        encoding="utf-8",
    )
    console = []
    page = new_page()
    page.on("console", lambda message: console.append(message.text))
    login(page, live_server, "olga", PASSWORD)
    page.goto(f"{live_server.url}/activity/import/")
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(f"{live_server.url}/activity/import/jobs/{queued[0]}/")
    bar = page.locator("progress.import-progress")
    expect(bar).to_have_attribute("value", "0")
    expect(page.locator("[data-job-status]")).to_have_text("Queued")
    expect(page.get_by_role("button", name="Cancel the import")).to_be_visible()

    seen = []

    def after_chunk(job):
        # What the page must show for this chunk: the rows checked, then the rows saved.
        shown = job.rows_checked if job.status == ImportJob.Status.VALIDATING else job.rows_done
        page.wait_for_function(
            "n => document.querySelector('progress.import-progress').value === n", arg=shown
        )
        seen.append((page.locator("[data-job-status]").inner_text(), bar.get_attribute("value")))

    job = jobs.job_run(
        job=ImportJob.objects.get(pk=queued[0]), chunk_size=CHUNK, after_chunk=after_chunk
    )
    assert job.status == ImportJob.Status.DONE
    assert seen == [
        ("Checking the rows", "3"),
        ("Checking the rows", "6"),
        ("Checking the rows", "9"),
        ("Saving the rows", "3"),
        ("Saving the rows", "6"),
        ("Saving the rows", "9"),
    ]
    # Once the job is done the page reloads with the result.
    expect(page.get_by_text("Imported 9 activities.")).to_be_visible()
    expect(page.locator("[data-job-status]")).to_have_text("Done")
    expect(page.get_by_role("button", name="Cancel the import")).to_have_count(0)
    assert Activity.objects.filter(source="telephony").count() == ROWS
    assert not [text for text in console if "Content Security Policy" in text]
    screenshot(page, "mentors-import-job-done")
