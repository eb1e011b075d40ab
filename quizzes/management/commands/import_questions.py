"""python manage.py import_questions FILE --format {gift,aiken,moodle-xml} --category NAME
[--quiz SLUG] [--encoding ENC] [--dry-run]: one line per created or skipped question."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Quiz
from quizzes.question_bank import BankError, questions_import, questions_parse


class Command(BaseCommand):
    help = "Import questions from a GIFT, Aiken or Moodle XML file into the question bank."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=["gift", "aiken", "moodle-xml"])
        parser.add_argument(
            "--category",
            required=True,
            help='The bank category to import into, e.g. "Product/Pricing" (created if new).',
        )
        parser.add_argument("--quiz", help="Also add the questions to the quiz with this slug.")
        parser.add_argument(
            "--encoding", help="Force an encoding (default: UTF-8, else Windows-1251/1252)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and report; save nothing."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        quiz = None
        if options["quiz"]:
            quiz = Quiz.objects.filter(slug=options["quiz"]).first()
            if quiz is None:
                raise CommandError(f"No quiz with the slug {options['quiz']}.")
        try:
            parsed = questions_parse(data=data, fmt=options["format"], encoding=options["encoding"])
            report = questions_import(
                parsed=parsed,
                category=options["category"],
                quiz=quiz,
                dry_run=options["dry_run"],
            )
        except BankError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines:
            text = str(line)
            if report.dry_run and line.created:
                text = "(dry run) " + text
            self.stdout.write(text)
        self.stdout.write(
            f"{len(report.created)} {'to create' if report.dry_run else 'created'}, "
            f"{len(report.skipped)} skipped."
        )
