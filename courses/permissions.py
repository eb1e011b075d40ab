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

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from people.permissions import may_manage_enrollments
from people.roles import Role, has_role, user_roles

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
#
# Each item names the party who ticks it (``Responsible``): the trainee, the trainee's active
# mentor, or the people of a role (system administrator, head of department, HR), narrowed
# to one person when the item names a login. Nobody else ticks or unticks it, except HR, who
# may tick any item but the trainee's own *on behalf of* its party (recorded on the tick, and
# shown as such) and undo only such ticks of HR's, never one its responsible person made.


@dataclass(frozen=True)
class Ticker:
    """What decides which checklist items a person ticks on one enrollment, asked once for a
    page of items (``ticker``): at most one query, for whether they are its active mentor."""

    user_id: int | None
    username: str
    is_trainee: bool
    is_mentor: bool
    is_hr: bool
    roles: frozenset


def ticker(user, enrollment) -> Ticker:
    """Who ``user`` is to ``enrollment``'s checklist; without an enrollment, only by role
    and login (the items a system administrator ticks on any trainee's checklist)."""
    if not user.is_authenticated:
        return Ticker(None, "", False, False, False, frozenset())
    return Ticker(
        user_id=user.pk,
        username=user.get_username(),
        is_trainee=enrollment is not None and user.pk == enrollment.trainee_id,
        is_mentor=enrollment is not None and coaching.is_active_mentor_of(user, enrollment),
        is_hr=may_manage_enrollments(user),
        roles=user_roles(user),
    )


def responsible_for(who: Ticker, item) -> bool:
    """Whether the person is the item's responsible party (not merely HR acting for it)."""
    party = item["responsible"]
    if party == Responsible.TRAINEE:
        return who.is_trainee
    if party == Responsible.MENTOR:
        return who.is_mentor
    person = item.get("person") or ""
    if person:
        return who.username == person
    return Responsible.ROLES.get(party) in who.roles


def _acts_for(who: Ticker, item) -> bool:
    """HR ticking an item of another party's (the trainee's own items excepted)."""
    return who.is_hr and item["responsible"] != Responsible.TRAINEE


def _ticks(who: Ticker, item, tick) -> bool:
    """May tick the item (``tick`` None) or undo its ``tick``. On their own enrollment a
    person ticks only the trainee's items, whatever roles they hold (an HR person enrolled as
    a trainee does not tick HR's items for themselves)."""
    if who.is_trainee:
        return item["responsible"] == Responsible.TRAINEE
    if responsible_for(who, item):
        return True
    if not _acts_for(who, item):
        return False
    # HR undoes only what was ticked on someone's behalf, never the responsible's own tick.
    return tick is None or bool(tick.on_behalf_of)


def on_behalf_of(who: Ticker, item) -> str:
    """The party a tick by this person is made for ('' when they are responsible)."""
    return "" if responsible_for(who, item) else item["responsible"]


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


def check_tick(who: Ticker, enrollment, item, progress, *, tick=None) -> None:
    """Tick ``item`` (a checklist item: its ``responsible`` and ``person``) of the stage whose
    progress is ``progress``, or undo its ``tick``: its responsible party does, HR on their
    behalf, while the enrollment is active and the stage open and not completed."""
    if not _ticks(who, item, tick):
        if tick is not None and who.is_hr:
            raise PermissionDenied(
                _("Only the person responsible for this item can undo what they ticked.")
            )
        raise PermissionDenied(_("You may not tick this item."))
    blocker = _checklist_blocker(enrollment, progress)
    if blocker:
        raise ValidationError(blocker)


def may_tick(who: Ticker, enrollment, item, progress, *, tick=None) -> bool:
    return _checklist_blocker(enrollment, progress) is None and _ticks(who, item, tick)


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
