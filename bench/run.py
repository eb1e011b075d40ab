"""Benchmarks of the hot paths, each against a floor measured in the same run.

    DATABASE_URL=postgres://... python bench/run.py            # full scale (make bench)
    DATABASE_URL=postgres://... python bench/run.py --quick    # small scale (CI)

The database named by DATABASE_URL is migrated, seeded with the demo company and, unless it
already holds them, given the synthetic load (generate_load). Every figure is printed with its
floor and the ratio; the small-scale run only checks that each benchmark runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("AXES_ENABLED", "0")
# Tasks are published as in production (to an in-memory broker nobody consumes), not run
# inline: the e-mails a finalization enqueues are a worker's job, not part of the figure.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import imports, load, loadgen  # noqa: E402
from bench.common import (  # noqa: E402
    PEAK_PROBE,
    RESULTS,
    interleaved,
    report,
    report_memory_growth,
    sql,
    timed,
)
from courses.models import Enrollment  # noqa: E402
from mentors import services  # noqa: E402
from mentors.models import Activity, BonusStatement, Mentorship  # noqa: E402
from rampup.figures import METRICS  # noqa: E402
from rampup.models import RampPlan  # noqa: E402
from rampup.table import DashboardQuery  # noqa: E402

# The floors read what the product reads: the summaries kept by triggers
# (mentors/activity_summary.py, rampup/month_summary.py), not the raw activity table
# (docs/performance.md, "Floors").
#
# The dashboard's: every figure of the page's summary computed by hand in one statement over
# the per-ramp-month summary (what the product reads): each enrollment's months shown and
# complete months (from its hire date, status and drop date), one row per month shown with its
# counts (the funnel sums them), each complete month's fulfilment
# against its program's plan (or the default plan), the cohorts' average fulfilment and
# achievement by month, the ramped month, "behind the curve", the funnel and the counts.
# PostgreSQL-only means the product cannot use (generate_series, LATERAL, JSON operators).
# Parameters (by name): today, the default plan's four full targets and its percentages.
DASHBOARD_FLOOR_SQL = """
WITH e0 AS (
    SELECT e.id, e.program_id, e.hire_date, e.status, e.dropped_on,
           CASE WHEN e.status = 'dropped' AND e.dropped_on < %(today)s THEN e.dropped_on
                ELSE %(today)s END AS upto
    FROM courses_enrollment e
), e1 AS (
    SELECT e0.*, date_part('year', hire_date)::int AS cy, date_part('month', hire_date)::int AS cm,
           (date_part('year', %(today)s::date) - date_part('year', hire_date))::int * 12
           + (date_part('month', %(today)s::date) - date_part('month', hire_date))::int
           - CASE WHEN date_part('day', %(today)s::date) < date_part('day', hire_date)
                   AND date_part('month', %(today)s::date + 1) = date_part('month', %(today)s::date)
                  THEN 1 ELSE 0 END + 1 AS today_k,
           CASE WHEN upto < hire_date THEN 0 ELSE
           (date_part('year', upto) - date_part('year', hire_date))::int * 12
           + (date_part('month', upto) - date_part('month', hire_date))::int
           - CASE WHEN date_part('day', upto) < date_part('day', hire_date)
                   AND date_part('month', upto + 1) = date_part('month', upto)
                  THEN 1 ELSE 0 END + 1 END AS shown
    FROM e0
), en AS (
    SELECT e1.*, CASE WHEN shown <= 0 THEN 0 WHEN shown < today_k THEN shown
                      ELSE shown - 1 END AS complete
    FROM e1
), plan AS (
    SELECT p.id AS program_id,
           COALESCE(r.target_call, %(call)s) AS t_call,
           COALESCE(r.target_meeting, %(meeting)s) AS t_meeting,
           COALESCE(r.target_application, %(application)s) AS t_application,
           COALESCE(r.target_contract, %(contract)s) AS t_contract,
           COALESCE(r.percentages, %(percentages)s::jsonb) AS pcts
    FROM courses_programpage pp JOIN wagtailcore_page p ON p.id = pp.page_ptr_id
    LEFT JOIN lms_rampplan r ON r.program_id = p.id
), mk AS (
    SELECT en.id, en.cy, en.cm, en.status, en.complete, k,
           COALESCE((plan.pcts ->> (k - 1))::numeric, 100) AS pct, plan.*,
           COALESCE(r."call", 0) AS a_call, COALESCE(r.meeting, 0) AS a_meeting,
           COALESCE(r.application, 0) AS a_application, COALESCE(r.contract, 0) AS a_contract
    FROM en JOIN plan ON plan.program_id = en.program_id
    CROSS JOIN LATERAL generate_series(1, en.shown) AS k
    LEFT JOIN rampup_rampmonth r ON r.enrollment_id = en.id AND r.month_index = k
), mf AS (
    SELECT id, cy, cm, status, complete, k, pct,
           CASE WHEN n = 0 THEN 1 ELSE ROUND(s / n + 0.000000001, 2) END AS f,
           (t_call = 0 OR a_call >= t_call) AND (t_meeting = 0 OR a_meeting >= t_meeting)
           AND (t_application = 0 OR a_application >= t_application)
           AND (t_contract = 0 OR a_contract >= t_contract) AS met
    FROM (
        SELECT mk.*,
               (t_call > 0)::int + (t_meeting > 0)::int + (t_application > 0)::int
               + (t_contract > 0)::int AS n,
               CASE WHEN t_call = 0 THEN 0 WHEN pct = 0 THEN 1
                    ELSE LEAST(a_call * 100.0 / (t_call * pct), 1) END
             + CASE WHEN t_meeting = 0 THEN 0 WHEN pct = 0 THEN 1
                    ELSE LEAST(a_meeting * 100.0 / (t_meeting * pct), 1) END
             + CASE WHEN t_application = 0 THEN 0 WHEN pct = 0 THEN 1
                    ELSE LEAST(a_application * 100.0 / (t_application * pct), 1) END
             + CASE WHEN t_contract = 0 THEN 0 WHEN pct = 0 THEN 1
                    ELSE LEAST(a_contract * 100.0 / (t_contract * pct), 1) END AS s
        FROM mk WHERE k <= complete
    ) ratios
), per AS (
    SELECT id, MIN(k) FILTER (WHERE met) AS ramped,
           bool_and(f < 0.80) FILTER (WHERE k >= complete - 1) AS last_two_behind,
           MAX(status) AS status, MAX(complete) AS complete
    FROM mf GROUP BY id
)
SELECT 'cohort', cy * 100 + cm, k, COUNT(*), AVG(f), AVG(f * pct / 100)
FROM mf GROUP BY 2, 3
UNION ALL
SELECT 'ramped', NULL::int, ramped, COUNT(*), NULL, NULL FROM per WHERE ramped IS NOT NULL
GROUP BY 3
UNION ALL
SELECT 'behind', NULL, NULL, COUNT(*), NULL, NULL FROM per
WHERE status <> 'dropped' AND ramped IS NULL AND complete >= 2 AND last_two_behind
UNION ALL
SELECT 'counts', NULL, NULL, COUNT(*), SUM((status = 'active')::int), MAX(complete) FROM en
UNION ALL
SELECT 'funnel', NULL, SUM(a_call)::int, SUM(a_meeting), SUM(a_application), SUM(a_contract)
FROM mk
"""

# The ramp API's: one trainee's month rows of the same summary.
RAMP_MONTHS_SQL = """
SELECT month_index, "call", meeting, application, contract FROM rampup_rampmonth
WHERE enrollment_id = %s
"""

# The bonuses': every mentorship's counts over its window, from the same summary.
WINDOW_COUNTS_SQL = """
SELECT m.id,
       SUM(d.count) FILTER (WHERE d.kind = 'call'),
       SUM(d.count) FILTER (WHERE d.kind = 'meeting'),
       SUM(d.count) FILTER (WHERE d.kind = 'application'),
       SUM(d.count) FILTER (WHERE d.kind = 'contract')
