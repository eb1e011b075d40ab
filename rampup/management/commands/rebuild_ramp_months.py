from django.core.management.base import BaseCommand

from rampup.month_summary import ramp_months_install, ramp_months_rebuild


class Command(BaseCommand):
    help = (
        "Reinstall the triggers that keep the per-ramp-month summary current and recompute it "
        "from the per-day activity summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        ramp_months_install(using=database)
        rows = ramp_months_rebuild(using=database)
        self.stdout.write(f"Ramp month summary rebuilt: {rows} enrollment-month rows.")
