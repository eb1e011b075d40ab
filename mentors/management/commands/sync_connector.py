from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentors.models import Connector, ConnectorRun
from mentors.sources.services import connector_sync


class Command(BaseCommand):
    help = (
        "Pull one activity connector's source now (as its schedule would) and print what the "
        "run took. Exits non-zero when the run failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The connector's name (Activity sources > Connectors).")

    def handle(self, *args, name, **options):
        connector = Connector.objects.filter(name=name).first()
        if connector is None:
            names = ", ".join(Connector.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No connector {name!r} (there are: {names}).")
        run = connector_sync(connector=connector, now=timezone.now())
        if run is None:
            raise CommandError(f"{name} is running already; try again when that run is done.")
        for error in run.errors:
            self.stderr.write(error)
        summary = (
            f"{name}: {run.get_status_display()}. {run.rows} row(s) taken: {run.created} "
            f"created, {run.duplicates} duplicate(s), {run.not_counted} not counted by the "
            f"rule, {run.unknown} of unknown identities kept; {len(run.errors)} error(s)."
        )
        if run.status == ConnectorRun.Status.FAILED:
            self.stdout.write(summary)
            raise CommandError(f"{name} failed (see above).")
        self.stdout.write(self.style.SUCCESS(summary))
