"""Benchmarks of the hot paths, each against a floor measured in the same run.

    DATABASE_URL=postgres://... python bench/run.py            # full scale (make bench)
    DATABASE_URL=postgres://... python bench/run.py --quick    # small scale (CI)

The database named by DATABASE_URL is migrated, seeded with the demo company and, unless it
already holds them, given the synthetic load (generate_load). Every figure is printed with its
floor and the ratio; the small-scale run only checks that each benchmark runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

RESULTS: list[dict] = []


def timed(fn, *, repeat: int = 3) -> tuple[float, object]:
    """Median wall time in seconds over ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def report(
    name: str,
    value: float,
    floor: float,
    *,
    unit: str = "s",
    target: float | None = None,
    extra: str = "",
) -> None:
    ratio = value / floor if floor else float("inf")
    row = {
        "benchmark": name,
        "value": value,
        "floor": floor,
        "ratio": ratio,
        "unit": unit,
        "target_ratio": target,
        "extra": extra,
    }
    RESULTS.append(row)
    verdict = ""
    if target is not None:
        verdict = "  OK" if ratio <= target else f"  MISSED (target <= {target}x)"
    print(
        f"{name:<46} {value:>10.3f} {unit}  floor {floor:>9.3f} {unit}  "
        f"ratio {ratio:>6.2f}x{verdict}  {extra}",
        flush=True,
    )


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


# The floors: one hand-written query computing the same monthly counts as the product.
MONTHLY_COUNTS_SQL = """
SELECT a.enrollment_id,
       ((EXTRACT(YEAR FROM l.d) - EXTRACT(YEAR FROM e.hire_date)) * 12
        + EXTRACT(MONTH FROM l.d) - EXTRACT(MONTH FROM e.hire_date)
        - CASE WHEN EXTRACT(DAY FROM l.d) < EXTRACT(DAY FROM e.hire_date)
                    AND EXTRACT(MONTH FROM l.d + 1) = EXTRACT(MONTH FROM l.d) THEN 1 ELSE 0 END
        + 1) AS month_index,
       COUNT(*) FILTER (WHERE a.kind = 'call'),
       COUNT(*) FILTER (WHERE a.kind = 'meeting'),
       COUNT(*) FILTER (WHERE a.kind = 'application'),
       COUNT(*) FILTER (WHERE a.kind = 'contract')
FROM mentors_activity a
JOIN courses_enrollment e ON e.id = a.enrollment_id
CROSS JOIN LATERAL (SELECT (a.occurred_at AT TIME ZONE %s)::date AS d) l
WHERE a.kind IN ('call', 'meeting', 'application', 'contract') {where}
GROUP BY 1, 2
"""

WINDOW_COUNTS_SQL = """
SELECT m.id,
       COUNT(a.id) FILTER (WHERE a.kind = 'call'),
       COUNT(a.id) FILTER (WHERE a.kind = 'meeting'),
       COUNT(a.id) FILTER (WHERE a.kind = 'application'),
       COUNT(a.id) FILTER (WHERE a.kind = 'contract')
FROM mentors_mentorship m
JOIN mentors_bonusrule r ON r.id = m.bonus_rule_id
LEFT JOIN mentors_activity a
  ON a.enrollment_id = m.enrollment_id
 AND a.kind IN ('call', 'meeting', 'application', 'contract')
 AND a.occurred_at >= (m.started_on::timestamp AT TIME ZONE %s)
 AND a.occurred_at < (LEAST(m.started_on + r.period_days, COALESCE(m.ended_on, m.started_on
                                                                   + r.period_days))::timestamp
                      AT TIME ZONE %s)
GROUP BY m.id
"""


def prepare(args) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet", verbosity=0)
    User = get_user_model()
    if User.objects.filter(username__startswith="load-").exists():
        print("load data already present", flush=True)
        return
    started = time.perf_counter()
    call_command(
        "generate_load",
        trainees=args.trainees,
        activities=args.activities,
        attempts=args.attempts,
        months=8,
    )
    print(f"generate_load: {time.perf_counter() - started:.1f} s", flush=True)
    call_command("compute_bonuses", verbosity=0)


