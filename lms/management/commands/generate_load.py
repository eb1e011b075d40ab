import resource
import time

from django.core.management.base import BaseCommand

from lms.loadgen import Options, generate


class Command(BaseCommand):
    help = (
        "Add deterministic synthetic load: trainees with mentors, months of activity and quiz "
        "attempts (COPY on PostgreSQL). Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=1000)
        parser.add_argument("--months", type=int, default=8)
        parser.add_argument("--activities", type=int, default=1_000_000)
        parser.add_argument("--attempts", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, trainees, months, activities, attempts, seed, **options):
        started = time.perf_counter()
        counts = generate(
            Options(
                trainees=trainees,
                months=months,
                activities=activities,
                attempts=attempts,
                seed=seed,
            ),
            log=lambda message: self.stdout.write(f"  {message}"),
        )
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for label, n in sorted(counts.items()):
            self.stdout.write(f"{label:<28} {n:>10,}")
        self.stdout.write(
            self.style.SUCCESS(f"done in {elapsed:.1f} s, peak memory {peak:.0f} MiB")
        )
