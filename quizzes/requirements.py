"""The quizzes' part of a stage's requirements: every required quiz block must be passed."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.requirements import Requirement

from . import selectors


def quiz_requirements(enrollment, stages) -> dict[int, list[Requirement]]:
    """{stage id: [Requirement, ...]} for all stages at once, in two queries (none without a
    quiz placed).

    The states of every placed quiz, required or not, are computed and remembered on the
    enrollment object: the stage page's quiz blocks show them (quizzes_tags), and all of
    them cost the same two queries. The stages' bodies get the quizzes loaded here, so
    rendering their quiz blocks asks none."""
    placements = {stage.pk: selectors.quiz_blocks_raw(stage) for stage in stages}
    ids = {qid for found in placements.values() for qid, _required in found}
    if not ids:
        return {}
    states = selectors.placed_quiz_states(enrollment, ids)
    selectors.remember_quiz_states(enrollment, states)
    quizzes = {quiz_id: state.quiz for quiz_id, state in states.items()}
    for stage in stages:  # the body shown, and the original's when shown in a translation's
        for body in {
            id(stage.body): stage.body,
            id(stage.requirements_body): stage.requirements_body,
        }.values():
            selectors.prime_quiz_blocks(body, quizzes)
    result: dict[int, list[Requirement]] = {}
    for stage in stages:
        reqs = []
        seen = set()
        for quiz_id, required in placements[stage.pk]:
            if not required or quiz_id not in states or quiz_id in seen:
                continue
            seen.add(quiz_id)
            reqs.append(requirement_for(states[quiz_id]))
        if reqs:
            result[stage.pk] = reqs
    return result


def requirement_for(state: selectors.QuizState) -> Requirement:
    quiz = state.quiz
    label = _("Pass the %(quiz)s") % {"quiz": quiz.title}
    quiz_url = reverse("quizzes:quiz", args=[quiz.slug])
    key = f"quiz:{quiz.pk}"
    status = state.status
    if status == "passed":
        return Requirement(key=key, label=label, done=True, url=quiz_url)
    if status == "awaiting_grading":
        due = date_format(state.awaiting.grading_due_on, "DATE_FORMAT")
        return Requirement(
            key=key,
            label=label,
            done=False,
            action=_("Waiting for your mentor to grade — due by %(date)s") % {"date": due},
            url=reverse("quizzes:attempt", args=[state.awaiting.pk]),
            waiting=True,
        )
    if status == "in_progress":
        return Requirement(
            key=key,
            label=label,
            done=False,
            action=_("Take the %(quiz)s") % {"quiz": quiz.title},
            url=reverse("quizzes:attempt", args=[state.in_progress.pk]),
        )
    if status == "failed":
        return Requirement(
            key=key,
            label=label,
            done=False,
            action=_("Retake the %(quiz)s") % {"quiz": quiz.title},
            url=quiz_url,
        )
    if status == "out_of_attempts":
        return Requirement(
            key=key,
            label=label,
            done=False,
            action=_("Waiting for HR: no attempts left at the %(quiz)s") % {"quiz": quiz.title},
            url=quiz_url,
            waiting=True,
        )
    return Requirement(
        key=key,
        label=label,
        done=False,
        action=_("Take the %(quiz)s") % {"quiz": quiz.title},
        url=quiz_url,
    )
