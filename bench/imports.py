"""Benchmarks 4 and 6: importing activities (CSV and API) against COPY, and its memory."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.common import PEAK_PROBE, report, report_memory_growth, sql, timed
from courses.models import Enrollment
from mentors import jobs
from mentors.importing import import_csv
from mentors.models import Activity, ImportJob

ROOT = Path(__file__).resolve().parents[1]


HEADER = ["trainee_email", "kind", "occurred_at", "source", "external_id", "amount", "note"]


def _csv_rows(n: int, emails: list[str], source: str = "bench"):
    zone = django.conf.settings.TIME_ZONE
    from zoneinfo import ZoneInfo

    now = timezone.now().astimezone(ZoneInfo(zone)).replace(microsecond=0)
    run = uuid.uuid4().hex[:8]
    for i in range(n):
        yield [
            emails[i % len(emails)],
            "call",
            (now - timezone.timedelta(minutes=1 + i % 20000)).isoformat(),
            source,
            f"{run}-{i}",
            "",
            "",
        ]


def _write_csv(rows) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
        return handle.name


class _RolledBack(Exception):
    pass


def copy_floor(path: str) -> None:
    """The floor: PostgreSQL's own COPY of the same rows into the activity table itself.

    COPY of the file into a bare staging table, then one INSERT … SELECT (e-mail → enrollment)
    into mentors_activity, with everything an import pays for there: its six indexes (the
    unique (source, external_id) one among them), the check constraints, the foreign keys
    (deferred until commit, so SET CONSTRAINTS ALL IMMEDIATE runs them here) and the
    statement-level summary trigger. The transaction is then rolled back, and VACUUM (not
    timed) clears the dead rows so the import measured next does not trip over them. An
    earlier floor copied into a temporary table LIKE mentors_activity INCLUDING DEFAULTS: no
    index, no constraint, no trigger, a floor the import could never reach.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_raw (email text, kind text, "
                "occurred_at timestamptz, source text, external_id text, "
                "amount text, note text) ON COMMIT DROP"
            )
            with (
                open(path) as source,
                cursor.cursor.copy(
                    "COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(
                "INSERT INTO mentors_activity (enrollment_id, kind, occurred_at, source, "
                "external_id, note, created_at) SELECT e.id, r.kind, r.occurred_at, r.source, "
                "r.external_id, '', now() FROM bench_raw r "
                "JOIN auth_user u ON u.email = r.email JOIN courses_enrollment e "
                "ON e.trainee_id = u.id AND e.status <> 'dropped'"
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            raise _RolledBack
    except _RolledBack:
        pass


def _measure_floor(path: str) -> float:
    floor, _ = timed(lambda: copy_floor(path), repeat=1)
    sql("VACUUM mentors_activity")
    return floor


def bench_import(args) -> None:
    enrollments = Enrollment.objects.open().filter(
        hire_date__lte=timezone.localdate() - timezone.timedelta(days=30)
    )
    emails = list(enrollments.values_list("trainee__email", flat=True)[:200])
    path = _write_csv(_csv_rows(args.csv_rows, emails))
    floor = _measure_floor(path)
    # Warm-up, not timed: a few other rows take the same path once (first queries, COPY).
    warm_up = io.StringIO()
    csv.writer(warm_up).writerows([HEADER, *_csv_rows(10, emails)])
    import_csv(io.BytesIO(warm_up.getvalue().encode()), enrollments=Enrollment.objects.open())
    before = Activity.objects.count()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        result = import_csv(handle, enrollments=Enrollment.objects.open(), recorded_by=None)
    value = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    created = Activity.objects.count() - before
    report("CSV import", value, floor, target=2.0, extra=f"{created:,} rows created")
    os.unlink(path)

    # The same rows through the REST API in 5,000-item batches, against the floor measured
    # again on the table as it is now (a million rows bigger at full scale).
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    robot, _ = get_user_model().objects.get_or_create(username="bench-integration")
    robot.user_permissions.add(Permission.objects.get(codename="add_activity"))
    token, _ = Token.objects.get_or_create(user=robot)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = _write_csv(_csv_rows(args.csv_rows, emails, source="bench-api"))
    floor = _measure_floor(path)
    # Warm-up, not timed: an empty batch takes the request's whole path once.
    warm_up = client.post("/api/v1/activities/", "[]", content_type="application/json")
    assert warm_up.status_code == 201, warm_up.content[:300]
    # Only the requests are timed: building and encoding the JSON is the client's work.
    value = 0.0
    created = 0
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        while rows := list(itertools.islice(reader, 5000)):
            body = json.dumps(
                [
                    {
                        "trainee": r[0],
                        "kind": r[1],
                        "occurred_at": r[2],
                        "source": r[3],
                        "external_id": r[4],
                    }
                    for r in rows
                ]
            )
            started = time.perf_counter()
            response = client.post("/api/v1/activities/", body, content_type="application/json")
            value += time.perf_counter() - started
            assert response.status_code == 201, response.content[:300]
            created += response.json()["created"]
    os.unlink(path)
    report(
        "API import, 5,000-item batches",
        value,
        floor,
        # The issue sets the 2x target for the CSV import only; this figure is reported.
        target=None,
        extra=f"{created:,} rows created; no target set",
    )
    bench_import_job(args.csv_rows, emails)


def bench_import_job(rows: int, emails: list[str]) -> None:
    """The upload's path since imports became background jobs (mentors/jobs.py): the file
    stored and checked (job_create), then every row checked and written in committed chunks
    (job_run, what the worker runs), all or nothing as the upload page's default. Without a
    broker the task runs at once when job_create commits, as the upload's does."""
    path = _write_csv(_csv_rows(rows, emails, source="bench-job"))
    floor = _measure_floor(path)
    started = time.perf_counter()
    with open(path, "rb") as handle:
        job = jobs.job_create(
            kind=ImportJob.Kind.COMMAND,
            fmt="csv",
            file=File(handle, name="bench.csv"),
            started_by=None,
        )
    job = jobs.job_run(job=job)
    value = time.perf_counter() - started
    assert job.status == ImportJob.Status.DONE, (job.status, job.message, job.errors[:3])
    os.unlink(path)
    report(
        "CSV import as a background job",
        value,
        floor,
        target=None,
        extra=f"{job.created:,} rows created in chunks of {settings.IMPORT_JOB_CHUNK_SIZE:,}",
    )


MEMORY_SCRIPT = (
    PEAK_PROBE
    + """
import csv, tempfile
from bench.imports import HEADER, _csv_rows
from courses.models import Enrollment
from mentors.importing import import_csv

emails = list(Enrollment.objects.open().values_list("trainee__email", flat=True)[:200])
with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as out:
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_csv_rows(int(sys.argv[1]), emails))
base = peak_reset()
with open(out.name, "rb") as data:
    import_csv(data, enrollments=Enrollment.objects.open(), all_or_nothing=False)
print(status("VmHWM") - base, base)
os.unlink(out.name)
"""
)


def bench_memory(args) -> None:
    """Peak memory of the CSV import at two file sizes, each in a fresh process.

    The peak is the process's VmHWM, reset just before the import: getrusage's ru_maxrss
    keeps the parent's size from before the fork and exec, so a parent that had held a large
    list (the API benchmark's rows) hid any growth."""
    figures = []
    for rows in (args.csv_rows // 10, args.csv_rows):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_SCRIPT, str(rows)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        figures.append((rows, int(out[0]) / 1024, int(out[1]) / 1024))
    report_memory_growth("CSV import peak memory growth", figures, "rows")
