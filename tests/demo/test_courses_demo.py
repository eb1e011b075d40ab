"""The demo program and the demo trainees' progress (seed_demo)."""

import pytest

from courses import selectors
from courses.models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionPage,
    JobDescriptionSignature,
    JobDescriptionVersion,
    ProgramPage,
    StagePage,
    StageProgress,
)
from demo.courses import PROGRAM_SLUG, STAGE_SLUGS
from tests.courses.factories import seed_courses_demo

pytestmark = pytest.mark.django_db
MODELS = [
    ProgramPage,
    StagePage,
    JobDescriptionPage,
    Enrollment,
    StageProgress,
    ChecklistTick,
    JobDescriptionSignature,
    EnrollmentEvent,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def completed_stages(enrollment):
    return sum(1 for v in selectors.overview(enrollment).stages if v.status == "completed")


def test_seed_is_idempotent_and_builds_the_program():
    ctx = seed_courses_demo()
    assert ctx.created["enrollments"] == 12
    first = counts()
    again = seed_courses_demo()
    assert counts() == first
    assert "enrollments" not in again.created
    assert "pages" not in again.created

    program = ProgramPage.objects.get(slug=PROGRAM_SLUG)
    assert program.title == "Account manager onboarding"
    assert program.ramp_up_months == 6
    stages = selectors.program_stages(program)
    assert [s.slug for s in stages] == STAGE_SLUGS
    assert stages[0].requires_job_description
    for stage in stages:
        assert stage.checklist_items()
        assert stage.summary
        assert all(b.id for b in stage.body)
    job = program.job_description()
    assert job.slug == "job-description"
    assert all(text for _title, text in job.sections())


def test_block_ids_are_deterministic():
    seed_courses_demo()
    ids = [i for i, _ in StagePage.objects.get(slug="introduction").checklist_items()]
    from demo.courses import block_id

    assert ids[0] == block_id("introduction", "item", "policies")


def test_trainees_are_spread_over_the_stages():
    seed_courses_demo()
    enrollments = list(
        Enrollment.objects.select_related("trainee", "program").order_by("hire_date")
    )
    assert len(enrollments) == 12
    by_name = {e.trainee.username: e for e in enrollments}
    dropped = by_name["trainee5"]
    assert dropped.status == Enrollment.Status.DROPPED
    assert dropped.drop_reason
    active = [e for e in enrollments if e.status == Enrollment.Status.ACTIVE]
    done = [completed_stages(e) for e in active]
    assert done[0] == 3
    assert done[-1] == 0
    assert 2 in done
    assert 1 in done
    assert done == sorted(done, reverse=True)
    for enrollment in enrollments:
        assert enrollment.enrolled_by.username == "hr"
        for prog in enrollment.progress.exclude(available_at=None):
            assert prog.available_at.date() >= enrollment.hire_date
            if prog.completed_at:
                assert prog.completed_at >= prog.available_at
    newest = enrollments[-1]
    assert not newest.signatures.exists()  # left for the trainee to sign


def test_the_job_description_was_published_before_anyone_signed_it():
    """Version 1 is dated at the program's start, before the first enrollment, so every
    backdated signature comes after the version it signs (not on the day the demo was built)."""
    seed_courses_demo()
    first = JobDescriptionVersion.objects.get(number=1, page__locale__language_code="en")
    signatures = JobDescriptionSignature.objects.all()
    assert signatures.exists()
    assert all(s.signed_at > first.published_at for s in signatures)
    assert first.published_at < min(e.enrolled_at for e in Enrollment.objects.all())
    assert first.published_at.date() < min(e.hire_date for e in Enrollment.objects.all())
