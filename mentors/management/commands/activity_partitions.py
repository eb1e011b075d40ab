from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mentors.partitioning import (
    activity_partitions,
    activity_partitions_ensure,
    partitioning_wanted,
)


class Command(BaseCommand):
    help = (
        "With ACTIVITY_PARTITIONED on PostgreSQL: convert the activity table to monthly "
        "partitions (once) and create the partitions ahead; idempotent. Lists the partitions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--months-ahead",
            type=int,
            default=None,
            help="Months after the current one to create "
            "(default: ACTIVITY_PARTITION_MONTHS_AHEAD).",
        )

        parser.add_argument(
            "--since",
            default=None,
            help="Also create the months back to this one (YYYY-MM), for history to import.",
        )

    def handle(self, *args, database, months_ahead, since, **options):
        if months_ahead is not None and months_ahead < 0:
            raise CommandError("--months-ahead must be 0 or more.")
        if since is not None:
            try:
                since = date.fromisoformat(f"{since}-01")
            except ValueError:
                raise CommandError("--since takes a month as YYYY-MM, e.g. 2025-09.") from None
        if not partitioning_wanted(database):
            self.stdout.write(
                "Nothing to do: ACTIVITY_PARTITIONED is off or the database is not PostgreSQL."
            )
            return
        report = activity_partitions_ensure(using=database, months_ahead=months_ahead, since=since)
        if report.converted:
            self.stdout.write("Converted mentors_activity to a table partitioned by month.")
        for name in report.created:
            self.stdout.write(f"Created {name}.")
        if report.moved_from_default:
            moved = report.moved_from_default
            self.stdout.write(f"Moved {moved} rows out of the default partition.")
        partitions = activity_partitions(using=database)
        self.stdout.write(f"{len(partitions)} partitions:")
        for name, rows in partitions:
            self.stdout.write(f"  {name}  ~{rows} rows")
