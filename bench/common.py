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
