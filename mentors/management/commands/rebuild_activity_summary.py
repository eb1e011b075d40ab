from django.core.management.base import BaseCommand

from mentors.activity_summary import summary_install, summary_rebuild


class Command(BaseCommand):
    help = (
        "Reinstall the triggers that keep the per-day activity summary current (for the "
        "current TIME_ZONE) and recompute the summary from the activities."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        summary_install(using=database)
        rows = summary_rebuild(using=database)
        self.stdout.write(f"Activity summary rebuilt: {rows} enrollment-day-kind rows.")
