"""Writes of enrollment and stage progress.

Stage completion is evaluated here when something relevant happens (a checklist tick, a quiz
graded, a signature, a sign-off), never on page view.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from people.languages import languages_of
from people.models import Profile
from people.names import display_name
from people.permissions import may_manage_enrollments
from people.roles import Role
from people.services import Notice, notify_many

from . import coaching, csv_import, permissions, requirements, selectors
from .models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionPage,
    JobDescriptionSignature,
    JobDescriptionVersion,
    ProgramPage,
    ReadinessSignOff,
    StagePage,
    StageProgress,
)


@transaction.atomic
def enrollment_create(
    *, trainee, program: ProgramPage, hire_date: date, enrolled_by=None
) -> Enrollment:
    enrollment = Enrollment(
        trainee=trainee, program=program, hire_date=hire_date, enrolled_by=enrolled_by
    )
    enrollment.full_clean(validate_constraints=False)
    if Enrollment.objects.open().filter(trainee=trainee, program=program).exists():
        raise ValidationError(
            _("%(name)s is already enrolled in %(program)s.")
            % {"name": display_name(trainee), "program": program.title}
        )
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:
        raise ValidationError(_("This trainee is already enrolled in this program.")) from exc
    trainee.groups.add(Group.objects.get(name=Role.TRAINEE))
    EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.ENROLLED, actor=enrolled_by
    )
    enrollment_evaluate(enrollment=enrollment)
    return enrollment


def _sync_progress_rows(enrollment, stages) -> dict[int, StageProgress]:
    existing = {p.stage_id: p for p in StageProgress.objects.filter(enrollment=enrollment)}
    missing = [
        StageProgress(enrollment=enrollment, stage=stage)
        for stage in stages
        if stage.pk not in existing
    ]
    if missing:
        StageProgress.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {p.stage_id: p for p in StageProgress.objects.filter(enrollment=enrollment)}
    return existing


@transaction.atomic
def enrollment_evaluate(*, enrollment: Enrollment, actor=None) -> list[StagePage]:
    """Unlock and complete stages in order; returns the stages completed by this call.

    Stage 1 is available at enrollment; stage N+1 becomes available when stage N completes.
    A stage completes when every requirement (checklist, job description, quizzes, sign-off)
    is done. A completed stage stays completed.
    """
    enrollment = (
        Enrollment.objects.select_for_update().select_related("program").get(pk=enrollment.pk)
    )
    if enrollment.status == Enrollment.Status.DROPPED:
        return []
    stages = selectors.program_stages(enrollment.program)
    progress = _sync_progress_rows(enrollment, stages)
    ticked = set(
        ChecklistTick.objects.filter(enrollment=enrollment).values_list("stage_id", "item_id")
    )
    job = selectors.job_description_of(enrollment.program)
    reqs = requirements.stage_requirements(
        enrollment,
        stages,
        ticked=ticked,
        signed_current=selectors.has_signed_current(enrollment, job),
        signed_off=ReadinessSignOff.objects.filter(enrollment=enrollment).exists(),
    )
    now = timezone.now()
    completed = []
    previous_done = True
    for stage in stages:
        prog = progress[stage.pk]
        changed = []
        if prog.status == StageProgress.Status.LOCKED and previous_done:
            prog.status = StageProgress.Status.AVAILABLE
            prog.available_at = now
            changed += ["status", "available_at"]
        if prog.status in (StageProgress.Status.AVAILABLE, StageProgress.Status.IN_PROGRESS):
            stage_reqs = reqs.get(stage.pk, [])
            if any(r.done for r in stage_reqs) and prog.started_at is None:
                prog.started_at = now
                prog.status = StageProgress.Status.IN_PROGRESS
                changed += ["status", "started_at"]
            if all(r.done for r in stage_reqs):
                prog.status = StageProgress.Status.COMPLETED
                prog.started_at = prog.started_at or now
                prog.completed_at = now
                changed += ["status", "started_at", "completed_at"]
                completed.append(stage)
                EnrollmentEvent.objects.create(
                    enrollment=enrollment,
                    kind=EnrollmentEvent.Kind.STAGE_COMPLETED,
                    actor=actor,
                    reason=stage.title,
                )
        if changed:
            prog.save(update_fields=sorted(set(changed)))
        previous_done = prog.status == StageProgress.Status.COMPLETED
    return completed


def stage_progress_for(enrollment, stage) -> StageProgress | None:
    return StageProgress.objects.filter(enrollment=enrollment, stage=stage).first()


def stage_is_open_to_trainee(enrollment, stage) -> bool:
    prog = stage_progress_for(enrollment, stage)
    return prog is not None and prog.status != StageProgress.Status.LOCKED


def _checklist_item(stage: StagePage, item_id: str):
    for found_id, item in stage.checklist_items():
        if found_id == item_id:
            return item
    raise ValidationError(_("This checklist item no longer exists."))


@transaction.atomic
def checklist_tick(*, enrollment: Enrollment, stage: StagePage, item_id: str, user, done=True):
    """Tick (``done``) or undo one checklist item, as its responsible party or as HR on the
    party's behalf (``courses.permissions``); ticking a ticked item or undoing an open one
    changes nothing."""
    if not _checklist_tick_one(
        enrollment=enrollment, stage=stage, item_id=item_id, user=user, done=done
    ):
        return []
    return enrollment_evaluate(enrollment=enrollment, actor=user)


@transaction.atomic
def checklist_tick_many(
    *, enrollment: Enrollment, stage: StagePage, ticks: list[tuple[str, object]]
) -> list[StagePage]:
    """Tick several items of one stage, each ``(item_id, user)`` checked as ``checklist_tick``
    checks it, and evaluate the enrollment once at the end: all or none are ticked."""
    changed = [
        user
        for item_id, user in ticks
        if _checklist_tick_one(enrollment=enrollment, stage=stage, item_id=item_id, user=user)
    ]
    if not changed:
        return []
    return enrollment_evaluate(enrollment=enrollment, actor=changed[-1])


def _checklist_tick_one(*, enrollment, stage, item_id: str, user, done=True) -> bool:
    """The tick or undo itself, checked; True when something changed."""
    item = _checklist_item(stage, item_id)
    who = permissions.ticker(user, enrollment)
    tick = (
        ChecklistTick.objects.select_for_update()
        .filter(enrollment=enrollment, stage=stage, item_id=item_id)
        .first()
    )
    permissions.check_tick(
        who, enrollment, item, stage_progress_for(enrollment, stage), tick=None if done else tick
    )
    if done == (tick is not None):
        return False
    if done:
        ChecklistTick.objects.create(
            enrollment=enrollment,
            stage=stage,
            item_id=item_id,
            ticked_by=user,
            on_behalf_of=permissions.on_behalf_of(who, item),
        )
    else:
        tick.delete()
    return True


@transaction.atomic
def job_description_sign(*, enrollment: Enrollment, user) -> JobDescriptionSignature:
    job = selectors.job_description_of(enrollment.program)
    permissions.check_sign_job_description(user, enrollment, job)
    revision = job.live_revision
    signature, _created = JobDescriptionSignature.objects.get_or_create(
        enrollment=enrollment,
        page=job,
        revision=revision,
        defaults={"text_sha256": signed_text_sha256(revision)},
    )
    enrollment_evaluate(enrollment=enrollment, actor=user)
    return signature


def signed_text_sha256(revision) -> str:
    """The sha256 of the job description's text as ``revision`` holds it."""
    return hashlib.sha256(revision.as_object().signed_text().encode()).hexdigest()


