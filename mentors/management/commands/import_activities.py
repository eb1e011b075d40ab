import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mentors.importing import CSV_COLUMNS
from mentors.sources import FILE_READERS, CountingRule, Options, SourceError
from mentors.sources.services import source_import


class Command(BaseCommand):
    help = (
        "Import activities from a file: --format csv (our columns "
        + ",".join(CSV_COLUMNS)
        + "; comma, semicolon or tab, UTF-8 or Windows-1251, DD.MM.YYYY HH:MM local times, "
        "all detected), asterisk (Asterisk/FreePBX Master.csv) or ics (a calendar export). "
        "The file is streamed. By default nothing is saved when any row is invalid; rows "
        "whose (source, external_id) already exist are skipped; rows of identities that map "
        "to nobody are kept until they are mapped (docs/sources.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the file ('-' for stdin).")
        parser.add_argument("--format", choices=sorted(FILE_READERS), default="csv")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Save the valid rows even if some rows are invalid.",
        )
        parser.add_argument("--as-user", help="Username recorded as having imported the rows.")
        parser.add_argument("--encoding", help="The file's encoding (default: detected).")
        parser.add_argument("--delimiter", help="CSV: the delimiter (default: detected).")
        parser.add_argument("--utc", action="store_true", help="asterisk: the times are UTC.")
        parser.add_argument(
            "--min-seconds", type=int, default=0, help="Shortest call that counts (seconds)."
        )
        parser.add_argument(
            "--all-calls",
            action="store_true",
            help="Count inbound and unanswered calls too (default: answered outbound only).",
        )

    def _user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def _options(self, options) -> Options:
        delimiter = options.get("delimiter")
        if delimiter == "\\t":
            delimiter = "\t"
        if delimiter is not None and len(delimiter) != 1:
            raise CommandError("The delimiter is one character.")
        everything = options.get("all_calls", False)
        return Options(
            rule=CountingRule(
                outbound_only=not everything,
                answered_only=not everything,
                min_seconds=options.get("min_seconds") or 0,
            ),
            utc=options.get("utc", False),
            encoding=options.get("encoding"),
            delimiter=delimiter,
            now=timezone.now(),
        )

    def handle(self, *args, file, partial=False, as_user=None, **options):
        user = self._user(as_user)
        reader_options = self._options(options)
        if file == "-":
            handle = sys.stdin.buffer
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"No such file: {file}")
            handle = path.open("rb")
        try:
            reader = FILE_READERS[options.get("format") or "csv"](handle, reader_options)
            outcome = source_import(
                reader=reader,
                now=reader_options.now,
                recorded_by=user,
                all_or_nothing=not partial,
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if file != "-":
                handle.close()
        self._report(outcome)

    def _report(self, outcome):
        result = outcome.result
        for error in result.errors:
            self.stderr.write(f"row {error.row}, {error.field}: {error.message}")
        if result.errors_truncated:
            self.stderr.write(f"... only the first {len(result.errors)} errors are shown.")
        summary = (
            f"{result.rows} row(s): {result.created} created, {result.duplicates} duplicate(s) "
            f"skipped, {result.invalid_rows} invalid; {outcome.not_counted} not counted by the "
            f"rule; {outcome.held} row(s) of {len(outcome.unknown)} unknown identities kept."
        )
        for identity, count in sorted(outcome.unknown.items()):
            self.stdout.write(f"unknown identity {identity!r}: {count} row(s) kept")
        if result.saved:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(summary)
            raise CommandError("Nothing was saved because some rows are invalid (see above).")
