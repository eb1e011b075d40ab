"""Background imports (mentors/jobs.py): chunks, progress, cancelling, all or nothing,
resuming, who sees a job, and files that cannot be read."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localdate

from mentors import jobs
from mentors.models import Activity, ImportJob
from people.roles import Role
from tests.conftest import make_user

from .factories import make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
HEADER = "trainee_email,kind,occurred_at,source,external_id,amount,note\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def enrollment():
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    return make_enrollment(trainee=trainee, hire_date=localdate() - timedelta(days=60))


def when(days_ago=1):
    return (datetime.now(MSK) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def csv_text(n, *, bad_lines=(), external_ids=True):
    """A file of n calls (lines 2..n+1); the lines in ``bad_lines`` have no valid time. The
    calls are a minute apart: rows without an external id get one made from their content
    (adapters.spreadsheet), and identical rows would be one call."""
    lines = [HEADER]
    start = datetime.now(MSK).replace(microsecond=0) - timedelta(days=1)
    for line in range(2, n + 2):
        at = "never" if line in bad_lines else (start - timedelta(minutes=line)).isoformat()
        external_id = f"c-{line}" if external_ids else ""
        lines.append(f"anna@example.com,call,{at},telephony,{external_id},,\n")
    return "".join(lines)


def make_job(text, *, user, all_or_nothing=True, kind=ImportJob.Kind.UPLOAD, name="a.csv"):
    data = text if isinstance(text, bytes) else text.encode()
    return jobs.job_create(
        kind=kind,
        fmt="csv",
        file=ContentFile(data, name=name),
        started_by=user,
        all_or_nothing=all_or_nothing,
    )


def progress_log():
    seen = []

    def after_chunk(job):
        stored = ImportJob.objects.get(pk=job.pk)
        seen.append((stored.status, stored.rows_checked, stored.rows_done, stored.created))

    return seen, after_chunk


def test_progress_advances_chunk_by_chunk_and_the_file_is_deleted(enrollment, hr):
    job = make_job(csv_text(5), user=hr, all_or_nothing=False)
    assert (job.status, job.rows_total) == (ImportJob.Status.QUEUED, 5)
    stored_file = job.file.name
    seen, after_chunk = progress_log()
    job = jobs.job_run(job=job, chunk_size=2, after_chunk=after_chunk)
    assert seen == [("running", 0, 2, 2), ("running", 0, 4, 4), ("running", 0, 5, 5)]
    job.refresh_from_db()
    assert (job.status, job.created, job.duplicates, job.rows_done) == ("done", 5, 0, 5)
    assert job.enrollment_ids == [enrollment.pk]
    assert job.finished_at is not None
    assert not job.file
    assert not ImportJob.file.field.storage.exists(stored_file)
    assert Activity.objects.filter(recorded_by=hr, source="telephony").count() == 5


def test_all_or_nothing_checks_every_row_first(enrollment, hr):
    seen, after_chunk = progress_log()
    jobs.job_run(job=make_job(csv_text(5), user=hr), chunk_size=2, after_chunk=after_chunk)
    assert seen == [
        ("validating", 2, 0, 0),
        ("validating", 4, 0, 0),
        ("validating", 5, 0, 0),
        ("running", 5, 2, 2),
        ("running", 5, 4, 4),
        ("running", 5, 5, 5),
    ]
    assert Activity.objects.count() == 5


def test_all_or_nothing_writes_nothing_and_names_the_bad_lines(enrollment, hr):
    job = jobs.job_run(job=make_job(csv_text(6, bad_lines=(4, 6)), user=hr), chunk_size=2)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert [(e["line"], e["field"]) for e in job.errors] == [(4, "occurred_at"), (6, "occurred_at")]
    assert (job.invalid_rows, job.created, job.rows_done) == (2, 0, 0)
    assert "Nothing was saved" in job.message
    assert Activity.objects.count() == 0
    assert job.file  # kept for the retention period


def test_chunked_mode_keeps_the_good_rows(enrollment, hr):
    job = make_job(csv_text(6, bad_lines=(4,)), user=hr, all_or_nothing=False)
    job = jobs.job_run(job=job, chunk_size=2)
    job.refresh_from_db()
    assert (job.status, job.created, job.invalid_rows, job.rows_done) == ("done", 5, 1, 6)
    assert job.errors == [
        {"line": 4, "field": "occurred_at", "message": "“never” is not an ISO 8601 date and time."}
    ]
    assert Activity.objects.count() == 5


def test_duplicates_across_chunks_are_skipped(enrollment, hr):
    text = HEADER + "".join(
        f"anna@example.com,call,{when()},crm,same-{i % 2},,\n" for i in range(5)
    )
    job = jobs.job_run(job=make_job(text, user=hr, all_or_nothing=False), chunk_size=2)
    assert (job.created, job.duplicates) == (2, 3)
    again = jobs.job_run(job=make_job(text, user=hr), chunk_size=2)
    assert (again.created, again.duplicates) == (0, 5)
    assert Activity.objects.count() == 2


def test_cancel_stops_between_chunks_and_keeps_the_saved_rows(enrollment, hr):
    job = make_job(csv_text(6), user=hr, all_or_nothing=False)

    def cancel_after_first(job):
        jobs.job_cancel(job=job)

    job = jobs.job_run(job=job, chunk_size=2, after_chunk=cancel_after_first)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created) == ("cancelled", 2, 2)
    assert Activity.objects.count() == 2
    assert not jobs.job_cancel(job=job)  # already ended


def test_cancel_while_checking_saves_nothing(enrollment, hr):
    job = make_job(csv_text(6), user=hr)
    job = jobs.job_run(job=job, chunk_size=2, after_chunk=lambda j: jobs.job_cancel(job=j))
    assert (job.status, job.rows_checked, job.rows_done) == ("cancelled", 2, 0)
    assert Activity.objects.count() == 0


def test_a_queued_job_cancelled_never_starts(enrollment, hr):
    job = make_job(csv_text(3), user=hr)
    assert jobs.job_cancel(job=job)
    assert jobs.job_run(job=job).status == ImportJob.Status.CANCELLED
    assert Activity.objects.count() == 0


class WorkerLost(BaseException):
    """What a killed worker looks like from inside: the run stops where it is."""


def test_an_interrupted_job_resumes_without_writing_a_row_twice(enrollment, hr):
    # No external ids: a row written twice could not be told from a new one.
    job = make_job(csv_text(5, external_ids=False), user=hr, all_or_nothing=False)

    def die_after_first(job):
        raise WorkerLost

    with pytest.raises(WorkerLost):
        jobs.job_run(job=job, chunk_size=2, after_chunk=die_after_first)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("running", 2)
    job = jobs.job_run(job=job, chunk_size=2)
    assert (job.status, job.rows_done, job.created, job.duplicates) == ("done", 5, 5, 0)
    assert Activity.objects.count() == 5
    # A finished job is not run again.
    assert jobs.job_run(job=job, chunk_size=2).created == 5
    assert Activity.objects.count() == 5


def test_a_time_limit_hands_the_rest_to_a_new_task(
    enrollment, hr, django_capture_on_commit_callbacks
):
    job = make_job(csv_text(4, external_ids=False), user=hr, all_or_nothing=False)
    calls = []

    def soft_limit(job):
        if not calls:
            calls.append(job.rows_done)
            raise SoftTimeLimitExceeded

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job=job, chunk_size=2, after_chunk=soft_limit)
    job.refresh_from_db()
    # The eager task that was enqueued ran the rest.
    assert (job.status, job.rows_done, job.created) == ("done", 4, 4)
    assert Activity.objects.count() == 4


def test_two_runners_never_both_commit_a_chunk(enrollment, hr):
    """A redelivered task starts while the first runner is between chunks: the second one
    resumes and finishes; the first one's next chunk then finds the job moved and rolls back."""
    job = make_job(csv_text(4, external_ids=False), user=hr, all_or_nothing=False)
    second = []

    def second_runner(job):
        if not second:
            second.append(jobs.job_run(job=ImportJob.objects.get(pk=job.pk), chunk_size=2))

    first = jobs.job_run(job=job, chunk_size=2, after_chunk=second_runner)
    assert second[0].status == "done"
    assert (first.status, first.rows_done, first.created) == ("done", 4, 4)
    assert Activity.objects.count() == 4


