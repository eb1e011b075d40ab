from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.models import Enrollment
from mentors.importing import CSV_COLUMNS, CsvFileError, import_csv


class Command(BaseCommand):
    help = (
        "Import activities from a CSV file with the columns "
        + ",".join(CSV_COLUMNS)
        + ". The file is streamed, not loaded into memory. By default nothing is saved when "
        "any row is invalid; rows whose (source, external_id) already exist are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file (UTF-8; '-' for stdin).")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Save the valid rows even if some rows are invalid.",
        )
        parser.add_argument("--as-user", help="Username recorded as having imported the rows.")
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, *args, file, partial=False, as_user=None, encoding="utf-8-sig", **options):
        user = None
        if as_user:
            user = get_user_model().objects.filter(username=as_user).first()
            if user is None:
                raise CommandError(f"No user {as_user!r}.")
        if file == "-":
            import sys

            handle = sys.stdin.buffer
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"No such file: {file}")
            handle = path.open("rb")
        try:
            result = import_csv(
                handle,
                enrollments=Enrollment.objects.all(),
                recorded_by=user,
                all_or_nothing=not partial,
                encoding=encoding,
            )
        except CsvFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if handle is not None and file != "-":
                handle.close()
        for error in result.errors:
            self.stderr.write(f"row {error.row}, {error.field}: {error.message}")
        if result.errors_truncated:
            self.stderr.write(f"... only the first {len(result.errors)} errors are shown.")
        summary = (
            f"{result.rows} row(s): {result.created} created, {result.duplicates} duplicate(s) "
            f"skipped, {result.invalid_rows} invalid."
        )
        if result.saved:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            self.stdout.write(summary)
            raise CommandError("Nothing was saved because some rows are invalid (see above).")
