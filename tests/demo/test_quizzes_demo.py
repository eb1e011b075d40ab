"""The demo's quizzes and attempts: every state, consistent with stage progress, idempotent."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.models import Enrollment, StagePage, StageProgress
from demo import quizzes as demo
from mentors.models import Activity
from quizzes import selectors
from quizzes.models import (
    Attempt,
    Question,
    Quiz,
    RolePlaySession,
    SurveyReview,
    WrittenQuestion,
)

pytestmark = pytest.mark.django_db


def test_seed_creates_the_quizzes_and_attempts_in_every_state():
    call_command("seed_demo", "--quiet")
    survey = Quiz.objects.get(slug=demo.SURVEY_SLUG)
    cert = Quiz.objects.get(slug=demo.CERTIFICATION_SLUG)
    check = Quiz.objects.get(slug=demo.PRODUCT_CHECK_SLUG)
    # The product check is purely automatic, pooled, with instant feedback.
    assert check.instant_feedback
    assert check.shuffle_answers
    pool = Question.objects.filter(category=check.pool_category)
    assert pool.count() > check.pool_size
    assert not any(q.is_manual for q in pool)
    assert not Question.objects.filter(quiz=check).exists()
    assert WrittenQuestion.objects.filter(quiz=survey).count() == 7
    assert cert.is_certification
    assert cert.max_attempts == 2
    assert cert.questions.get().criteria.count() == 5
    # The stage and its Russian translation place the same quizzes.
    for language in ("ru", "en"):
        stage = StagePage.objects.get(slug=demo.STAGE_SLUG, locale__language_code=language)
        placed = {b["value"]["quiz"] for b in stage.body.raw_data if b["type"] == "quiz"}
        assert placed == {survey.pk, cert.pk, check.pk}

    statuses = set(Attempt.objects.values_list("status", flat=True))
    assert statuses == {"in_progress", "awaiting_grading", "graded"}
    assert Attempt.objects.filter(status="graded", passed=False).exists()
    assert Attempt.objects.filter(status="graded", passed=True).exists()
    today = timezone.localdate()
    awaiting = list(Attempt.objects.awaiting_grading())
    assert any(a.grading_overdue_on <= today for a in awaiting), "one overdue"
    assert any(0 <= (a.grading_due_on - today).days <= 2 for a in awaiting), "one due soon"

    # consistent with stage progress: whoever completed the stage passed both quizzes
    for progress in StageProgress.objects.filter(stage=stage, status="completed").select_related(
        "enrollment"
    ):
        if progress.enrollment.status == Enrollment.Status.DROPPED:
            continue
        passed = set(
            Attempt.objects.filter(enrollment=progress.enrollment, passed=True).values_list(
                "quiz_id", flat=True
            )
        )
        assert passed == {survey.pk, cert.pk}
        progress.enrollment.refresh_from_db()
        assert progress.enrollment.cleared_for_client_work_on is not None
    for attempt in Attempt.objects.select_related("enrollment"):
        progress = StageProgress.objects.get(enrollment=attempt.enrollment, stage=stage)
        assert progress.status != "locked"
        assert attempt.started_at >= progress.available_at - timezone.timedelta(days=1)

    counts = Attempt.objects.count()
    call_command("seed_demo", "--quiet")
    assert Attempt.objects.count() == counts
    assert Quiz.objects.count() == 3


def test_seed_does_nothing_without_the_program():
    import random

    from demo.people import DemoContext

    demo.seed(DemoContext(today=date(2026, 3, 2), rng=random.Random(1)))
    assert not Quiz.objects.exists()


def test_the_demo_shows_each_state_of_the_certification_and_its_gate(client):
    """A certified trainee, one whose first role-play failed (their page says "last attempt"),
    one with a booked role-play, the director's review, and activity that keeps the gate."""
    call_command("seed_demo", "--quiet")
    cert = Quiz.objects.get(slug=demo.CERTIFICATION_SLUG)
    certified = Enrollment.objects.filter(cleared_for_client_work_on__isnull=False)
    assert certified.exists()
    last = [
        e
        for e in Enrollment.objects.filter(cleared_for_client_work_on__isnull=True)
        if selectors.quiz_state(e, cert).next_is_last
    ]
    assert last
    client.force_login(last[0].trainee)
    assert 'id="last-attempt"' in client.get(f"/quizzes/{cert.slug}/").content.decode()
    session = RolePlaySession.objects.get(status=RolePlaySession.Status.SCHEDULED)
    assert session.scheduled_at > timezone.now()
    client.force_login(session.enrollment.trainee)
    page = client.get(f"/quizzes/{cert.slug}/").content.decode()
    assert 'id="roleplay-session"' in page
    assert 'id="rubric"' in page
    review = SurveyReview.objects.get()
    assert review.reviewer.username == "director"
    assert review.graded_by != review.reviewer
    assert cert.questions.get().criteria.exclude(levels="").count() == 5
    # The gate: no hand-logged client work before the certification day; the CRM's held while
    # the trainee is not certified, released for those certified since.
    gated = ("meeting", "application", "contract")
    for enrollment in Enrollment.objects.all():
        mine = Activity.objects.filter(enrollment=enrollment, kind__in=gated)
        cleared = enrollment.cleared_for_client_work_on
        if cleared is None:
            assert not mine.filter(source="manual").exists()
            assert not mine.filter(before_certification=False).exists()
        else:
            assert not mine.filter(source="manual", occurred_at__date__lt=cleared).exists()
            assert not mine.filter(before_certification=True).exists()
    assert Activity.objects.filter(before_certification=True).exists()
