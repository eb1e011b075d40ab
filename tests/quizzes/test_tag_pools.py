"""Question tags and pools drawn from a tag: tags are free labels across the bank's
categories, a quiz's pool may be a tag (or a category's questions with that tag), edited in
the admin (docs/quizzes.md, "Question pools")."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from taggit.models import Tag

from quizzes import selectors, services
from quizzes.models import Question, TrueFalseQuestion
from quizzes.question_bank import (
    category_by_path,
    questions_export,
    questions_import,
    questions_parse,
)
from quizzes.wagtail_hooks import QuizViewSet
from tests.quizzes.factories import QuizFactory, enroll, make_program, written

pytestmark = pytest.mark.django_db


def statement(path, text, *tags):
    question = TrueFalseQuestion.objects.create(
        category=category_by_path(path), text=text, correct_answer=True
    )
    question.tags.add(*tags)
    question.save()  # modelcluster keeps the tags with the question until it is saved
    return question


@pytest.fixture
def bank():
    """Pricing questions in two categories, some tagged "discounts", one tagged otherwise."""
    return {
        "pricing_discounts": [statement("Product/Pricing", f"P{i}", "discounts") for i in range(3)],
        "delivery_discounts": [statement("Delivery", f"D{i}", "discounts") for i in range(2)],
        "pricing_plain": [statement("Product/Pricing", "Plain"), statement("Delivery", "Plain 2")],
        "other_tag": [statement("Delivery", "Objection", "objections")],
    }


def drawn(quiz, enrollment):
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    return attempt, {item.question.pk for item in selectors.attempt_sheet(attempt)}


def ids(*groups):
    return {q.pk for group in groups for q in group}


def test_a_tag_pool_draws_only_tagged_questions_from_any_category(bank):
    quiz = QuizFactory(pool_tag=Tag.objects.get(name="discounts"), pool_size=5)
    quiz.full_clean()
    fixed = written(quiz, order=1)
    _attempt, got = drawn(quiz, enroll(make_program(quiz)))
    assert got == {fixed.pk} | ids(bank["pricing_discounts"], bank["delivery_discounts"])


def test_a_category_and_a_tag_draw_the_categorys_tagged_questions(bank):
    tag = Tag.objects.get(name="discounts")
    quiz = QuizFactory(pool_category=category_by_path("Product"), pool_tag=tag, pool_size=10)
    _attempt, got = drawn(quiz, enroll(make_program(quiz)))
    assert got == ids(bank["pricing_discounts"])


def test_a_retake_gets_the_tagged_questions_not_seen_yet(bank):
    quiz = QuizFactory(pool_tag=Tag.objects.get(name="discounts"), pool_size=2, max_attempts=5)
    enrollment = enroll(make_program(quiz))
    first, got_first = drawn(quiz, enrollment)
    services.attempt_submit(attempt=first, user=enrollment.trainee)
    _second, got_second = drawn(quiz, enrollment)
    assert len(got_first) == len(got_second) == 2
    assert not got_first & got_second


def test_a_pool_size_needs_a_category_or_a_tag_and_the_other_way_round(bank):
    tag = Tag.objects.get(name="discounts")
    with pytest.raises(ValidationError) as no_size:
        QuizFactory.build(pool_tag=tag).full_clean()
    assert "pool_size" in no_size.value.message_dict
    with pytest.raises(ValidationError) as no_pool:
        QuizFactory.build(pool_size=3).full_clean()
    assert "pool_category" in no_pool.value.message_dict


def test_hr_tags_a_question_and_picks_the_tag_for_a_pool_in_the_admin(client, hr, bank):
    client.force_login(hr)
    question = bank["pricing_plain"][0]
    edit = reverse(TrueFalseQuestion.snippet_viewset.get_url_name("edit"), args=[question.pk])
    form = client.get(edit).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        category=question.category_id, tags="discounts, Upsell", correct_answer="on", points="1"
    )
    data.pop("image", None)
    data.pop("quiz", None)
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(pk=question.pk)
    assert set(question.tags.names()) == {"discounts", "Upsell"}

    Tag.objects.create(name="An image's tag")  # not a question's: not offered for pools
    quiz = QuizFactory()
    quiz_edit = reverse(QuizViewSet().get_url_name("edit"), args=[quiz.pk])
    choices = client.get(quiz_edit).context["form"].fields["pool_tag"].queryset
    assert list(choices.values_list("name", flat=True)) == ["discounts", "objections", "Upsell"]


def test_the_question_lists_filter_by_tag(client, hr, bank):
    client.force_login(hr)
    listing = reverse(TrueFalseQuestion.snippet_viewset.get_url_name("list"))
    assert client.get(listing).status_code == 200
    tag = Tag.objects.get(name="objections")
    page = client.get(listing, {"tag": tag.pk})
    assert page.status_code == 200
    shown = [q.pk for q in page.context["object_list"]]
    assert shown == [bank["other_tag"][0].pk]


MOODLE_WITH_TAGS = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>Discount rule</text></name>
    <questiontext format="html"><text>Over 10% needs the head of sales.</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
    <tags>
      <tag><text>discounts</text></tag>
      <tag><text>  head   of sales </text></tag>
      <tag><text>discounts</text></tag>
      <tag><text></text></tag>
    </tags>
  </question>
</quiz>
"""


def test_tags_travel_in_moodle_xml_both_ways():
    parsed = questions_parse(data=MOODLE_WITH_TAGS, fmt="moodle-xml")
    questions_import(parsed=parsed, category="Tagged")
    question = Question.objects.get(name="Discount rule")
    assert sorted(question.tags.names()) == ["discounts", "head of sales"]
    exported = questions_export(fmt="moodle-xml", category=category_by_path("Tagged"))
    again = questions_parse(data=exported.text.encode(), fmt="moodle-xml")
    assert [q.tags for q in again.questions] == [["discounts", "head of sales"]]
    # GIFT and Aiken have no tags: the export leaves them out and loses nothing else.
    assert "discounts" not in questions_export(fmt="gift", category=category_by_path("Tagged")).text
