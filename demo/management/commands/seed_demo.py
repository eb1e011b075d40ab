from django.core.management.base import BaseCommand
from django.utils import timezone

from demo import company as demo


class Command(BaseCommand):
    help = "Create the demo company (idempotent, deterministic) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, seed, quiet, **options):
        ctx = demo.run(today=timezone.localdate(), seed_value=seed)
        if ctx.created:
            summary = ", ".join(f"{n} {what}" for what, n in sorted(ctx.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {summary}."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        if not quiet:
            self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
            for username, role, _password in demo.credentials():
                self.stdout.write(f"  {username:<12} {role}")