@transaction.atomic
def job_description_version_record(
    *, page: JobDescriptionPage, revision, user=None
) -> JobDescriptionVersion | None:
    """Called when a job description is published (``page_published``): its first publication
    is version 1, a substantive edit starts the next version and tells every trainee who
    signed an earlier one to read what changed and sign again; a minor edit stays in the
    current version (nobody signs again). Returns the new version, or None."""
    page = JobDescriptionPage.objects.select_for_update().get(pk=page.pk)
    published = revision.as_object()
    last = page.versions.order_by("-number").first()
    if last is not None and (
        last.revision_id == revision.pk or published.edit_kind == JobDescriptionPage.EditKind.MINOR
    ):
        return None
    version = JobDescriptionVersion.objects.create(
        page=page,
        number=last.number + 1 if last else 1,
        revision=revision,
        published_at=revision.created_at or timezone.now(),
        published_by=user,
        change_summary=published.change_summary.strip(),
    )
    if last is not None:
        transaction.on_commit(lambda: _tell_who_must_sign_again(version))
    return version


def _tell_who_must_sign_again(version: JobDescriptionVersion) -> None:
    trainees = selectors.who_must_sign_again(version)
    languages = languages_of([trainee.pk for trainee, _url in trainees])
    notices = []
    for trainee, url in trainees:
        with translation.override(languages[trainee.pk]):
            notices.append(
                Notice(
                    recipient=trainee,
                    title=_("The job description has changed: please sign version %(n)s")
                    % {"n": version.number},
                    body=version.change_summary,
                    url=url,
                    dedupe_key=f"job-description-version:{version.pk}",
                )
            )
    notify_many(notices)