FROM mentors_mentorship m
JOIN mentors_bonusrule r ON r.id = m.bonus_rule_id
LEFT JOIN mentors_activityday d
  ON d.enrollment_id = m.enrollment_id
 AND d.kind IN ('call', 'meeting', 'application', 'contract')
 AND d.day >= m.started_on
 AND d.day < LEAST(m.started_on + r.period_days, COALESCE(m.ended_on, m.started_on + r.period_days))
GROUP BY m.id
"""

# The bonuses', second floor: the same counts under each rule's provenances (typed activity
# counted once confirmed where the rule asks), each window's best tier, and every statement
# written by one upsert, as a hand-written finalization would; no breakdown by provenance, no
# burst days, no notifications (the product keeps all three), so still less than its work.
WINDOW_WRITE_SQL = """
WITH counts AS (
    SELECT m.id AS mentorship_id, m.started_on AS first_day,
           LEAST(m.started_on + r.period_days,
                 COALESCE(m.ended_on, m.started_on + r.period_days)) AS end_day,
           r.id AS rule_id, r.currency,
           COALESCE(SUM(d.count) FILTER (WHERE d.kind = 'call' AND c.counted), 0) AS n_call,
           COALESCE(SUM(d.count) FILTER (WHERE d.kind = 'meeting' AND c.counted), 0) AS n_meeting,
           COALESCE(SUM(d.count) FILTER (WHERE d.kind = 'application' AND c.counted), 0)
               AS n_application,
           COALESCE(SUM(d.count) FILTER (WHERE d.kind = 'contract' AND c.counted), 0)
               AS n_contract
    FROM mentors_mentorship m
    JOIN mentors_bonusrule r ON r.id = m.bonus_rule_id
    LEFT JOIN mentors_activityday d
      ON d.enrollment_id = m.enrollment_id
     AND d.kind IN ('call', 'meeting', 'application', 'contract')
     AND d.day >= m.started_on
     AND d.day < LEAST(m.started_on + r.period_days,
                       COALESCE(m.ended_on, m.started_on + r.period_days))
    LEFT JOIN LATERAL (
        SELECT r.counted_provenances ? d.provenance
               AND (d.confirmed OR NOT r.confirmation_required ? d.provenance) AS counted
    ) c ON true
    WHERE NOT EXISTS (SELECT 1 FROM mentors_mentorship n WHERE n.carried_from_id = m.id)
    GROUP BY m.id, r.id
), best AS (
    SELECT DISTINCT ON (counts.mentorship_id) counts.*, t.name AS tier_name, t.amount AS tier_amount
    FROM counts
    LEFT JOIN mentors_bonustier t
      ON t.rule_id = counts.rule_id AND counts.n_call >= t.min_call
     AND counts.n_meeting >= t.min_meeting AND counts.n_application >= t.min_application
     AND counts.n_contract >= t.min_contract
    ORDER BY counts.mentorship_id, t.amount DESC NULLS LAST, t.sort_order
)
INSERT INTO mentors_bonusstatement (
    mentorship_id, period_start, period_end, call_count, meeting_count, application_count,
    contract_count, tier_name, amount, currency, status, computed_at, needs_review,
    recomputed_counts, recomputed_tier_name, approval_note, burst_days, needs_recompute,
    provenance_counts)
