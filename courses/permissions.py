"""Who may do what with enrollments, checklists, the job description and the sign-off.

Two functions per action that depends on the object:

- ``check_<action>(user, ...)`` raises the refusal the service raises: ``PermissionDenied``
  when this person may never do it, ``ValidationError`` (with the reason, in words for the
  page) when it cannot be done now;
- ``may_<action>(user, ...)`` answers the same question with True or False, for the pages
  that offer the form or the button.

Both read the same rules, so a page offers a form exactly where its service accepts it. The
role predicates they build on are in ``people.permissions``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from people.permissions import may_manage_enrollments
from people.roles import Role, has_role

from . import coaching
from .blocks import Responsible
from .models import Enrollment, StageProgress

# --- Drop and reactivate ------------------------------------------------------------------


def check_drop_or_reactivate(user) -> None:
    if not may_manage_enrollments(user):
        raise PermissionDenied(_("Only HR drops and reactivates enrollments."))


def may_drop(user, enrollment) -> bool:
    """HR drops an enrollment that is not dropped yet (dropping it again changes nothing)."""
    return enrollment.status != Enrollment.Status.DROPPED and may_manage_enrollments(user)


def may_reactivate(user, enrollment) -> bool:
    """HR reactivates a dropped enrollment (the service refuses, with the reason, when the
    trainee has opened another enrollment in the program meanwhile)."""
    return enrollment.status == Enrollment.Status.DROPPED and may_manage_enrollments(user)


# --- Checklists ---------------------------------------------------------------------------


def ticks_for_others(user, enrollment) -> bool:
    """HR and the trainee's active mentor tick the items the trainee is not responsible for
    (the mentor's, HR's, the system administrator's...), never on their own enrollment (an
    HR person enrolled as a trainee ticks only the trainee's items). One query for a mentor."""
    if user.pk == enrollment.trainee_id:
        return False
    return may_manage_enrollments(user) or coaching.is_active_mentor_of(user, enrollment)


def _ticks(user, enrollment, item, for_others: bool | None) -> bool:
    if item["responsible"] == Responsible.TRAINEE:
        return user.pk == enrollment.trainee_id
    return ticks_for_others(user, enrollment) if for_others is None else for_others


def _checklist_blocker(enrollment, progress) -> str | None:
    """Why the stage's checklist takes no change now, or None."""
    if enrollment.status != Enrollment.Status.ACTIVE:
        return _("This enrollment is not active.")
    if progress is None or progress.status == StageProgress.Status.LOCKED:
        return _("This stage is not available yet.")
    if progress.status == StageProgress.Status.COMPLETED:
        # A completed stage stays completed; a change would make its checklist disagree.
        return _("This stage is completed; its checklist can no longer change.")
    return None


def checklist_takes_changes(enrollment, progress) -> bool:
    return _checklist_blocker(enrollment, progress) is None


def check_tick(user, enrollment, item, progress, *, for_others: bool | None = None) -> None:
    """Tick or untick ``item`` (a checklist item: its ``responsible``) of the stage whose
    progress is ``progress``: the trainee ticks their own items, HR and the active mentor
    the others', while the enrollment is active and the stage open and not completed.

    ``for_others`` is ``ticks_for_others(user, enrollment)`` when the caller knows it already
    (a page of items asks once); it is not read when the stage takes no change."""
    if not _ticks(user, enrollment, item, for_others):
        raise PermissionDenied(_("You may not tick this item."))
    blocker = _checklist_blocker(enrollment, progress)
    if blocker:
        raise ValidationError(blocker)


def may_tick(user, enrollment, item, progress, *, for_others: bool | None = None) -> bool:
    return _checklist_blocker(enrollment, progress) is None and _ticks(
        user, enrollment, item, for_others
    )


# --- The job description ------------------------------------------------------------------


def _job_description_blocker(enrollment, job) -> str | None:
    if enrollment.status == Enrollment.Status.DROPPED:
        return _("This enrollment is not active.")
    if job is None or job.live_revision_id is None:
        return _("There is no published job description to sign.")
    return None


def check_sign_job_description(user, enrollment, job) -> None:
    """Only the trainee signs their job description, its published revision, unless dropped."""
    if user.pk != enrollment.trainee_id:
        raise PermissionDenied(_("Only the trainee signs their job description."))
    blocker = _job_description_blocker(enrollment, job)
    if blocker:
        raise ValidationError(blocker)


def may_sign_job_description(user, enrollment, job) -> bool:
    return user.pk == enrollment.trainee_id and _job_description_blocker(enrollment, job) is None


# --- The readiness sign-off ---------------------------------------------------------------


def _signs_off(user, enrollment) -> bool:
    """The trainee's active mentor or a director (or a superuser), never the trainee: a
    director enrolled as a trainee is signed off by someone else. One query for a mentor."""
    return (
        user.is_authenticated
        and user.pk != enrollment.trainee_id
        and (
            user.is_superuser
            or has_role(user, Role.DIRECTOR)
            or coaching.is_active_mentor_of(user, enrollment)
        )
    )


def _sign_off_blocker(enrollment, overview) -> str | None:
    """Why the trainee cannot be signed off now, or None: read from the enrollment's
    ``overview`` (``courses.selectors.overview``), which the pages have already."""
    if enrollment.status == Enrollment.Status.DROPPED:
        return _("A dropped enrollment cannot be signed off.")
    if enrollment.status == Enrollment.Status.INDEPENDENT:
        return _("The trainee is already signed off.")
    last = overview.stages[-1] if overview.stages else None
    if last is None or last.is_locked:
        return _("The trainee has not reached the last stage yet.")
    open_tasks = [req.label for req in last.requirements if not req.done and req.key != "sign_off"]
    if open_tasks:
        return _("The trainee still has open tasks in the last stage: %(tasks)s.") % {
            "tasks": "; ".join(open_tasks)
        }
    return None


def check_sign_off(user, enrollment, *, overview) -> None:
    """The mentor or a director signs an active trainee off as ready once the last stage is
    open and everything in it but the sign-off is done."""
    if user.pk == enrollment.trainee_id:
        raise PermissionDenied(_("Nobody signs off their own enrollment."))
    if not _signs_off(user, enrollment):
        raise PermissionDenied(_("Only the trainee's mentor or a director can sign off."))
    blocker = _sign_off_blocker(enrollment, overview)
    if blocker:
        raise ValidationError(blocker)


def may_sign_off(user, enrollment, *, overview) -> bool:
    return _sign_off_blocker(enrollment, overview) is None and _signs_off(user, enrollment)
