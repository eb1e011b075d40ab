from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import company as demo
from demo.content.languages import LANGUAGES


class Command(BaseCommand):
    help = (
        "Create the demo company (idempotent, deterministic) in English or Russian and print "
        "the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--language",
            help=(
                f"The demo company's language: {', '.join(LANGUAGES)}. Default: the language "
                "of the demo company already in the database, else LANGUAGE_CODE's."
            ),
        )
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, seed, language, quiet, **options):
        try:
            ctx = demo.run(today=timezone.localdate(), seed_value=seed, language=language)
        except (demo.UnknownLanguage, demo.LanguageConflict) as exc:
            raise CommandError(str(exc)) from exc
        if ctx.created:
            summary = ", ".join(f"{n} {what}" for what, n in sorted(ctx.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo data created ({ctx.language}): {summary}."))
        else:
            self.stdout.write(f"Demo data ({ctx.language}) already present; nothing changed.")
        if not quiet:
            self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
            for username, role, _password in demo.credentials():
                self.stdout.write(f"  {username:<12} {role}")
