from django.core.management.base import BaseCommand

from mentors import services


class Command(BaseCommand):
    help = (
        "Compute the mentors' bonus statements: refresh the provisional ones and finalize those "
        "whose window has ended (what the daily Celery beat task does). Safe to run any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--mentorship", type=int, action="append", help="Only this mentorship (repeatable)."
        )

    def handle(self, *args, mentorship=None, **options):
        if mentorship:
            for pk in mentorship:
                statement = services.statement_compute(mentorship_id=pk)
                if statement is None:
                    self.stdout.write(f"mentorship {pk}: no bonus rule or not found")
                else:
                    self.stdout.write(
                        f"mentorship {pk}: {statement.status}, {statement.tier_name or '-'}, "
                        f"{statement.amount} {statement.currency}"
                    )
            return
        n = services.statements_finalize_due()
        self.stdout.write(self.style.SUCCESS(f"Computed {n} statement(s)."))
