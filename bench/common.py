"""What every benchmark shares: timing, the result table, raw SQL."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from django.db import connection

RESULTS: list[dict] = []


@dataclass(frozen=True)
class Timing:
    """The median of several rounds, with the fastest and the slowest."""

    median: float
    low: float
    high: float
    rounds: int

    @classmethod
    def of(cls, times: list[float]) -> Timing:
        return cls(statistics.median(times), min(times), max(times), len(times))

    def __str__(self) -> str:
        return f"{self.median:.3f} [{self.low:.3f}–{self.high:.3f}]"


ROUNDS = 3  # every figure is the median of at least this many rounds (docs/conventions.md)


def timed(fn, *, repeat: int = ROUNDS, setup=None) -> tuple[Timing, object]:
    """The wall time over ``repeat`` rounds (``setup`` runs before each, not timed), and the
    last round's result."""
    times, result = [], None
    for _ in range(repeat):
        if setup is not None:
            setup()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return Timing.of(times), result


def interleaved(
    fns: dict, *, repeat: int = ROUNDS, setup: dict | None = None
) -> tuple[dict[str, Timing], dict]:
    """The wall times of several functions run in turn, round after round (so that a busy
    moment of a shared machine falls on each alike), after one round not timed; the last
    round's results by name. ``setup`` ({name: function}) runs before its function in every
    round, not timed."""
    setup = setup or {}

    def run(name, fn):
        if name in setup:
            setup[name]()
        started = time.perf_counter()
        result = fn()
        return result, time.perf_counter() - started

    for name, fn in fns.items():
        run(name, fn)
    times: dict[str, list[float]] = {name: [] for name in fns}
    results: dict = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            results[name], spent = run(name, fn)
            times[name].append(spent)
    return {name: Timing.of(t) for name, t in times.items()}, results


def _median(value) -> float:
    return value.median if isinstance(value, Timing) else value


def report(
    name: str,
    value,
    floor,
    *,
    unit: str = "s",
    target: float | None = None,
    extra: str = "",
) -> None:
    """One line of the results: the figure and its floor (each a ``Timing``, median [min–max],
    or a plain number) and their ratio of medians."""
    ratio = _median(value) / _median(floor) if _median(floor) else float("inf")
    row = {
        "benchmark": name,
        "value": _median(value),
        "floor": _median(floor),
        "ratio": ratio,
        "unit": unit,
        "target_ratio": target,
        "extra": extra,
    }
    for key, figure in (("value", value), ("floor", floor)):
        if isinstance(figure, Timing):
            row[f"{key}_min"], row[f"{key}_max"] = figure.low, figure.high
            row["rounds"] = figure.rounds
    RESULTS.append(row)
    verdict = ""
    if target is not None:
        verdict = "  OK" if ratio <= target else f"  MISSED (target <= {target}x)"
    shown = str(value) if isinstance(value, Timing) else f"{value:.3f}"
    floor_shown = str(floor) if isinstance(floor, Timing) else f"{floor:.3f}"
    print(
        f"{name:<46} {shown:>24} {unit}  floor {floor_shown:>24} {unit}  "
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
