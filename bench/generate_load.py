"""Add deterministic synthetic load to the database that DATABASE_URL names: trainees with
mentors, months of activity and quiz attempts (COPY on PostgreSQL). Seed the demo first.

    python -m bench.generate_load --trainees 1000 --months 8 --activities 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import django


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=1000)
    parser.add_argument("--months", type=int, default=8)
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    django.setup()
    # Imported once Django is set up: the generator imports models.
    from bench.loadgen import Options, generate

    started = time.perf_counter()
    counts = generate(
        Options(
            trainees=args.trainees,
            months=args.months,
            activities=args.activities,
            attempts=args.attempts,
            seed=args.seed,
        ),
        log=lambda message: print(f"  {message}", flush=True),
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for label, n in sorted(counts.items()):
        print(f"{label:<28} {n:>10,}")
    print(f"done in {elapsed:.1f} s, peak memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
