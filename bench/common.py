"""What every benchmark shares: timing, the result table, raw SQL."""

from __future__ import annotations

import statistics
import time

from django.db import connection

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


# The start of the scripts run in fresh processes (cwd: the project): peak-memory probes, as
# getrusage's ru_maxrss keeps the parent's size across fork and exec, so the peak is read
# from /proc as VmHWM, reset first; then Django set up.
PEAK_PROBE = """
def status(name):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(name + ":"))

def peak_reset():
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak (VmHWM) to the current size
    return status("VmRSS")

import os, sys
sys.path.insert(0, ".")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
import django
django.setup()
"""


def report_memory_growth(name: str, figures: list[tuple[int, float, float]], what: str) -> None:
    """Report the peak growth at the larger of two sizes against the smaller one's (flat = 1x).

    ``figures``: [(size, growth MiB, base MiB)] for the small then the large run."""
    (small, grow_small, _), (large, grow_large, base) = figures
    report(
        name,
        grow_large,
        max(grow_small, 1.0),
        unit="MiB",
        target=2.0,
        extra=f"{small:,} {what}: +{grow_small:.0f} MiB; {large:,} {what}: "
        f"+{grow_large:.0f} MiB over {base:.0f} MiB at start",
    )
