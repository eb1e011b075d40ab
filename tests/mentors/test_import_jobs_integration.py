"""PostgreSQL (+ Redis and a real Celery worker): a background import commits chunk by chunk,
so a trainee logging a call for the same day waits at most for the chunk being written (its
summary rows are the trainee's too), never for the whole import; and the upload's job runs in
a worker process.

The lock that used to make the trainee wait: an import flags the trainee's bonus statement
``needs_recompute`` in its transaction, and logging a call flags the same row. In one
transaction the row stays locked until the whole file is in; a job flags it once, at the end,
in a transaction of its own."""

import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from courses.models import Enrollment
from mentors import importing, jobs, services
from mentors.models import Activity, ImportJob
from people.roles import Role
from tests.conftest import make_user
from tests.integration import celery_worker, run_by_worker, wait_until

from .factories import make_enrollment, make_mentorship, make_rule

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROWS = 3000
CHUNK = 500
WAIT = 30  # seconds a thread waits for the other before the test gives up


def _trainee_with_statement():
    today = timezone.localdate()
    trainee = make_user(Role.TRAINEE, email="anna@example.com")
    enrollment = make_enrollment(trainee=trainee, hire_date=today - timedelta(days=10))
    mentorship = make_mentorship(
        enrollment=enrollment, rule=make_rule(), started_on=today - timedelta(days=7)
    )
    assert services.statement_compute(mentorship_id=mentorship.pk) is not None
    return enrollment


def _file(at) -> bytes:
    return (
        "trainee_email,kind,occurred_at,source,external_id\n"
        + "".join(f"anna@example.com,call,{at.isoformat()},telephony,t-{i}\n" for i in range(ROWS))
    ).encode()


def _log_a_call(enrollment, at, *, lock_timeout: int = 2):
    """The trainee logs a call for the same day, refusing to wait more than ``lock_timeout``
    seconds for a lock (PostgreSQL's lock_timeout raises instead of waiting)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{int(lock_timeout)}s'")
        return services.activity_record(
            enrollment=enrollment, kind="call", occurred_at=at, recorded_by=enrollment.trainee
        )


def _paused_inside(target, name, paused, resume):
    """Wrap ``target.name`` so that the first call pauses, inside the transaction that called
    it, until the test says go on."""
    original = getattr(target, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if not paused.is_set():
            paused.set()
            assert resume.wait(WAIT)
        return result

    return wrapper


def _in_thread(run, errors):
    def target():
        try:
            run()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_a_trainee_logs_a_call_while_a_large_import_for_them_runs(settings, tmp_path, monkeypatch):
    """The call waits for the chunk being written (its day and month summary rows are the
    trainee's too), never for the rest of the import: it is in while the job is still held
    before its third chunk."""
    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = tmp_path
    enrollment = _trainee_with_statement()
    hr = make_user(Role.HR)
    at = timezone.now() - timedelta(minutes=30)
    monkeypatch.setattr(jobs, "job_enqueue", lambda *, job_id: None)  # run below, in a thread
    job = jobs.job_create(
        kind=ImportJob.Kind.UPLOAD,
        fmt="csv",
        file=ContentFile(_file(at), name="calls.csv"),
        started_by=hr,
        all_or_nothing=False,
    )
    errors = []
    in_chunk, go_on = threading.Event(), threading.Event()  # inside chunk 2, not committed
    between, finish = threading.Event(), threading.Event()  # chunk 2 committed, 3 not begun
    record = jobs._record
    calls = []

    def record_then_pause(*args, **kwargs):
        record(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            in_chunk.set()
            assert go_on.wait(WAIT)

    def after_chunk(job):  # after each committed chunk, before the next begins
        if job.rows_done == 2 * CHUNK:
            between.set()
            assert finish.wait(WAIT)

    monkeypatch.setattr(jobs, "_record", record_then_pause)
    thread = _in_thread(
        lambda: jobs.job_run(job=job, chunk_size=CHUNK, after_chunk=after_chunk), errors
    )
    logged, call_errors = [], []
    try:
        assert in_chunk.wait(WAIT), errors
        assert ImportJob.objects.get(pk=job.pk).rows_done == CHUNK  # one chunk committed
        caller = _in_thread(
            lambda: logged.append(_log_a_call(enrollment, at, lock_timeout=WAIT)), call_errors
        )
        # The call waits for a lock held by the chunk's transaction...
        wait_until(lambda: _waiting_for_a_lock() or not caller.is_alive())
        assert logged == []
        assert call_errors == []
        go_on.set()
        # ... and is in once that chunk commits, the import held before its next chunk.
        caller.join(WAIT)
        assert call_errors == []
        assert len(logged) == 1
        assert between.wait(WAIT)
        assert thread.is_alive()
        assert ImportJob.objects.get(pk=job.pk).rows_done == 2 * CHUNK
    finally:
        go_on.set()
        finish.set()
        thread.join(WAIT)
    assert errors == []
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done) == ("done", ROWS, ROWS)
    assert Activity.objects.filter(enrollment=enrollment).count() == ROWS + 1
    assert Activity.objects.get(pk=logged[0].pk).provenance == "trainee"


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_in_one_transaction_the_same_call_would_wait_for_the_whole_import(monkeypatch):
    """The control: the synchronous import (still the API's batch) holds the lock until the
    end, so the same call cannot be logged while it runs. Shows what the job's test rules out."""
    assert connection.vendor == "postgresql"
    enrollment = _trainee_with_statement()
    hr = make_user(Role.HR)
    at = timezone.now() - timedelta(minutes=30)
    paused, resume, errors = threading.Event(), threading.Event(), []
    monkeypatch.setattr(
        importing,
        "_schedule_recompute",
        _paused_inside(importing, "_schedule_recompute", paused, resume),
    )

    def run():
        importing.import_csv(
            ContentFile(_file(at)), enrollments=Enrollment.objects.all(), recorded_by=hr
        )

    thread = _in_thread(run, errors)
    try:
        assert paused.wait(WAIT), errors
        with pytest.raises(OperationalError, match="lock timeout"):
            _log_a_call(enrollment, at)
    finally:
        resume.set()
        thread.join(WAIT)
    assert errors == []
    assert Activity.objects.filter(enrollment=enrollment).count() == ROWS


def test_an_uploaded_file_is_imported_by_the_worker(client):
    assert connection.vendor == "postgresql"
    enrollment = _trainee_with_statement()
    hr = make_user(Role.HR)
    client.force_login(hr)
    at = timezone.now() - timedelta(minutes=30)
    with celery_worker() as worker:
        upload = ContentFile(_file(at), name="calls.csv")
        response = client.post("/activity/import/", {"file": upload})
        job = ImportJob.objects.get()
        assert response.url == f"/activity/import/jobs/{job.pk}/"
        wait_until(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120)
        run_by_worker("mentors.tasks.import_job_run", worker)
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_done) == ("done", ROWS, ROWS)
    assert not job.file  # deleted once done
    assert Activity.objects.filter(enrollment=enrollment, source="telephony").count() == ROWS
    status = client.get(f"/activity/import/jobs/{job.pk}/status/").json()
    assert (status["status"], status["value"], status["max"]) == ("done", ROWS, ROWS)