SELECT mentorship_id, first_day, end_day, n_call, n_meeting, n_application, n_contract,
       COALESCE(tier_name, ''), COALESCE(tier_amount, 0), currency,
       CASE WHEN end_day <= %s THEN 'final' ELSE 'provisional' END, now(), false,
       '{}', '', '', '[]', false, '[]'
FROM best
ON CONFLICT (mentorship_id) DO UPDATE SET
    call_count = EXCLUDED.call_count, meeting_count = EXCLUDED.meeting_count,
    application_count = EXCLUDED.application_count, contract_count = EXCLUDED.contract_count,
    tier_name = EXCLUDED.tier_name, amount = EXCLUDED.amount, status = EXCLUDED.status,
    computed_at = EXCLUDED.computed_at
WHERE mentors_bonusstatement.status NOT IN ('approved', 'paid')
"""


# The two scales of docs/performance.md (--scale), over 12 months and several offices.
SCALES = {
    "1k": {"trainees": 1_000, "activities": 1_000_000, "attempts": 10_000, "csv_rows": 1_000_000},
    "10k": {
        "trainees": 10_000,
        "activities": 10_000_000,
        "attempts": 100_000,
        "csv_rows": 1_000_000,
    },
}
MONTHS = 12
OFFICES = 4


def prepare(args) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--quiet", verbosity=0)
    User = get_user_model()
    if User.objects.filter(username__startswith="load-").exists():
        print("load data already present", flush=True)
        return
    started = time.perf_counter()
    loadgen.generate(
        loadgen.Options(
            trainees=args.trainees,
            activities=args.activities,
            attempts=args.attempts,
            months=MONTHS,
            offices=OFFICES,
        ),
        log=lambda message: print(f"  {message}", flush=True),
    )
    print(f"generate_load: {time.perf_counter() - started:.1f} s", flush=True)
    call_command("compute_bonuses", verbosity=0)
    # Statistics for the new rows (the floors' plans depend on them) and the visibility map
    # that index-only scans read: what autovacuum leaves on a database in use.
    sql("VACUUM ANALYZE")


def dashboard_floor_params(today) -> dict:
    default = RampPlan()
    return {
        "today": today,
        **{metric: default.full_targets.get(metric, 0) for metric in METRICS},
        "percentages": json.dumps(default.percentages),
    }


def bench_dashboard(args) -> None:
    director = get_user_model().objects.get(username="director")
    client = Client()
    client.force_login(director)
    today = timezone.localdate()
    params = dashboard_floor_params(today)
    n = Enrollment.objects.count()
    query = DashboardQuery(Enrollment.objects.all(), today=today)
    # The page computed afresh (?refresh=1: what the first request after the cache's time to
    # live pays), the figures' statement alone, and the floor, interleaved round by round so
    # that the shared machine's load falls on all three alike.
    timings, response = interleaved(
        {
            "floor": lambda: sql(DASHBOARD_FLOOR_SQL, params),
            "figures": lambda: query.summary(list_limit=20),
            "cold": lambda: client.get("/ramp-up/?refresh=1"),
        },
        repeat=5,
    )
    assert response["cold"].status_code == 200, response["cold"].status_code
    written, figures, cold = timings["floor"], timings["figures"], timings["cold"]
    # The floor is the best of the two ways of computing the figures in one statement: the
    # hand-written one and the product's own, when that is faster (a hand-written
    # implementation could copy it), so the page is never measured against a slow floor.
    floor = min(written, figures, key=lambda t: t.median)
    report(
        "dashboard: figures in SQL (one statement)",
        figures,
        written,
        extra=f"{n} enrollments; floor: the hand-written statement (below 1x: the product's "
        "own statement is the floor of the rows below)",
    )
    with CaptureQueriesContext(connection) as cold_queries:  # counted, not timed
        assert client.get("/ramp-up/?refresh=1").status_code == 200
    # A sort not asked for yet in each round: its page is read afresh, the figures are not.
    sorts = iter(["-fulfilment", "ramped", "-quiz", "stage", "-mentor"])
    with CaptureQueriesContext(connection) as page_queries:
        other, response = timed(lambda: client.get(f"/ramp-up/?sort={next(sorts)}&page=2"))
    assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as warm_queries:
        warm, response = timed(lambda: client.get("/ramp-up/"), repeat=5)
    assert response.status_code == 200, response.status_code
    report(
        "dashboard: page computed afresh",
        cold,
        floor,
        target=1.5,
        extra=f"absolute target < 0.500 s: {'met' if cold.median < 0.5 else 'MISSED'}; "
        f"{len(cold_queries)} queries per request",
    )
    report(
        "dashboard: another sort and page",
        other,
        floor,
        extra=f"{len(page_queries) // 3} queries per request (page 2 of a new sort)",
    )
    report(
        "dashboard: page from the cache",
        warm,
        floor,
        extra=f"{len(warm_queries) // 5} queries per request, {len(response.content) // 1024} KiB",
    )


def bench_ramp_api(args) -> None:
    director = get_user_model().objects.get(username="director")
    client = Client()
    client.force_login(director)
    enrollment = Enrollment.objects.order_by("hire_date").first()
    timings, response = interleaved(
        {
            "floor": lambda: sql(RAMP_MONTHS_SQL, [enrollment.pk]),
            "api": lambda: client.get(f"/api/v1/enrollments/{enrollment.pk}/ramp/"),
        },
        repeat=7,
    )
    assert response["api"].status_code == 200
    report(
        "ramp API, one trainee",
        timings["api"],
        timings["floor"],
        target=None,
        extra="floor: the trainee's month rows in one query",
    )


def bench_bonuses(args) -> None:
    """Finalizing every statement from scratch: the daily job on the day all windows close."""
    # Approved and paid statements are history (and the demo's); all others are recomputed.
    recomputed = BonusStatement.objects.exclude(status__in=BonusStatement.FROZEN_STATUSES)
    frozen = BonusStatement.objects.filter(status__in=BonusStatement.FROZEN_STATUSES).count()
    n = Mentorship.objects.filter(bonus_rule__isnull=False).count() - frozen
    counted, _ = timed(lambda: sql(WINDOW_COUNTS_SQL))

    def write_floor():
        # The hand-written finalization, with its commit as the product's.
        with transaction.atomic():
            sql(WINDOW_WRITE_SQL, [timezone.localdate()])  # the window's end in local time

    queries = []

    def product():
        with CaptureQueriesContext(connection) as captured:
            done = services.statements_finalize_due()
        queries.append(len(captured))
        return done

    # Each round starts from no statement but the frozen ones (not timed); the floor's and the
    # product's rounds take turns, so each writes what the other deleted.
    timings, results = interleaved(
        {"floor": write_floor, "product": product},
        repeat=5,
        setup={"floor": recomputed.delete, "product": recomputed.delete},
    )
    value, write, done = timings["product"], timings["floor"], results["product"]
    assert done == n
    assert BonusStatement.objects.filter(status="final").count() <= n
    report(
        "bonus statements, all mentorships",
        value,
        write,
        target=1.5,
        extra=f"{n} mentorships, {max(queries)} queries (one computation, one transaction); "
        "floor: counted, tiered and written by hand, without the breakdown by provenance, "
        "burst days and notifications",
    )
    report(
        "bonus statements against their counts alone",
        value,
        counted,
        target=None,
        extra="floor: every window's counts read by hand, nothing written",
    )


GENERATOR_SCRIPT = (
    PEAK_PROBE
    + """
