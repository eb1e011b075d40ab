"""Importing Moodle's own test files into the question bank, the command line, and the
round trip import -> export -> import for each format."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from quizzes.formats import aiken, gift, moodle_xml
from quizzes.models import (
    MultipleChoiceQuestion,
    NumericQuestion,
    OralQuestion,
    Question,
    QuestionCategory,
    ShortAnswerQuestion,
    TrueFalseQuestion,
    WrittenQuestion,
)
from quizzes.question_bank import (
    BankError,
    category_by_path,
    questions_export,
    questions_import,
    questions_parse,
)
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
PARSERS = {"gift": gift, "aiken": aiken, "moodle-xml": moodle_xml}


def import_file(name, fmt, category="Moodle", **kwargs):
    parsed = questions_parse(data=(FIXTURES / name).read_bytes(), fmt=fmt)
    return questions_import(parsed=parsed, category=category, **kwargs)


def test_gift_import_creates_the_supported_questions():
    report = import_file("questions.gift.txt", "gift")
    assert len(report.created) == 8
    assert [line.label for line in report.skipped] == ["Moodle activities"]
    root = QuestionCategory.objects.get(name="Moodle", parent=None)
    assert Question.objects.filter(category=root).count() == 8
    colours = MultipleChoiceQuestion.objects.get(name="colours")
    assert [(c.text, c.weight, c.correct) for c in colours.choices.all()] == [
        ("yellow", Decimal(50), True),
        ("red", Decimal(-100), False),
        ("off-beige", Decimal(50), True),
        ("blue", Decimal(-100), False),
    ]
    q2 = MultipleChoiceQuestion.objects.get(name="Q2")
    assert q2.single_answer
    assert all(c.weight is None for c in q2.choices.all())
    assert q2.choices.get(text="yellow").feedback == "right; good!"
    q5 = NumericQuestion.objects.get(name="Q5")
    assert (q5.correct_value, q5.tolerance) == (Decimal(3), Decimal(2))
    q1 = TrueFalseQuestion.objects.get(name="Q1")
    assert q1.correct_answer is False
    assert q1.explanation.startswith("This is, of course")
    short = ShortAnswerQuestion.objects.get(name="Shortanswer")
    assert [a["text"] for a in short.accepted_answers] == ["Frog", "Cat", "*"]
    assert WrittenQuestion.objects.get(name="Q8").text == "How are you?"


def test_partial_weights_and_short_answers_score():
    import_file("questions.gift.txt", "gift")
    colours = MultipleChoiceQuestion.objects.get(name="colours")
    yellow, red, beige, _blue = colours.choices.all()

    class R:
        def __init__(self, chosen=(), text=""):
            self.chosen = Choice(chosen)
            self.answer_text = text

    class Choice:
        def __init__(self, items):
            self.items = list(items)

        def all(self):
            return self.items

    assert colours.score(R([yellow, beige])) == Decimal("1.00")
    assert colours.score(R([yellow])) == Decimal("0.50")
    assert colours.score(R([yellow, red])) == Decimal(0)
    short = ShortAnswerQuestion.objects.get(name="Shortanswer")
    assert short.score(R(text="  frog ")) == Decimal("1.00")
    assert short.score(R(text="Cat")) == Decimal("0.50")
    assert short.score(R(text="dog")) == Decimal(0)


def test_categories_from_the_file_nest_under_the_chosen_one():
    report = import_file("nested_categories_with_questions.xml", "moodle-xml", "Bank/Moodle")
    assert len(report.created) == 5
    lambda_ = QuestionCategory.objects.get(name="Lambda")
    assert lambda_.path == "Bank/Moodle/Iota/Kappa/Lambda"
    assert Question.objects.get(category=lambda_).name == "Lambda Question"
    assert WrittenQuestion.objects.get().category.path == "Bank/Moodle/Iota/Kappa"

    import_file("questions_in_category.gift.txt", "gift", "Bank/Moodle")
    features = QuestionCategory.objects.get(name="Default for New Features")
    assert features.path == "Bank/Moodle/Default for New Features"
    assert features.questions.count() == 3


def test_embedded_image_becomes_the_question_image_and_exports_back():
    report = import_file("sample_questions_with_old_image_tag.xml", "moodle-xml")
    assert [line.label for line in report.skipped] == ["cloze question with image"]
    mcq = MultipleChoiceQuestion.objects.get(name="mcq with image")
    assert mcq.image is not None
    assert (mcq.image.width, mcq.image.height) == (16, 16)

    exported = questions_export(fmt="moodle-xml", category=mcq.category)
    again = moodle_xml.parse(exported.text)
    [q] = again.questions
    assert q.files
    assert q.files[0].content.startswith(b"\x89PNG")
    assert q.text == mcq.text


def test_import_into_a_quiz_appends_after_its_questions():
    quiz = QuizFactory()
    import_file("questions.aiken.txt", "aiken", quiz=quiz)
    import_file("aiken_errors.txt", "aiken", quiz=quiz)
    assert list(Question.objects.filter(quiz=quiz).values_list("order", "text")) == [
        (1, "The Moodle project was started by:"),
        (
            2,
            'Moodle\'s abilities include handling user input that includes <html class="cool"> '
            "& images:",
        ),
        (3, "A good question"),
        (4, "A second good question"),
    ]


def test_dry_run_saves_nothing():
    report = import_file("questions.gift.txt", "gift", dry_run=True)
    assert len(report.created) == 8
    assert not Question.objects.exists()
    assert not QuestionCategory.objects.exists()


def test_bad_input_is_a_clear_error():
    with pytest.raises(BankError):
        questions_parse(data=b"x", fmt="csv")
    parsed = questions_parse(data=b"::A::Q {T}", fmt="gift")
    with pytest.raises(BankError):
        questions_import(parsed=parsed, category=" / ")


def test_command_prints_one_line_per_question():
    out = StringIO()
    call_command(
        "import_questions",
        str(FIXTURES / "questions.gift.txt"),
        format="gift",
        category="Moodle",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert sum(line.startswith("created: ") for line in lines) == 8
    assert [line for line in lines if line.startswith("skipped: ")] == [
        "skipped: “Moodle activities” (line 5): Matching questions are not supported by the "
        "question bank."
    ]
    assert lines[-1] == "8 created, 1 skipped."
    assert Question.objects.count() == 8


def test_command_dry_run():
    out = StringIO()
    call_command(
        "import_questions",
        str(FIXTURES / "aiken_errors.txt"),
        "--format=aiken",
        "--category=Moodle",
        "--dry-run",
        stdout=out,
    )
    assert out.getvalue().splitlines()[-1] == "2 to create, 4 skipped."
    assert not Question.objects.exists()


def comparable(q):
    return (
        q.kind,
        q.name,
        q.text,
        q.general_feedback,
        q.points,
        [(a.text, Decimal(a.fraction), a.feedback) for a in q.answers],
        q.single if q.kind == "multichoice" else None,
        q.correct,
        q.feedback_true,
        q.feedback_false,
        q.value,
        q.tolerance,
        q.grader_info,
        q.category[1:],  # exported under the root category's name
    )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("questions.gift.txt", "gift"),
        ("questions_in_category.gift.txt", "gift"),
        ("questions.aiken.txt", "aiken"),
        ("aiken_errors.txt", "aiken"),
        ("nested_categories_with_questions.xml", "moodle-xml"),
        ("sample_questions_with_old_image_tag.xml", "moodle-xml"),
    ],
)
def test_round_trip(name, fmt):
    first = questions_parse(data=(FIXTURES / name).read_bytes(), fmt=fmt)
    questions_import(parsed=first, category="RT")
    exported = questions_export(fmt=fmt, category=category_by_path("RT", create=False))
    assert not exported.skipped
    second = PARSERS[fmt].parse(exported.text)
    assert not second.skipped

    want = sorted(((comparable(q)[:-1], q.category) for q in first.questions), key=str)
    got = sorted(((comparable(q)[:-1], q.category[1:]) for q in second.questions), key=str)
    assert [w for w, _c in want] == [g for g, _c in got]
    assert sorted(c for _w, c in want) == sorted(c for _g, c in got)
    # and importing the export gives the same bank again
    report = questions_import(parsed=second, category="RT2")
    assert len(report.created) == len(first.questions)


def test_export_a_quiz_reports_oral_questions():
    quiz = QuizFactory()
    import_file("questions.aiken.txt", "aiken", quiz=quiz)
    OralQuestion.objects.create(quiz=quiz, order=9, text="Role-play: a cold call")
    result = questions_export(fmt="gift", quiz=quiz)
    [skipped] = result.skipped
    assert skipped.name == "Role-play: a cold call"
    assert "no equivalent in Moodle" in skipped.reason
    assert "Martin Dougiamas" in result.text
    aiken_result = questions_export(fmt="aiken", quiz=quiz)
    assert aiken_result.text.count("ANSWER:") == 2


def test_export_command(tmp_path):
    import_file("questions.gift.txt", "gift")
    out, err = StringIO(), StringIO()
    call_command("export_questions", category="Moodle", format="aiken", stdout=out, stderr=err)
    assert out.getvalue().count("ANSWER: A") == 1  # Q2: the only single-answer choice
    assert "Aiken holds only multiple choice" in err.getvalue()
    target = tmp_path / "bank.xml"
    call_command("export_questions", category="Moodle", format="moodle-xml", output=str(target))
    assert len(moodle_xml.parse(target.read_text()).questions) == 8
