"""The mentor's workspace on "My mentees": each mentee's stages, quizzes, the checklist items
waiting for the mentor and the attempts to grade, each a link away."""

import re
import uuid

import pytest
from django.urls import reverse

from courses import services as course_services
from courses.blocks import Responsible
from courses.models import ProgramPage, StagePage
from quizzes import services as quiz_services
from tests.courses.factories import checklist
from tests.queries import SIGNED_IN
from tests.quizzes.factories import QuizFactory, enroll, home_page, quiz_block, written

pytestmark = pytest.mark.django_db


def program_with_work(quiz):
    """Stage 1: the quiz, an item for the mentor, one for the system administrator and one
    for the trainee; stage 2 (locked at first): another item for the mentor."""
    program = ProgramPage(title="Program", slug=f"program-{uuid.uuid4().hex[:8]}")
    home_page().add_child(instance=program)
    program.save_revision().publish()
    bodies = [
        [
            quiz_block(quiz),
            checklist(
                [
                    ("Listen to three of the trainee's calls", Responsible.MENTOR, True),
                    ("Create the CRM account", Responsible.SYSADMIN, True),
                    ("Read the price list", Responsible.TRAINEE, True),
                ]
            ),
        ],
        [checklist([("Role-play a hard client", Responsible.MENTOR, True)])],
    ]
    for n, body in enumerate(bodies, start=1):
        stage = StagePage(title=f"Stage {n}", slug=f"stage-{n}", body=body)
        program.add_child(instance=stage)
        stage.save_revision().publish()
    return program


def mentee_with_work(program, quiz, mentor):
    enrollment = enroll(program, mentor=mentor)
    attempt = quiz_services.attempt_start(enrollment=enrollment, quiz=quiz, user=enrollment.trainee)
    quiz_services.attempt_submit(attempt=attempt, user=enrollment.trainee)
    return enrollment, attempt


def card_of(page: str, enrollment) -> str:
    pattern = (
        r'<article class="card mentee"[^>]*>(?:(?!</article>).)*?'
        rf"/activity/{enrollment.pk}/.*?</article>"
    )
    found = re.search(pattern, page, re.S)
    assert found, "no card for the mentee"
    return found.group(0)


def test_each_mentee_card_links_to_the_stages_quizzes_items_and_grading(client, mentor):
    quiz = QuizFactory(title="Product survey")
    written(quiz)
    program = program_with_work(quiz)
    enrollment, attempt = mentee_with_work(program, quiz, mentor)
    client.force_login(mentor)
    card = card_of(client.get(reverse("mentors:mentees")).content.decode(), enrollment)

    assert "0 of 2 stages completed" in card
    assert reverse("courses:enrollment_detail", args=[enrollment.pk]) in card
    assert "1 checklist item waits for you" in card
    assert "Listen to three of the trainee&#x27;s calls" in card
    assert f"?enrollment={enrollment.pk}#item-" in card
    # Not the mentor's, or not open yet.
    assert "Create the CRM account" not in card
    assert "Role-play a hard client" not in card
    assert "Product survey" in card
    assert reverse("quizzes:grade", args=[attempt.pk]) in card

    # The mentor ticks their item: it no longer waits.
    stage = StagePage.objects.get(pk=program.get_children().first().pk)
    item_id = next(i for i, item in stage.checklist_items() if item["responsible"] == "mentor")
    course_services.checklist_tick(enrollment=enrollment, stage=stage, item_id=item_id, user=mentor)
    card = card_of(client.get(reverse("mentors:mentees")).content.decode(), enrollment)
    assert "waits for you" not in card


def test_the_links_open_for_the_mentor(client, mentor):
    quiz = QuizFactory(title="Product survey")
    written(quiz)
    program = program_with_work(quiz)
    enrollment, _attempt = mentee_with_work(program, quiz, mentor)
    client.force_login(mentor)
    card = card_of(client.get(reverse("mentors:mentees")).content.decode(), enrollment)
    for href in re.findall(r'href="([^"#]+)', card):
        assert client.get(href).status_code == 200, href


# Signed in; the mentorships, the window counts (the mentorships have no bonus rule, so no
# tiers to prefetch), the stage summaries, the open stages, their ticks, the quiz attempts;
# the attempts awaiting grading; the mentor's statements; the calls picked for review and the
# mentor's two review counts (docs/coaching.md).
WORKSPACE_QUERIES = SIGNED_IN + 8 + 3


@pytest.mark.parametrize("n", [1, 4])
def test_the_workspace_takes_the_same_queries_for_one_mentee_or_four(
    client, mentor, django_assert_num_queries, n
):
    quiz = QuizFactory(title="Product survey")
    written(quiz)
    program = program_with_work(quiz)
    for _ in range(n):
        mentee_with_work(program, quiz, mentor)
    client.force_login(mentor)
    client.get(reverse("mentors:mentees"))  # warm the site-root cache, as any request would
    with django_assert_num_queries(WORKSPACE_QUERIES):
        page = client.get(reverse("mentors:mentees")).content.decode()
    assert page.count("1 checklist item waits for you") == n