@transaction.atomic
def readiness_sign_off(
    *, enrollment: Enrollment, user, note: str = "", figures: dict | None = None
) -> ReadinessSignOff:
    """The mentor or a director signs the trainee off as ready to work independently."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    permissions.check_sign_off(user, enrollment, overview=selectors.overview(enrollment))
    sign_off, created = ReadinessSignOff.objects.get_or_create(
        enrollment=enrollment,
        defaults={"signed_by": user, "note": note, "figures": figures or {}},
    )
    if created:
        enrollment.status = Enrollment.Status.INDEPENDENT
        enrollment.independent_since = timezone.localdate()
        enrollment.save(update_fields=["status", "independent_since"])
        EnrollmentEvent.objects.create(
            enrollment=enrollment, kind=EnrollmentEvent.Kind.SIGNED_OFF, actor=user, reason=note
        )
        enrollment_evaluate(enrollment=enrollment, actor=user)
    return sign_off


@transaction.atomic
def enrollment_drop(*, enrollment: Enrollment, user, reason: str, on: date | None = None):
    permissions.check_drop_or_reactivate(user)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for dropping the enrollment.")})
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.DROPPED:
        return enrollment
    enrollment.status = Enrollment.Status.DROPPED
    enrollment.dropped_on = on or timezone.localdate()
    enrollment.drop_reason = reason
    enrollment.save(update_fields=["status", "dropped_on", "drop_reason"])
    EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.DROPPED, actor=user, reason=reason
    )
    coaching.enrollment_closed.send(
        sender=Enrollment,
        enrollment=enrollment,
        on=enrollment.dropped_on,
        reason=_("Trainee dropped"),
    )
    return enrollment


@transaction.atomic
def enrollment_reactivate(*, enrollment: Enrollment, user, reason: str):
    permissions.check_drop_or_reactivate(user)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for reactivating the enrollment.")})
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != Enrollment.Status.DROPPED:
        return enrollment
    if (
        Enrollment.objects.open()
        .filter(trainee_id=enrollment.trainee_id, program_id=enrollment.program_id)
        .exists()
    ):
        raise ValidationError(_("The trainee already has an open enrollment in this program."))
    enrollment.status = (
        Enrollment.Status.INDEPENDENT
        if ReadinessSignOff.objects.filter(enrollment=enrollment).exists()
        else Enrollment.Status.ACTIVE
    )
    enrollment.dropped_on = None
    enrollment.save(update_fields=["status", "dropped_on"])
    EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.REACTIVATED, actor=user, reason=reason
    )
    enrollment_evaluate(enrollment=enrollment, actor=user)
    return enrollment


# No look-alike characters (l/1, O/0): HR reads these passwords out to new hires.
READABLE_CHARS = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class ImportResult:
    enrollments: list[Enrollment]
    # New accounts and their initial password, shown once to HR to hand over.
    new_accounts: list[tuple[object, str]]


@transaction.atomic
def enrollments_import(*, data: bytes, enrolled_by, include_staff: bool = False) -> ImportResult:
    """Enroll everyone in HR's CSV, creating missing accounts as trainees; all or nothing.
    An existing staff account is a row error unless ``include_staff`` (HR's explicit choice).

    Raises ``csv_import.ImportFailed`` with every row error and saves nothing when any row is
    invalid.
    """
    if not may_manage_enrollments(enrolled_by):
        raise PermissionDenied(_("Only HR enrolls trainees."))
    rows = csv_import.read_rows(data, include_staff=include_staff)
    User = get_user_model()
    result = ImportResult(enrollments=[], new_accounts=[])
    for row in rows:
        user = row.user
        if user is None:
            password = get_random_string(12, READABLE_CHARS)
            user = User(
                username=row.email,
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
            )
            user.set_password(password)
            user.full_clean()
            user.save()
            Profile.objects.create(user=user, hire_date=row.hire_date)
            result.new_accounts.append((user, password))
        else:
            Profile.objects.get_or_create(user=user, defaults={"hire_date": row.hire_date})
        try:
            enrollment = enrollment_create(
                trainee=user, program=row.program, hire_date=row.hire_date, enrolled_by=enrolled_by
            )
        except ValidationError as exc:
            raise csv_import.ImportFailed(
                [csv_import.RowError(row.row, "email", message) for message in exc.messages]
            ) from exc
        result.enrollments.append(enrollment)
    return result