def bench_dashboard(args) -> None:
    from lms.dashboard import dashboard

    director = get_user_model().objects.get(username="director")
    client = Client()
    client.force_login(director)
    tz = django.conf.settings.TIME_ZONE
    floor, _ = timed(lambda: sql(MONTHLY_COUNTS_SQL.format(where=""), [tz]))
    build, data = timed(lambda: dashboard(director, filters={}, today=timezone.localdate()))
    with CaptureQueriesContext(connection) as queries:
        page, response = timed(lambda: client.get("/ramp-up/"), repeat=3)
    assert response.status_code == 200, response.status_code
    n = len(data.rows)
    report("dashboard: data (selectors)", build, floor, target=2.0, extra=f"{n} enrollments")
    report(
        "dashboard: whole page incl. chart",
        page,
        floor,
        extra=f"{len(queries) // 3} queries per request",
    )


def bench_ramp_api(args) -> None:
    from courses.models import Enrollment

    director = get_user_model().objects.get(username="director")
    client = Client()
    client.force_login(director)
    enrollment = Enrollment.objects.order_by("hire_date").first()
    tz = django.conf.settings.TIME_ZONE
    where = "AND a.enrollment_id = %s"
    floor, _ = timed(
        lambda: sql(MONTHLY_COUNTS_SQL.format(where=where), [tz, enrollment.pk]), repeat=7
    )
    value, response = timed(
        lambda: client.get(f"/api/v1/enrollments/{enrollment.pk}/ramp/"), repeat=7
    )
    assert response.status_code == 200
    report(
        "ramp API, one trainee",
        value,
        floor,
        target=None,
        extra="floor: the same counts in one query",
    )


def bench_bonuses(args) -> None:
    from mentors import services
    from mentors.models import Mentorship

    tz = django.conf.settings.TIME_ZONE
    ids = list(Mentorship.objects.filter(bonus_rule__isnull=False).values_list("pk", flat=True))
    floor, _ = timed(lambda: sql(WINDOW_COUNTS_SQL, [tz, tz]))

    def finalize_all():
        for pk in ids:
            services.statement_compute(mentorship_id=pk)

    with CaptureQueriesContext(connection) as queries:
        value, _ = timed(finalize_all, repeat=1)
    report(
        "bonus statements, all mentorships",
        value,
        floor,
        target=2.0,
        extra=f"{len(ids)} mentorships, {len(queries)} queries",
    )


def _csv_rows(n: int, emails: list[str]):
    zone = django.conf.settings.TIME_ZONE
    from zoneinfo import ZoneInfo

    now = timezone.now().astimezone(ZoneInfo(zone)).replace(microsecond=0)
    run = uuid.uuid4().hex[:8]
    for i in range(n):
        yield [
            emails[i % len(emails)],
            "call",
            (now - timezone.timedelta(minutes=1 + i % 20000)).isoformat(),
            "bench",
            f"{run}-{i}",
            "",
            "",
        ]


