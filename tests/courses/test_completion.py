"""The completion rule, stage by stage, through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from courses import requirements, selectors, services
from courses.models import Enrollment, EnrollmentEvent, StageProgress
from mentors.models import Mentorship
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, finish_stage, make_program, stages_of

pytestmark = pytest.mark.django_db

S = StageProgress.Status


def statuses(enrollment):
    return [v.status for v in selectors.overview(enrollment).stages]


def items(stage, responsible=None, required=True):
    return [
        item_id
        for item_id, item in stage.checklist_items()
        if item["required"] == required
        and (responsible is None or item["responsible"] == responsible)
    ]


@pytest.fixture
def program():
    return make_program(stages=3, items=2, others=1)


def test_stage_one_is_available_at_enrollment_and_the_rest_locked(program, hr):
    enrollment = enroll(program, by=hr)
    assert statuses(enrollment) == [S.AVAILABLE, S.LOCKED, S.LOCKED]
    assert enrollment.trainee.groups.filter(name=Role.TRAINEE).exists()
    assert enrollment.events.filter(kind=EnrollmentEvent.Kind.ENROLLED, actor=hr).exists()


def test_ticking_several_items_at_once_evaluates_once_and_is_all_or_nothing(program, hr):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    trainee = enrollment.trainee
    services.job_description_sign(enrollment=enrollment, user=trainee)
    first, second = items(stage1, "trainee")
    sysadmin_items = items(stage1, "sysadmin")
    # The trainee may not tick the system administrator's item: nothing is ticked.
    with pytest.raises(PermissionDenied):
        services.checklist_tick_many(
            enrollment=enrollment,
            stage=stage1,
            ticks=[(first, trainee), (sysadmin_items[0], trainee)],
        )
    assert not enrollment.checklist_ticks.exists()
    completed = services.checklist_tick_many(
        enrollment=enrollment,
        stage=stage1,
        # The same item twice in one call is ticked once.
        ticks=[(first, trainee), (first, trainee), (second, trainee)]
        + [(i, hr) for i in sysadmin_items],
    )
    assert [s.pk for s in completed] == [stage1.pk]
    assert enrollment.checklist_ticks.filter(item_id=first).count() == 1
    assert statuses(enrollment) == [S.COMPLETED, S.AVAILABLE, S.LOCKED]


def test_every_required_trainee_item_is_needed(program, hr):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    trainee = enrollment.trainee
    services.job_description_sign(enrollment=enrollment, user=trainee)
    for item_id in items(stage1, "sysadmin"):
        services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=item_id, user=hr)
    first, second = items(stage1, "trainee")
    services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=first, user=trainee)
    assert statuses(enrollment)[0] == S.IN_PROGRESS
    completed = services.checklist_tick(
        enrollment=enrollment, stage=stage1, item_id=second, user=trainee
    )
    assert [s.pk for s in completed] == [stage1.pk]
    assert statuses(enrollment) == [S.COMPLETED, S.AVAILABLE, S.LOCKED]


def test_items_of_other_people_are_needed_and_optional_items_are_not(program, hr):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    trainee = enrollment.trainee
    services.job_description_sign(enrollment=enrollment, user=trainee)
    for item_id in items(stage1, "trainee"):
        services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=item_id, user=trainee)
    assert statuses(enrollment)[0] == S.IN_PROGRESS  # the system administrator's item is open
    view = selectors.overview(enrollment)
    action = view.next_action()
    assert action.waiting
    assert "System administrator" in action.action
    (admin_item,) = items(stage1, "sysadmin")
    services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=admin_item, user=hr)
    assert statuses(enrollment)[0] == S.COMPLETED
    assert items(stage1, required=False)  # the optional item was never ticked


def test_the_job_description_is_needed_where_the_stage_asks_for_it(program, hr):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    trainee = enrollment.trainee
    for item_id in items(stage1):
        user = trainee if item_id in items(stage1, "trainee") else hr
        services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=item_id, user=user)
    assert statuses(enrollment)[0] == S.IN_PROGRESS
    assert selectors.overview(enrollment).next_action().action == "Sign the job description"
    services.job_description_sign(enrollment=enrollment, user=trainee)
    assert statuses(enrollment)[0] == S.COMPLETED


def test_a_required_quiz_from_a_provider_is_needed(program, hr, monkeypatch):
    """The quizzes app plugs "pass the required quizzes" in through the provider registry."""
    passed = {"value": False}
    stage2 = stages_of(program)[1]

    def quiz_provider(enrollment, stages):
        return {
            stage2.pk: [
                requirements.Requirement(
                    key="quiz:1",
                    label="Product survey",
                    done=passed["value"],
                    action="Take the product survey",
                )
            ]
        }

    monkeypatch.setattr(requirements, "_providers", [quiz_provider])
    enrollment = enroll(program, by=hr)
    stage1, stage2, _stage3 = stages_of(program)
    finish_stage(enrollment, stage1, hr=hr)
    finish_stage(enrollment, stage2, hr=hr)
    assert statuses(enrollment) == [S.COMPLETED, S.IN_PROGRESS, S.LOCKED]
    assert selectors.overview(enrollment).next_action().action == "Take the product survey"
    passed["value"] = True  # the quizzes app grades the attempt, then evaluates
    services.enrollment_evaluate(enrollment=enrollment)
    assert statuses(enrollment) == [S.COMPLETED, S.COMPLETED, S.AVAILABLE]


def test_the_last_stage_needs_the_readiness_sign_off(program, hr, director, mentor):
    enrollment = enroll(program, by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    assert statuses(enrollment) == [S.COMPLETED, S.COMPLETED, S.IN_PROGRESS]
    with pytest.raises(PermissionDenied):
        services.readiness_sign_off(enrollment=enrollment, user=enrollment.trainee)
    with pytest.raises(PermissionDenied):
        services.readiness_sign_off(enrollment=enrollment, user=hr)
    with pytest.raises(PermissionDenied):  # a mentor, but not this trainee's
        services.readiness_sign_off(enrollment=enrollment, user=mentor)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 3))
    services.readiness_sign_off(enrollment=enrollment, user=mentor, note="Plan met twice.")
    enrollment.refresh_from_db()
    assert statuses(enrollment) == [S.COMPLETED] * 3
    assert enrollment.status == Enrollment.Status.INDEPENDENT
    assert enrollment.independent_since is not None
    assert selectors.overview(enrollment).percent == 100


def test_sign_off_waits_for_the_last_stage_and_its_open_tasks(program, hr, director):
    enrollment = enroll(program, by=hr)
    with pytest.raises(ValidationError, match="not reached the last stage"):
        services.readiness_sign_off(enrollment=enrollment, user=director)
    stage1, stage2, stage3 = stages_of(program)
    finish_stage(enrollment, stage1, hr=hr)
    finish_stage(enrollment, stage2, hr=hr)
    with pytest.raises(ValidationError, match="open tasks"):
        services.readiness_sign_off(enrollment=enrollment, user=director)
    finish_stage(enrollment, stage3, hr=hr)
    services.readiness_sign_off(enrollment=enrollment, user=director)
    assert statuses(enrollment)[-1] == S.COMPLETED


def test_stages_unlock_in_order(program, hr):
    enrollment = enroll(program, by=hr)
    stage1, stage2, _stage3 = stages_of(program)
    with pytest.raises(ValidationError, match="not available"):
        services.checklist_tick(
            enrollment=enrollment,
            stage=stage2,
            item_id=items(stage2, "trainee")[0],
            user=enrollment.trainee,
        )
    finish_stage(enrollment, stage1, hr=hr)
    assert statuses(enrollment) == [S.COMPLETED, S.AVAILABLE, S.LOCKED]
    finish_stage(enrollment, stage2, hr=hr)
    assert statuses(enrollment) == [S.COMPLETED, S.COMPLETED, S.AVAILABLE]
    assert enrollment.events.filter(kind=EnrollmentEvent.Kind.STAGE_COMPLETED).count() == 2


def test_who_may_tick_what(program, hr, mentor):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    trainee_item = items(stage1, "trainee")[0]
    admin_item = items(stage1, "sysadmin")[0]
    other_trainee = make_user(Role.TRAINEE)
    with pytest.raises(PermissionDenied):
        services.checklist_tick(
            enrollment=enrollment, stage=stage1, item_id=admin_item, user=enrollment.trainee
        )
    with pytest.raises(PermissionDenied):
        services.checklist_tick(
            enrollment=enrollment, stage=stage1, item_id=trainee_item, user=other_trainee
        )
    with pytest.raises(PermissionDenied):
        services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=trainee_item, user=hr)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 3))
    with pytest.raises(PermissionDenied):  # the mentor ticks the mentor's items only
        services.checklist_tick(
            enrollment=enrollment, stage=stage1, item_id=admin_item, user=mentor
        )
    sysadmin = make_user(Role.SYSTEM_ADMINISTRATOR)
    services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=admin_item, user=sysadmin)
    tick = enrollment.checklist_ticks.get(item_id=admin_item)
    assert tick.ticked_by == sysadmin
    assert tick.on_behalf_of == ""
    assert tick.ticked_at is not None


def test_untick_and_completed_stages_stay_completed(program, hr):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    trainee = enrollment.trainee
    first = items(stage1, "trainee")[0]
    services.checklist_tick(enrollment=enrollment, stage=stage1, item_id=first, user=trainee)
    services.checklist_tick(
        enrollment=enrollment, stage=stage1, item_id=first, user=trainee, done=False
    )
    assert not enrollment.checklist_ticks.exists()
    finish_stage(enrollment, stage1, hr=hr)
    with pytest.raises(ValidationError, match="completed"):
        services.checklist_tick(
            enrollment=enrollment, stage=stage1, item_id=first, user=trainee, done=False
        )


def test_re_signing_after_a_new_revision_is_published(program, hr):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    finish_stage(enrollment, stage1, hr=hr)
    job = program.job_description()
    first_revision = job.live_revision_id
    view = selectors.overview(enrollment)
    assert view.signed_current
    assert not view.needs_resign

    job.responsibilities = "<p>Sell, and keep the CRM up to date.</p>"
    job.save_revision().publish()
    view = selectors.overview(enrollment)
    assert not view.signed_current
    assert view.needs_resign
    assert "sign again" in view.next_action().action
    assert statuses(enrollment)[0] == S.COMPLETED  # a completed stage stays completed

    services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)
    view = selectors.overview(enrollment)
    assert view.signed_current
    assert not view.needs_resign
    revisions = set(enrollment.signatures.values_list("revision_id", flat=True))
    assert first_revision in revisions
    assert len(revisions) == 2


def test_only_the_trainee_signs_and_only_a_published_revision(program, hr):
    enrollment = enroll(program, by=hr)
    with pytest.raises(PermissionDenied):
        services.job_description_sign(enrollment=enrollment, user=hr)
    program.job_description().unpublish()
    with pytest.raises(ValidationError):
        services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)


def test_one_open_enrollment_per_trainee_and_program(program, hr):
    enrollment = enroll(program, by=hr)
    with pytest.raises(ValidationError, match="already enrolled"):
        enroll(program, enrollment.trainee, by=hr)
    services.enrollment_drop(enrollment=enrollment, user=hr, reason="Left")
    again = enroll(program, enrollment.trainee, by=hr)
    assert again.pk != enrollment.pk
    with pytest.raises(ValidationError, match="already has an open enrollment"):
        services.enrollment_reactivate(enrollment=enrollment, user=hr, reason="Back")


def test_drop_and_reactivate_keep_a_reasoned_history(program, hr, head_of_sales):
    enrollment = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    with pytest.raises(ValidationError):
        services.enrollment_drop(enrollment=enrollment, user=hr, reason="  ")
    with pytest.raises(PermissionDenied):
        services.enrollment_drop(enrollment=enrollment, user=head_of_sales, reason="No")
    services.enrollment_drop(enrollment=enrollment, user=hr, reason="Moved to logistics")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.DROPPED
    assert enrollment.dropped_on
    with pytest.raises(ValidationError, match="not active"):
        services.checklist_tick(
            enrollment=enrollment,
            stage=stage1,
            item_id=items(stage1, "trainee")[0],
            user=enrollment.trainee,
        )
    services.enrollment_reactivate(enrollment=enrollment, user=hr, reason="Came back")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert enrollment.dropped_on is None
    kinds = list(enrollment.events.values_list("kind", "reason"))
    assert ("dropped", "Moved to logistics") in kinds
    assert ("reactivated", "Came back") in kinds