def test_unknown_identities_are_listed(enrollment, hr):
    text = HEADER + (
        f"anna@example.com,call,{when()},crm,a,,\n"
        f"nobody@example.com,call,{when()},crm,b,,\n"
        f"NOBODY@example.com,call,{when()},crm,c,,\n"
        f"ghost@example.com,call,{when()},crm,d,,\n"
    )
    job = jobs.job_run(job=make_job(text, user=hr, all_or_nothing=False), chunk_size=2)
    assert job.unknown_identities == ["ghost@example.com", "nobody@example.com"]
    assert (job.unknown_count, job.invalid_rows, job.created) == (2, 3, 1)


def test_the_statements_are_recomputed_once_at_the_end(enrollment, hr, monkeypatch):
    make_mentorship(enrollment=enrollment, rule=make_rule(), started_on=localdate() - timedelta(5))
    calls = []
    monkeypatch.setattr(jobs, "statements_schedule_recompute", lambda **kw: calls.append(kw))
    jobs.job_run(job=make_job(csv_text(5), user=hr, all_or_nothing=False), chunk_size=2)
    assert calls == [{"enrollment_ids": [enrollment.pk], "batched": True}]


def test_the_follow_up_is_one_task_for_every_statement_without_a_countdown(
    hr, monkeypatch, django_capture_on_commit_callbacks
):
    from mentors import tasks

    enrollments = [
        make_enrollment(
            trainee=make_user(Role.TRAINEE, email=f"t{n}@example.com"),
            hire_date=localdate() - timedelta(days=60),
        )
        for n in range(3)
    ]
    rule = make_rule()
    mentorships = [
        make_mentorship(enrollment=e, rule=rule, started_on=localdate() - timedelta(5))
        for e in enrollments
    ]
    sent = []
    monkeypatch.setattr(tasks.statements_recompute, "delay", lambda ids: sent.append(ids))
    monkeypatch.setattr(
        tasks.statement_recompute, "apply_async", lambda **kw: pytest.fail("one task a statement")
    )
    text = HEADER + "".join(f"t{n}@example.com,call,{when()},crm,x{n},,\n" for n in range(3))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job=make_job(text, user=hr), chunk_size=1)
    assert (job.status, job.created) == ("done", 3)
    assert sent == [sorted(m.pk for m in mentorships)]


