"""A short-answer question's accepted answers are edited one per line in the admin, not as
JSON, and what the question-bank formats import survives the form unchanged."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes.accepted_answers import AcceptedAnswersField, from_lines, to_lines
from quizzes.models import ShortAnswerQuestion
from quizzes.question_bank import (
    category_by_path,
    questions_export,
    questions_import,
    questions_parse,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"

TRICKY = [
    {"text": "Frog", "weight": 100.0, "feedback": ""},
    {"text": "Cat", "weight": 50.0, "feedback": "What is it with Moodlers and cats?"},
    {"text": "a|b", "weight": 33.33333, "feedback": "two\nlines"},
    {"text": r"C:\dir\n", "weight": 0.0, "feedback": "back\\slash | bar"},
    {"text": "*", "weight": 0.0, "feedback": "Completely wrong"},
]


def test_the_lines_read_as_an_author_writes_them():
    assert to_lines(TRICKY[:2]) == "Frog\nCat | 50 | What is it with Moodlers and cats?"
    assert from_lines("  Frog  \n\nToad | 50\n* | 0 | Not quite.\nNewt | | Close") == [
        {"text": "Frog", "weight": 100.0, "feedback": ""},
        {"text": "Toad", "weight": 50.0, "feedback": ""},
        {"text": "*", "weight": 0.0, "feedback": "Not quite."},
        {"text": "Newt", "weight": 100.0, "feedback": "Close"},
    ]
    assert from_lines("Frog | 12,5") == [{"text": "Frog", "weight": 12.5, "feedback": ""}]


def test_every_value_survives_the_lines():
    assert from_lines(to_lines(TRICKY)) == TRICKY
    assert from_lines("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Frog\nToad | lots", "Line 2: the weight must be a number from 0 to 100."),
        ("Frog | 150", "Line 1: the weight must be a number from 0 to 100."),
        ("Frog | -5", "Line 1: the weight must be a number from 0 to 100."),
        ("Frog | NaN", "Line 1: the weight must be a number from 0 to 100."),
        ("Frog | 50 | Good | extra", "Line 1: at most an answer, a weight and a feedback"),
        ("Frog\n | 50", "Line 2: the answer is empty."),
    ],
)
def test_a_bad_line_is_named(text, message):
    with pytest.raises(ValidationError) as error:
        AcceptedAnswersField().clean(text)
    assert message in error.value.messages[0]


def _form_data(form):
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or name == "image":
            continue
        data[name] = value
    return data


def test_hr_writes_the_answers_one_per_line_in_the_admin(client, hr):
    client.force_login(hr)
    add = reverse(ShortAnswerQuestion.snippet_viewset.get_url_name("add"))
    data = {
        "category": category_by_path("Animals").pk,
        "order": 1,
        "text": "Which is the best animal?",
        "points": "2",
        "accepted_answers": "Frog | 100 | Good!\nToad | 50",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = ShortAnswerQuestion.objects.get()
    assert question.accepted_answers == [
        {"text": "Frog", "weight": 100.0, "feedback": "Good!"},
        {"text": "Toad", "weight": 50.0, "feedback": ""},
    ]
    edit = reverse(ShortAnswerQuestion.snippet_viewset.get_url_name("edit"), args=[question.pk])
    page = client.get(edit).content.decode()
    assert "Frog | 100 | Good!\nToad | 50</textarea>" in page
    assert "One answer per line" in page
    bad = client.post(edit, {**data, "accepted_answers": "Frog | lots"})
    assert bad.status_code == 200
    assert "Line 1: the weight must be a number from 0 to 100." in bad.content.decode()
    question.refresh_from_db()
    assert len(question.accepted_answers) == 2  # nothing saved


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml"])
def test_an_imported_question_saved_unchanged_in_the_admin_exports_the_same(client, hr, fmt):
    """The GIFT fixture's short answers (weights, feedback, a wildcard), imported from GIFT or
    from the Moodle XML export of them (Aiken has no short answers)."""
    gift_file = (FIXTURES / "questions.gift.txt").read_bytes()
    if fmt == "gift":
        questions_import(parsed=questions_parse(data=gift_file, fmt="gift"), category="RT")
    else:
        questions_import(parsed=questions_parse(data=gift_file, fmt="gift"), category="Src")
        xml = questions_export(fmt=fmt, category=category_by_path("Src", create=False)).text
        questions_import(parsed=questions_parse(data=xml.encode(), fmt=fmt), category="RT")
    category = category_by_path("RT", create=False)
    before = questions_export(fmt=fmt, category=category).text
    questions = list(ShortAnswerQuestion.objects.filter(category__in=category.descendant_ids()))
    assert [a["text"] for q in questions for a in q.accepted_answers] == ["Frog", "Cat", "*"]
    client.force_login(hr)
    for question in questions:
        stored = question.accepted_answers
        edit = reverse(ShortAnswerQuestion.snippet_viewset.get_url_name("edit"), args=[question.pk])
        form = client.get(edit).context["form"]
        response = client.post(edit, _form_data(form))
        assert response.status_code == 302, response.content.decode()[:3000]
        question.refresh_from_db()
        assert question.accepted_answers == stored
    assert questions_export(fmt=fmt, category=category).text == before
