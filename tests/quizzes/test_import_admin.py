"""The admin's import preview: upload, see each question parsed and each skipped with the
reason, nothing saved until "Import"; and the export download."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from quizzes.models import MultipleChoiceQuestion, Question, QuestionCategory
from tests.quizzes.factories import QuizFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
IMPORT = "quizzes_question_import"


def upload(name, fmt, category="Moodle", **extra):
    data = (FIXTURES / name).read_bytes()
    return {
        "file": SimpleUploadedFile(name, data),
        "format": fmt,
        "category": category,
        "encoding": "",
        **extra,
    }


def test_preview_lists_parsed_and_skipped_and_saves_nothing(client, hr):
    client.force_login(hr)
    page = client.get(reverse(IMPORT))
    assert page.status_code == 200
    assert "Nothing is saved until you confirm" in page.content.decode()

    preview = client.post(reverse(IMPORT), upload("questions.gift.txt", "gift"))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Nothing has been saved yet." in html
    assert "What&#x27;s between orange and green in the spectrum?" in html
    assert "Matching questions are not supported by the question bank." in html
    assert html.count("<tr") >= 10
    assert not Question.objects.exists()
    assert not QuestionCategory.objects.exists()

    payload = preview.context["confirm"].initial
    done = client.post(reverse(IMPORT), payload)
    assert done.status_code == 200
    assert Question.objects.count() == 8
    assert "created: multiple-choice question “Q2” in Moodle (line 1" in done.content.decode()


def test_confirm_into_a_quiz(client, hr):
    quiz = QuizFactory()
    client.force_login(hr)
    page = client.get(reverse(IMPORT) + f"?quiz={quiz.pk}")
    assert page.context["form"].initial == {"quiz": quiz.pk}
    preview = client.post(
        reverse(IMPORT), upload("questions.aiken.txt", "aiken", "Product", quiz=quiz.pk)
    )
    client.post(reverse(IMPORT), preview.context["confirm"].initial)
    assert MultipleChoiceQuestion.objects.filter(quiz=quiz, category__name="Product").count() == 2


def test_bad_uploads_are_form_errors(client, hr):
    client.force_login(hr)
    empty_category = client.post(reverse(IMPORT), upload("questions.gift.txt", "gift", " / "))
    assert empty_category.status_code == 200
    assert empty_category.context["form"].errors["category"]
    tampered = client.post(
        reverse(IMPORT),
        {"payload": "not base64!", "format": "gift", "category": "X", "encoding": ""},
    )
    assert tampered.status_code == 302
    broken_xml = client.post(
        reverse(IMPORT),
        {**upload("questions.gift.txt", "moodle-xml")},
    )
    assert broken_xml.status_code == 200
    assert "Not valid XML" in broken_xml.content.decode()
    assert not Question.objects.exists()


def test_only_authors_may_import(client, trainee, mentor):
    for user in (trainee, mentor):
        client.force_login(user)
        response = client.get(reverse(IMPORT))
        assert response.status_code in (302, 403)


def test_preview_in_russian(client, hr):
    client.force_login(hr)
    with translation.override("ru"):
        response = client.get(reverse(IMPORT), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200


def test_export_download(client, hr):
    quiz = QuizFactory(slug="product-test")
    client.force_login(hr)
    preview = client.post(
        reverse(IMPORT), upload("questions.aiken.txt", "aiken", "Product", quiz=quiz.pk)
    )
    client.post(reverse(IMPORT), preview.context["confirm"].initial)
    response = client.get(reverse("quizzes_question_export"), {"quiz": quiz.pk, "format": "aiken"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="product-test.aiken.txt"'
    assert response.content.decode().count("ANSWER:") == 2
    neither = client.get(reverse("quizzes_question_export"), {"format": "gift"})
    assert neither.status_code == 200
    assert "Choose either a quiz or a category." in neither.content.decode()