def test_after_a_job_its_statements_are_recomputed_and_unflagged(
    enrollment, hr, django_capture_on_commit_callbacks
):
    from mentors.models import BonusStatement

    mentorship = make_mentorship(
        enrollment=enrollment, rule=make_rule(), started_on=localdate() - timedelta(5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_run(job=make_job(csv_text(1), user=hr), chunk_size=2)
    before = BonusStatement.objects.get(mentorship=mentorship)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_run(job=make_job(csv_text(3), user=hr), chunk_size=2)  # 2 new calls
    assert (job.status, job.created, job.duplicates) == ("done", 2, 1)
    statement = BonusStatement.objects.get(mentorship=mentorship)
    assert not statement.needs_recompute
    assert statement.computed_at > before.computed_at
    assert statement.call_count == before.call_count + 2


def test_a_huge_line_fails_the_job_with_its_line_number(enrollment, hr):
    text = csv_text(2) + "anna@example.com,call," + "x" * 200_000 + ",crm,z,,\n"
    job = jobs.job_run(job=make_job(text, user=hr), chunk_size=2)
    assert job.status == ImportJob.Status.FAILED
    assert "Line 4 cannot be read as CSV" in job.message
    assert Activity.objects.count() == 0
    # Without all or nothing the chunks before the line are kept.
    job = jobs.job_run(job=make_job(text, user=hr, all_or_nothing=False), chunk_size=2)
    assert (job.status, job.created) == ("failed", 2)
    assert Activity.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # Not UTF-8 is read as Windows-1251 (a Russian Excel's): its header names no column.
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "The header row must be"),
        (b"name,age\nanna,3\n", "The header row must be"),
        (b"\n", "missing columns: trainee_email, kind, occurred_at"),
        (b"\xef\xbb\xbf", "The file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_form_error_and_no_job(client, hr, content, message):
    client.force_login(hr)
    upload = SimpleUploadedFile("x.csv", content, "text/csv")
    response = client.post("/activity/import/", {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_an_empty_upload_is_refused(client, hr):
    client.force_login(hr)
    response = client.post("/activity/import/", {"file": SimpleUploadedFile("x.csv", b"")})
    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_upload_redirects_to_the_job_page_which_shows_the_result(
    client, hr, enrollment, django_capture_on_commit_callbacks
):
    client.force_login(hr)
    upload = SimpleUploadedFile("calls.csv", csv_text(3, bad_lines=(3,)).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activity/import/", {"file": upload, "partial": "on"})
    job = ImportJob.objects.get()
    assert response.url == f"/activity/import/jobs/{job.pk}/"
    page = client.get(response.url).content.decode()
    assert "Imported 2 activities." in page
    assert "import_job.js" not in page  # finished: nothing to poll
    assert '<td class="num">3</td><td><code>occurred_at</code></td>' in page
    status = client.get(f"/activity/import/jobs/{job.pk}/status/").json()
    assert (status["status"], status["created"], status["invalid_rows"]) == ("done", 2, 1)
    assert (status["value"], status["max"], status["finished"]) == (3, 3, True)
    listing = client.get("/activity/import/jobs/").content.decode()
    assert f"/activity/import/jobs/{job.pk}/" in listing
    assert f"/activity/import/jobs/{job.pk}/" in client.get("/activity/import/").content.decode()


def test_a_running_job_page_polls_and_offers_cancel(client, hr, enrollment):
    client.force_login(hr)
    upload = SimpleUploadedFile("calls.csv", csv_text(3).encode(), "text/csv")
    response = client.post("/activity/import/", {"file": upload})  # queued: not committed yet
    page = client.get(response.url).content.decode()
    assert "mentors/import_job.js" in page
    assert 'data-finished="false"' in page
    assert "Cancel the import" in page
    job = ImportJob.objects.get()
    response = client.post(f"/activity/import/jobs/{job.pk}/cancel/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested
    assert client.get(f"/activity/import/jobs/{job.pk}/cancel/").status_code == 405


def test_the_job_page_in_russian(client, hr, enrollment, django_capture_on_commit_callbacks):
    client.force_login(hr)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    upload = SimpleUploadedFile("x.csv", csv_text(2, bad_lines=(2,)).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activity/import/", {"file": upload})
    page = client.get(response.url).content.decode()
    assert "«never» — не дата и время в формате ISO 8601." in page
    assert "is not an ISO 8601" not in page


def test_someone_elses_job_answers_404(client, hr, head_of_sales, mentor, trainee, enrollment):
    hrs = make_job(csv_text(1), user=hr)
    mentors_own = make_job(csv_text(1), user=mentor, kind=ImportJob.Kind.COMMAND)
    urls = ["/activity/import/jobs/{}/", "/activity/import/jobs/{}/status/"]
    for user in (trainee, mentor):
        client.force_login(user)
        for url in urls:
            assert client.get(url.format(hrs.pk)).status_code == 404
        assert client.post(f"/activity/import/jobs/{hrs.pk}/cancel/").status_code == 404
        assert client.get("/activity/import/").status_code == 403
    assert client.get(urls[0].format(mentors_own.pk)).status_code == 200
    assert f"/jobs/{hrs.pk}/" not in client.get("/activity/import/jobs/").content.decode()
    client.force_login(head_of_sales)
    for job in (hrs, mentors_own):
        assert client.get(urls[0].format(job.pk)).status_code == 200
    hrs.refresh_from_db()
    assert not hrs.cancel_requested


def test_files_of_old_failed_jobs_are_purged(enrollment, hr, time_machine):
    job = jobs.job_run(job=make_job(csv_text(2, bad_lines=(2,)), user=hr))
    assert job.file
    assert jobs.import_jobs_purge_files() == 0
    time_machine.move_to(
        job.finished_at + timedelta(days=settings.IMPORT_JOB_FILE_RETENTION_DAYS + 1)
    )
    assert jobs.import_jobs_purge_files() == 1
    job.refresh_from_db()
    assert not job.file
    assert jobs.job_run(job=job).status == ImportJob.Status.FAILED  # finished: left alone


def test_job_run_rows_imports_a_connectors_rows(enrollment, hr):
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.CONNECTOR, fmt="crm", started_by=None, all_or_nothing=True
    )
    rows = [
        (
            i,
            {
                "trainee": "anna@example.com",
                "kind": "call",
                "occurred_at": when(),
                "external_id": f"k{i}",
            },
        )
        for i in range(3)
    ]
    job = jobs.job_run_rows(job=job, rows=iter(rows), chunk_size=2)
    assert (job.status, job.created, job.rows_total) == ("done", 3, 3)
    assert set(Activity.objects.values_list("source", flat=True)) == {"crm"}


@pytest.mark.parametrize("chunks", [2, 4])
def test_each_chunk_costs_the_same_few_queries(
    enrollment, hr, chunks, django_assert_max_num_queries
):
    """The job's own cost per chunk: its progress UPDATE and the cancel check, next to the
    rows' writes (on SQLite: a savepoint, the ids that exist, the inserts)."""
    job = make_job(csv_text(100 * chunks), user=hr, all_or_nothing=False)
    with django_assert_max_num_queries(16 + 9 * chunks):
        job = jobs.job_run(job=job, chunk_size=100)
    assert (job.status, job.created) == ("done", 100 * chunks)


def test_the_estimate_gives_way_to_the_rows_read(enrollment, hr):
    text = csv_text(3).replace("\n", "\n\n", 2)  # blank lines are not rows
    job = make_job(text, user=hr, all_or_nothing=False)
    assert job.rows_total == 5
    job = jobs.job_run(job=job, chunk_size=2)
    assert (job.status, job.rows_done, job.rows_total, job.progress()) == ("done", 3, 3, (3, 3))


def test_an_unexpected_error_fails_the_job_and_never_the_page(
    client, hr, enrollment, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(self, rows, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs.RowImporter, "write", broken)
    client.force_login(hr)
    upload = SimpleUploadedFile("calls.csv", csv_text(2).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/activity/import/", {"file": upload, "partial": "on"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error" in job.message
    assert "disk full" not in job.message
    assert "unexpected error" in client.get(response.url).content.decode()


def test_a_job_whose_file_is_gone_fails_with_a_message(enrollment, hr):
    job = make_job(csv_text(2), user=hr)
    job.file.delete(save=True)
    job = jobs.job_run(job=job)
    assert (job.status, job.message) == ("failed", "The file is no longer kept.")
    assert Activity.objects.count() == 0


def test_the_list_of_imports_in_russian(client, hr, enrollment):
    make_job(csv_text(1), user=hr)
    client.force_login(hr)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "ru"})
    page = client.get("/activity/import/jobs/").content.decode()
    assert 'lang="ru"' in page
    # (The page's own new words are in ru-jobs.json until the catalogue takes them.)
    assert "Пропущено дубликатов" in page
    assert "Duplicates skipped" not in page


def test_a_large_upload_streamed_to_a_temporary_file_is_stored_and_estimated(client, hr):
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE Django writes the upload to a temporary file: the job
    reads its header from there and stores it whole."""
    rows = settings.FILE_UPLOAD_MAX_MEMORY_SIZE // 60 + 1000
    line = "anna@example.com,call,2026-03-02T10:15:00+03:00,telephony,\n"
    content = (HEADER + line * rows).encode()
    assert len(content) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    client.force_login(hr)
    response = client.post("/activity/import/", {"file": SimpleUploadedFile("big.csv", content)})
    assert response.status_code == 302  # queued: the test's transaction has not committed
    job = ImportJob.objects.get()
    assert (job.status, job.rows_total, job.file.size) == ("queued", rows, len(content))
