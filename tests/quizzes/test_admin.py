"""Authoring in the Wagtail admin: HR lists, creates and edits quizzes and every question type,
reorders questions and previews the quiz as a trainee."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes.models import Question, WrittenQuestion
from quizzes.wagtail_hooks import QUESTION_TYPES, QuizViewSet
from tests.quizzes.factories import QuizFactory, mc, tf

pytestmark = pytest.mark.django_db


def url(model, action, *args):
    return reverse(model.snippet_viewset.get_url_name(action), args=args)


def test_hr_sees_the_quiz_with_its_questions_and_add_links(client, hr):
    quiz = QuizFactory(title="Product survey")
    mc(quiz, order=1, text="Which box?")
    tf(quiz, order=2)
    client.force_login(hr)
    listing = client.get(reverse(QuizViewSet().get_url_name("list")))
    assert listing.status_code == 200
    assert "Product survey" in listing.content.decode()
    edit = client.get(url(type(quiz), "edit", quiz.pk))
    html = edit.content.decode()
    assert edit.status_code == 200
    assert "Which box?" in html
    assert "Preview as a trainee" in html
    for model in QUESTION_TYPES:
        assert f"{url(model, 'add')}?quiz={quiz.pk}" in html


def test_hr_adds_a_written_question_whose_points_are_the_rubric_sum(client, hr):
    quiz = QuizFactory()
    client.force_login(hr)
    add = url(WrittenQuestion, "add")
    form = client.get(f"{add}?quiz={quiz.pk}")
    assert form.status_code == 200
    # "Add a question" from the quiz presets the quiz.
    assert form.context["form"].instance.quiz_id == quiz.pk
    assert form.context["form"]["quiz"].value() == quiz.pk
    assert quiz.title in form.content.decode()  # the chooser shows the chosen quiz
    data = {
        "quiz": quiz.pk,
        "order": 1,
        "text": "Describe the packaging",
        "points": "1",
        "explanation": "",
        "grader_notes": "One pallet",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-name": "Accuracy",
        "criteria-0-description": "",
        "criteria-0-max_points": "2",
        "criteria-0-ORDER": "1",
        "criteria-0-DELETE": "",
        "criteria-0-id": "",
        "criteria-1-name": "Completeness",
        "criteria-1-description": "",
        "criteria-1-max_points": "3.5",
        "criteria-1-ORDER": "2",
        "criteria-1-DELETE": "",
        "criteria-1-id": "",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = WrittenQuestion.objects.get()
    assert question.points == Decimal("5.5")
    assert [c.name for c in question.criteria.order_by("sort_order")] == [
        "Accuracy",
        "Completeness",
    ]
    assert response["Location"] == url(type(quiz), "edit", quiz.pk)


def test_reorder_and_preview(client, hr):
    quiz = QuizFactory()
    first, _choices = mc(quiz, order=1, text="First question")
    second = tf(quiz, order=2)
    client.force_login(hr)
    client.post(reverse("quizzes_question_move", args=[second.pk, "up"]))
    order = list(Question.objects.filter(quiz=quiz).order_by("order").values_list("pk", flat=True))
    assert order == [second.pk, first.pk]
    preview = client.get(reverse("quizzes:quiz_preview", args=[quiz.slug]))
    assert preview.status_code == 200
    assert "First question" in preview.content.decode()
    assert "Nothing you enter is saved" in preview.content.decode()


def test_trainees_and_mentors_cannot_author(client, trainee, mentor):
    quiz = QuizFactory()
    for user in (trainee, mentor):
        client.force_login(user)
        assert client.get(reverse("quizzes:quiz_preview", args=[quiz.slug])).status_code == 404
        response = client.get(url(type(quiz), "edit", quiz.pk))
        assert response.status_code in (302, 403)
