"""The GIFT, Aiken and Moodle XML readers, on the files of Moodle's own test suite
(tests/quizzes/fixtures/README.md) and on hand-written edge cases."""

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.formats import aiken, decode, gift, moodle_xml

FIXTURES = Path(__file__).parent / "fixtures"


def read(name):
    return decode((FIXTURES / name).read_bytes())


def by_name(result):
    return {q.name: q for q in result.questions}


def test_gift_fixture_supported_types_and_the_matching_question_reported():
    result = gift.parse(read("questions.gift.txt"))
    kinds = [(q.name, q.kind) for q in result.questions]
    assert kinds == [
        ("Q8", "essay"),
        ("Q2", "multichoice"),
        ("colours", "multichoice"),
        ("Q5", "numerical"),
        ("Shortanswer", "shortanswer"),
        ("Q1", "truefalse"),
        ("2-08 TSL", "truefalse"),
        ("2-08 TSL", "truefalse"),
    ]
    assert [(s.name, s.reason) for s in result.skipped] == [
        ("Moodle activities", "Matching questions are not supported by the question bank.")
    ]
    q = by_name(result)
    assert q["Q2"].single
    assert [(a.text, a.fraction, a.feedback) for a in q["Q2"].answers] == [
        ("yellow", 100, "right; good!"),
        ("red", 0, "wrong, it's yellow"),
        ("blue", 0, "wrong, it's yellow"),
    ]
    assert not q["colours"].single
    assert [a.fraction for a in q["colours"].answers] == [50, -100, 50, -100]
    assert (q["Q5"].value, q["Q5"].tolerance) == (Decimal(3), Decimal(2))
    assert [(a.text, a.fraction) for a in q["Shortanswer"].answers] == [
        ("Frog", 100),
        ("Cat", 50),
        ("*", 0),
    ]
    q1 = q["Q1"]
    assert q1.correct is False
    # {FALSE#feedback when wrong#feedback when right}: answering True is wrong.
    assert q1.feedback_true == "42 is the Ultimate Answer."
    assert q1.feedback_false == "You gave the right answer."
    assert q1.general_feedback.startswith("This is, of course, a Hitchiker's Guide")


def test_gift_category_html_and_escapes():
    result = gift.parse(read("questions_in_category.gift.txt"))
    assert result.categories == [("Default for New Features",)]
    q = by_name(result)
    assert set(q) == {"Greeting", "Moodle user", "Moodle acronym"}
    assert all(x.category == ("Default for New Features",) for x in result.questions)
    # [html] with escaped \= and \: inside the markup: reduced to its text.
    assert q["Greeting"].text == "Listen to this greeting:\n\nWhat language is being spoken?"
    assert q["Greeting"].notes  # the link was dropped, and the report says so
    assert q["Moodle acronym"].text == (
        "Moodle is an acronym for Modular Object-Oriented Dynamic Learning Environment."
    )
    assert q["Moodle acronym"].correct is True
    assert q["Moodle user"].kind == "shortanswer"
    assert [s.name for s in result.skipped] == ["Moodle activities"]


def test_gift_numeric_range_missing_word_and_escapes():
    text = (
        "::Range::Pick a number between 1 and 5 {#1..5}\n\n"
        "::Weighted::Half of ten? {#=5:0 =%50%4:1 ~#No}\n\n"
        "Moodle costs {~lots of money =nothing ~a small amount} to download.\n\n"
        "::Esc::Is 2\\+2 \\= 4 \\{yes\\}\\: really? {T}"
    )
    result = gift.parse(text)
    q = by_name(result)
    assert (q["Range"].value, q["Range"].tolerance) == (Decimal(3), Decimal(2))
    assert (q["Weighted"].value, q["Weighted"].tolerance) == (Decimal(5), Decimal(0))
    assert q["Weighted"].notes  # the 50 % answer was left out
    missing = result.questions[2]
    assert missing.text == "Moodle costs _____ to download."
    assert missing.kind == "multichoice"
    assert q["Esc"].text == "Is 2\\+2 = 4 {yes}: really?"