def bench_import(args) -> None:
    from courses.models import Enrollment
    from mentors.importing import import_csv
    from mentors.models import Activity

    enrollments = Enrollment.objects.open().filter(
        hire_date__lte=timezone.localdate() - timezone.timedelta(days=30)
    )
    emails = list(enrollments.values_list("trainee__email", flat=True)[:200])
    header = ["trainee_email", "kind", "occurred_at", "source", "external_id", "amount", "note"]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(_csv_rows(args.csv_rows, emails))
        path = handle.name

    # Floor: PostgreSQL's own COPY of the same rows into a table of the same shape.
    def copy_floor():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (LIKE mentors_activity "
                "INCLUDING DEFAULTS) ON COMMIT DROP"
            )
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
                "INSERT INTO bench_copy (id, enrollment_id, kind, occurred_at, source, "
                "external_id, note, created_at) SELECT nextval('bench_seq'), e.id, r.kind, "
                "r.occurred_at, r.source, r.external_id, '', now() FROM bench_raw r "
                "JOIN auth_user u ON u.email = r.email JOIN courses_enrollment e "
                "ON e.trainee_id = u.id AND e.status <> 'dropped'"
            )

    sql("CREATE SEQUENCE IF NOT EXISTS bench_seq")
    floor, _ = timed(copy_floor, repeat=1)
    before = Activity.objects.count()
    started = time.perf_counter()
    with open(path, "rb") as handle:
        result = import_csv(handle, enrollments=Enrollment.objects.open(), recorded_by=None)
    value = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    created = Activity.objects.count() - before
    report("CSV import", value, floor, target=2.0, extra=f"{created:,} rows created")

    # The same rows through the REST API in 5,000-item batches.
    from django.contrib.auth.models import Permission
    from rest_framework.authtoken.models import Token

    robot, _ = get_user_model().objects.get_or_create(username="bench-integration")
    robot.user_permissions.add(Permission.objects.get(codename="add_activity"))
    token, _ = Token.objects.get_or_create(user=robot)
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    rows = list(_csv_rows(args.csv_rows, emails))
    started = time.perf_counter()
    created = 0
    for i in range(0, len(rows), 5000):
        batch = [
            {
                "trainee": r[0],
                "kind": r[1],
                "occurred_at": r[2],
                "source": "bench-api",
                "external_id": r[4],
            }
            for r in rows[i : i + 5000]
        ]
        response = client.post(
            "/api/v1/activities/", json.dumps(batch), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:300]
        created += response.json()["created"]
    value = time.perf_counter() - started
    report(
        "API import, 5,000-item batches",
        value,
        floor,
        target=2.0,
        extra=f"{created:,} rows created",
    )
    os.unlink(path)


def bench_memory(args) -> None:
    """Peak memory of the CSV import at two file sizes, each in a fresh process."""
    script = (
        "import os,sys,resource,csv,tempfile;sys.path.insert(0,'.');"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','lms.settings.dev');"
        "import django;django.setup();"
        "from bench.run import _csv_rows;from courses.models import Enrollment;"
        "from mentors.importing import import_csv;"
        "emails=list(Enrollment.objects.open().values_list('trainee__email',flat=True)[:200]);"
        "f=tempfile.NamedTemporaryFile('w',suffix='.csv',delete=False,newline='');w=csv.writer(f);"
        "w.writerow(['trainee_email','kind','occurred_at','source','external_id','amount','note']);"
        "[w.writerow(r) for r in _csv_rows(int(sys.argv[1]),emails)];f.close();"
        "base=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "r=import_csv(open(f.name,'rb'),enrollments=Enrollment.objects.open(),all_or_nothing=False);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss-base, base)"
    )
    figures = []
    for rows in (args.csv_rows // 10, args.csv_rows):
        out = subprocess.run(
            [sys.executable, "-c", script, str(rows)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        figures.append((rows, int(out[0]) / 1024, int(out[1]) / 1024))
    (small, grow_small, _), (large, grow_large, base) = figures
    report(
        "CSV import peak memory growth",
        grow_large,
        max(grow_small, 1.0),
        unit="MiB",
        target=2.0,
        extra=f"{small:,} rows: +{grow_small:.0f} MiB; {large:,} rows: "
        f"+{grow_large:.0f} MiB over {base:.0f} MiB at start",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale, for CI")
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    args = parser.parse_args()
    if args.quick:
        args.trainees, args.activities, args.attempts, args.csv_rows = 50, 20_000, 200, 5_000
    if connection.vendor != "postgresql":
        print("bench/run.py needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    print(
        f"database: {connection.settings_dict['NAME']}; scale: {args.trainees} trainees, "
        f"{args.activities:,} activities, {args.attempts:,} attempts, "
        f"{args.csv_rows:,} CSV rows",
        flush=True,
    )
    prepare(args)
    benches = {
        "dashboard": bench_dashboard,
        "ramp": bench_ramp_api,
        "bonuses": bench_bonuses,
        "import": bench_import,
        "memory": bench_memory,
    }
    for name, fn in benches.items():
        if args.only is None or name in args.only:
            fn(args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak memory: {peak:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(RESULTS, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
