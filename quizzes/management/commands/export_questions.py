"""python manage.py export_questions (--quiz SLUG | --category PATH) --format
{gift,aiken,moodle-xml} [--output FILE]: the questions in Moodle's format; what the format
cannot hold is listed on stderr."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.models import Quiz
from quizzes.question_bank import BankError, category_by_path, questions_export


class Command(BaseCommand):
    help = "Export a quiz's or a category's questions to GIFT, Aiken or Moodle XML."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--quiz", help="The quiz's slug.")
        source.add_argument("--category", help='A category path such as "Product/Pricing".')
        parser.add_argument("--format", required=True, choices=["gift", "aiken", "moodle-xml"])
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, **options):
        quiz = category = None
        if options["quiz"]:
            quiz = Quiz.objects.filter(slug=options["quiz"]).first()
            if quiz is None:
                raise CommandError(f"No quiz with the slug {options['quiz']}.")
        else:
            category = category_by_path(options["category"], create=False)
            if category is None:
                raise CommandError(f"No category {options['category']}.")
        try:
            result = questions_export(fmt=options["format"], quiz=quiz, category=category)
        except BankError as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            Path(options["output"]).write_text(result.text, encoding="utf-8")
        else:
            self.stdout.write(result.text, ending="")
        for skipped in result.skipped:
            self.stderr.write(f"skipped: “{skipped.label}” ({skipped.source}): {skipped.reason}")