from bench.loadgen import Options, generate
base = peak_reset()
generate(Options(trainees=int(sys.argv[1]), activities=int(sys.argv[2]),
                 attempts=int(sys.argv[3]), months=8))
print(status("VmHWM") - base, base)
"""
)


def bench_generator_memory(args) -> None:
    """Peak memory of generate_load at two sizes (10x apart), each in a fresh process; the
    rows it adds are deleted afterwards so that the data set stays the same."""
    User = get_user_model()
    before = User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    small = max(args.activities // 50, 1000)
    figures = []
    try:
        for activities in (small, small * 10):
            trainees = max(activities // 1000, 5)
            out = subprocess.run(
                [sys.executable, "-c", GENERATOR_SCRIPT, str(trainees), str(activities), "50"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            figures.append((activities, int(out[-2]) / 1024, int(out[-1]) / 1024))
    finally:
        Enrollment.objects.filter(trainee_id__gt=before).delete()
        User.objects.filter(pk__gt=before).delete()
    report_memory_growth("generate_load peak memory growth", figures, "activities")


def forget_imported() -> None:
    """Delete what the import benchmarks created (sources "bench", "bench-api", "bench-job"),
    so that every run measures the same data set; VACUUM FULL, not timed, compacts the table
    again."""
    started = time.perf_counter()
    deleted, _ = Activity.objects.filter(source__in=["bench", "bench-api", "bench-job"]).delete()
    sql("VACUUM FULL ANALYZE mentors_activity")  # compact: floors scan the whole table
    sql("VACUUM ANALYZE mentors_activityday")
    print(f"imported rows deleted: {deleted:,} in {time.perf_counter() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale, for CI")
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default=None,
        help="1k: 1,000 trainees, 1M activities; 10k: 10,000 trainees, 10M activities",
    )
    # Unset: the scale's (1k by default).
    parser.add_argument("--trainees", type=int, default=None)
    parser.add_argument("--activities", type=int, default=None)
    parser.add_argument("--attempts", type=int, default=None)
    parser.add_argument("--csv-rows", type=int, default=None)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument(
        "--load-seconds",
        type=int,
        default=None,
        help="load test: s per scenario (60; 5 if --quick)",
    )
    parser.add_argument("--load-users", type=int, default=None, help="load test: Locust users (4)")
    parser.add_argument(
        "--load-dashboard-users",
        type=int,
        default=None,
        help="load test: users on the dashboard (2)",
    )
    parser.add_argument(
        "--load-timeout", type=float, default=None, help="load test: request timeout in s (60)"
    )
    parser.add_argument(
        "--load-rounds",
        type=int,
        default=None,
        help="load test: rounds of every scenario, interleaved (3; 1 if --quick)",
    )
    parser.add_argument(
        "--load-write-pace",
        type=float,
        default=None,
        help="load test: s per round of each writer beside the pages (10)",
    )
    args = parser.parse_args()
    for name, value in SCALES[args.scale or "1k"].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
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
        "import": imports.bench_import,
        "job": imports.bench_job,
        "memory": imports.bench_memory,
        "generator": bench_generator_memory,
        "load": load.bench_load,
    }
    if args.only is not None and "import" in args.only and "job" not in args.only:
        args.only.append("job")  # the import benchmarks include the upload as a job
    for name, fn in benches.items():
        if args.only is None or name in args.only:
            fn(args)
    if args.only is None or {"import", "job", "memory"} & set(args.only):
        forget_imported()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak memory: {peak:.0f} MiB")
    if args.json:
        args.json.write_text(json.dumps(RESULTS, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
