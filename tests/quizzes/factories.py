"""Quizzes, questions and a trainee placed in a stage that holds the quiz."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import factory
from wagtail.models import Page, Site

from courses import services as course_services
from courses.models import ProgramPage, StagePage
from mentors.models import Mentorship
from people.models import HomePage
from people.roles import Role
from quizzes.models import (
    Choice,
    MultipleChoiceQuestion,
    NumericQuestion,
    OralQuestion,
    Quiz,
    RubricCriterion,
    TrueFalseQuestion,
    WrittenQuestion,
)
from tests.conftest import make_user


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"Quiz {n}")
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    pass_mark = 70


def mc(quiz, *, order=1, points="1", correct=(0,), n=3, text="Pick"):
    q = MultipleChoiceQuestion.objects.create(
        quiz=quiz, order=order, text=text, points=Decimal(points)
    )
    choices = [
        Choice.objects.create(question=q, text=f"Choice {i}", correct=i in correct, sort_order=i)
        for i in range(n)
    ]
    return q, choices


def tf(quiz, *, order=1, points="1", correct=True):
    return TrueFalseQuestion.objects.create(
        quiz=quiz, order=order, text="True?", points=Decimal(points), correct_answer=correct
    )


def numeric(quiz, *, order=1, points="1", value="100", tolerance="0.5"):
    return NumericQuestion.objects.create(
        quiz=quiz,
        order=order,
        text="How much?",
        points=Decimal(points),
        correct_value=Decimal(value),
        tolerance=Decimal(tolerance),
    )


def written(quiz, *, order=1, points="5", criteria=()):
    q = WrittenQuestion.objects.create(
        quiz=quiz, order=order, text="Describe", points=Decimal(points), grader_notes="Ref"
    )
    for i, (name, maximum) in enumerate(criteria):
        RubricCriterion.objects.create(
            question=q, name=name, max_points=Decimal(maximum), sort_order=i
        )
    if criteria:
        q.points = sum(Decimal(m) for _n, m in criteria)
        q.save()
    return q


def oral(quiz, *, order=1, criteria=(("Needs discovery", "5"), ("Closing", "5"))):
    q = OralQuestion.objects.create(quiz=quiz, order=order, text="Role-play", points=Decimal(1))
    for i, (name, maximum) in enumerate(criteria):
        RubricCriterion.objects.create(
            question=q, name=name, max_points=Decimal(maximum), sort_order=i
        )
    q.points = sum(Decimal(m) for _n, m in criteria)
    q.save()
    return q


def home_page() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title="Onboarding", slug="onboarding")
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home


def quiz_block(quiz, required=True):
    return {
        "type": "quiz",
        "id": str(uuid.uuid4()),
        "value": {"quiz": quiz.pk, "required": required},
    }


def make_program(*quizzes, stages=2) -> ProgramPage:
    """A program whose first stage holds the quizzes (required) and nothing else; further
    stages are empty."""
    home = home_page()
    program = ProgramPage(title="Program", slug=f"program-{uuid.uuid4().hex[:8]}")
    home.add_child(instance=program)
    program.save_revision().publish()
    for n in range(1, stages + 1):
        body = [quiz_block(q) for q in quizzes] if n == 1 else []
        stage = StagePage(title=f"Stage {n}", slug=f"stage-{n}", body=body)
        program.add_child(instance=stage)
        stage.save_revision().publish()
    return program


def enroll(program, trainee=None, *, mentor=None):
    trainee = trainee or make_user(Role.TRAINEE)
    enrollment = course_services.enrollment_create(
        trainee=trainee, program=program, hire_date=date(2026, 1, 12)
    )
    if mentor is not None:
        Mentorship.objects.create(
            enrollment=enrollment, mentor=mentor, started_on=date(2026, 1, 12)
        )
    return enrollment


def first_stage(program):
    return StagePage.objects.child_of(program).order_by("path").first()