def test_aiken_fixtures():
    result = aiken.parse(read("questions.aiken.txt"))
    assert [q.text for q in result.questions] == [
        "The Moodle project was started by:",
        'Moodle\'s abilities include handling user input that includes <html class="cool"> '
        "& images:",
    ]
    first = result.questions[0]
    assert [a.text for a in first.answers if a.fraction == 100] == ["Martin Dougiamas"]
    assert not result.skipped


def test_aiken_errors_fixture_reports_each_broken_question():
    result = aiken.parse(read("aiken_errors.txt"))
    assert [q.text for q in result.questions] == ["A good question", "A second good question"]
    assert result.questions[1].answers[1].text == "Correct (No space)"
    reasons = [s.reason for s in result.skipped]
    assert "A question needs at least two answer options." in reasons
    assert "The question has no ANSWER line." in reasons
    assert "An answer option without a question before it." in reasons


def test_moodle_xml_nested_categories():
    result = moodle_xml.parse(read("nested_categories_with_questions.xml"))
    assert [(q.name, q.kind, q.category) for q in result.questions] == [
        ("Iota Question", "truefalse", ("Iota",)),
        ("Kappa Essay Question", "essay", ("Iota", "Kappa")),
        ("Kappa Question", "truefalse", ("Iota", "Kappa")),
        ("Lambda Question", "truefalse", ("Iota", "Kappa", "Lambda")),
        ("Mu Question", "truefalse", ("Iota", "Mu")),
    ]
    assert result.questions[0].text == "Testing Iota Question"
    assert result.questions[0].correct is True


def test_moodle_xml_image_kept_and_cloze_reported():
    result = moodle_xml.parse(read("sample_questions_with_old_image_tag.xml"))
    [mcq] = result.questions
    assert mcq.name == "mcq with image"
    assert [a.text for a in mcq.answers if a.fraction == 100] == ["right answer"]
    assert [f.name for f in mcq.files] == ["moodle.png"]
    assert mcq.files[0].content.startswith(b"\x89PNG")
    [skipped] = result.skipped
    assert skipped.name == "cloze question with image"
    assert "not supported" in skipped.reason


def test_moodle_xml_types_and_bad_input():
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="numerical"><name><text>N</text></name>
    <questiontext format="plain_text"><text>2+2?</text></questiontext>
    <defaultgrade>2</defaultgrade>
    <answer fraction="100"><text>4</text><tolerance>0.5</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>RUB</unit_name></unit></units>
  </question>
  <question type="shortanswer"><name><text>S</text></name>
    <questiontext format="html"><text>&lt;p&gt;Capital?&lt;/p&gt;</text></questiontext>
    <usecase>0</usecase>
    <answer fraction="100"><text>Paris</text><feedback><text>Yes</text></feedback></answer>
  </question>
  <question type="matching"><name><text>M</text></name>
    <questiontext><text>Match</text></questiontext></question>
</quiz>"""
    result = moodle_xml.parse(xml)
    n, s = result.questions
    assert (n.value, n.tolerance, n.unit, n.points) == (Decimal(4), Decimal("0.5"), "RUB", 2)
    assert s.text == "Capital?"
    assert (s.answers[0].text, s.answers[0].feedback) == ("Paris", "Yes")
    assert [x.name for x in result.skipped] == ["M"]

    broken = moodle_xml.parse("<quiz><question>")
    assert not broken.questions
    assert broken.skipped[0].reason.startswith("Not valid XML")


def test_moodle_xml_refuses_entity_expansion():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><quiz>&b;</quiz>'
    )
    result = moodle_xml.parse(bomb)
    assert not result.questions
    assert result.skipped


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "Какая скидка положена? {=10 % ~20 %}"),
        ("cp1251", "Какая скидка положена? {=10 % ~20 %}"),
        ("cp1252", "Quelle réduction est prévue ? {=10 % ~20 %}"),
    ],
)
def test_encodings(encoding, text):
    data = text.encode(encoding)
    assert decode(data) == text
    [q] = gift.parse(decode(data)).questions
    assert q.text == text.split(" {")[0]


def test_utf8_byte_order_mark():
    assert decode("\ufeffВопрос".encode()) == "Вопрос"  # noqa: RUF001
