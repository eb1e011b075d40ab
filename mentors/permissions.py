"""Who may do what with mentorships, activity records and bonus statements.

As in ``courses.permissions``: ``check_<action>`` raises what the service raises
(``PermissionDenied``: never this person; ``ValidationError``: not now, and why), and
``may_<action>`` answers the same question with True or False for the pages, the API and the
templates (``{% load mentors_permissions %}``). The role predicates they build on
(``may_assign_mentors``, ``may_approve_bonuses``...) are in ``people.permissions``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import coaching
from people.names import display_name
from people.permissions import (
    grades_all_attempts,
    is_integration,
    is_mentor,
    may_approve_bonuses,
    may_assign_mentors,
    sees_all_trainees,
)
from people.roles import Role, has_role

from .models import Activity, BonusStatement, Mentorship
from .provenance import TYPED_PROVENANCES


def sees_all_activity(user) -> bool:
    """Directors, HR, the head of sales and integration users see every trainee's records."""
    return sees_all_trainees(user) or is_integration(user)


def may_post_activities(user) -> bool:
    """Who posts activity batches to the API: holders of mentors.add_activity (the
    Integration group; HR and the head of sales hold it for the admin too)."""
    return user.is_authenticated and user.has_perm("mentors.add_activity")


# --- Mentorships --------------------------------------------------------------------------


def check_end_mentorship(user, mentorship) -> None:
    if not may_assign_mentors(user):
        raise PermissionDenied(_("Only HR or the head of sales ends mentorships."))
    if not mentorship.is_active:
        raise ValidationError(_("This mentorship has already ended."))


def may_end_mentorship(user, mentorship) -> bool:
    return mentorship.is_active and may_assign_mentors(user)


# --- Activities ---------------------------------------------------------------------------


def may_record_activity(user, enrollment) -> bool:
    """The trainee themselves, their active mentor, HR and the head of sales."""
    if not user.is_authenticated:
        return False
    if enrollment.trainee_id == user.pk or may_assign_mentors(user):
        return True
    return Mentorship.objects.active().filter(enrollment=enrollment, mentor=user).exists()


def check_delete_activity(user, activity) -> None:
    """Hand-logged entries are deleted by their author; HR and the head of sales delete any
    entry, imported ones too (a wrong CRM row they correct here)."""
    if may_assign_mentors(user):
        return
    if not user.is_authenticated or activity.recorded_by_id != user.pk:
        raise PermissionDenied(_("You may delete only the entries you logged."))
    if activity.source != Activity.Source.MANUAL:
        raise PermissionDenied(_("Imported entries are corrected at their source."))


def may_delete_activity(user, activity) -> bool:
    """No query: the roles are read once per request."""
    return may_assign_mentors(user) or (
        user.is_authenticated
        and activity.recorded_by_id == user.pk
        and activity.source == Activity.Source.MANUAL
    )


# --- Bonus statements ---------------------------------------------------------------------
#
# Separation of duties (docs/security.md): nobody approves, exports or marks paid a statement
# on which they are the mentor, and with settings.BONUS_PAYMENT_NEEDS_SECOND_PERSON (on by
# default) the person who approved a statement does not also mark it paid. The statement's
# ``mentorship`` is read (select_related on the lists, so no query per row).


def _is_statement_mentor(user, statement) -> bool:
    return statement.mentorship.mentor_id == user.pk


def _approved_it(user, statement) -> bool:
    return settings.BONUS_PAYMENT_NEEDS_SECOND_PERSON and statement.approved_by_id == user.pk


def check_approve_statement(user, statement) -> None:
    if not may_approve_bonuses(user):
        raise PermissionDenied(_("Only a director or the head of sales approves bonuses."))
    if _is_statement_mentor(user, statement):
        raise PermissionDenied(
            _("You are the mentor on this statement: another approver approves it.")
        )
    if statement.status != BonusStatement.Status.FINAL:
        raise ValidationError(
            _("Only a final statement can be approved; this one is %(status)s.")
            % {"status": statement.get_status_display().lower()}
        )


def may_approve_statement(user, statement) -> bool:
    return (
        statement.status == BonusStatement.Status.FINAL
        and may_approve_bonuses(user)
        and not _is_statement_mentor(user, statement)
    )


def check_export_statements(user) -> None:
    if not may_approve_bonuses(user):
        raise PermissionDenied(_("Only a director or the head of sales exports bonuses."))


def may_export_statements(user) -> bool:
    return may_approve_bonuses(user)


def may_export_statement(user, statement) -> bool:
    """Whether ``statement`` goes into this user's payroll file: approved, and not one on
    which they are the mentor (``services.statements_export`` leaves those out)."""
    return (
        statement.status == BonusStatement.Status.APPROVED
        and may_approve_bonuses(user)
        and not _is_statement_mentor(user, statement)
    )


def check_export_statement(user, statement) -> None:
    """Asked of every statement a payroll export is about to put in a batch (after
    ``check_export_statements``): approved, and in no batch yet."""
    if _is_statement_mentor(user, statement):
        raise PermissionDenied(
            _("You are the mentor on this statement: another approver exports it.")
        )
    if statement.status != BonusStatement.Status.APPROVED:
        raise ValidationError(_("Only approved statements are exported for payroll."))
    if statement.payroll_batch_id is not None:
        raise ValidationError(_("This statement is already in a payroll batch."))


def _mark_paid_blocker(statement) -> str | None:
    if statement.status != BonusStatement.Status.APPROVED:
        return _("Only an approved statement can be marked paid.")
    if statement.payroll_batch_id is None:
        return _("Export the statement for payroll before marking it paid.")
    return None


def check_mark_statement_paid(user, statement) -> None:
    if not may_approve_bonuses(user):
        raise PermissionDenied(_("Only a director or the head of sales marks bonuses paid."))
    if _is_statement_mentor(user, statement):
        raise PermissionDenied(
            _("You are the mentor on this statement: another approver marks it paid.")
        )
    if _approved_it(user, statement):
        raise PermissionDenied(_("You approved this statement: a second person marks it paid."))
    blocker = _mark_paid_blocker(statement)
    if blocker:
        raise ValidationError(blocker)


def may_mark_statement_paid(user, statement) -> bool:
    return (
        _mark_paid_blocker(statement) is None
        and may_approve_bonuses(user)
        and not _is_statement_mentor(user, statement)
        and not _approved_it(user, statement)
    )


def statement_duty_conflict(user, statement) -> str | None:
    """Why this user takes no decision on ``statement`` though their role would, for the
    list's row: they are its mentor, or they approved it and a second person pays it."""
    if _is_statement_mentor(user, statement):
        return _("You are the mentor: another approver decides.")
    if statement.status == BonusStatement.Status.APPROVED and _approved_it(user, statement):
        return _("You approved it: a second person marks it paid.")
    return None


# --- Payroll batches ----------------------------------------------------------------------


def may_see_payroll_batches(user) -> bool:
    return may_approve_bonuses(user)


def check_mark_batch_paid(user, batch) -> None:
    """Before a batch is paid (then every statement of it passes ``check_mark_statement_paid``)."""
    if not may_approve_bonuses(user):
        raise PermissionDenied(_("Only a director or the head of sales marks bonuses paid."))
    if batch.paid_at is not None:
        raise ValidationError(
            _("Payroll batch %(number)s was already marked paid on %(date)s by %(name)s.")
            % {
                "number": batch.number,
                "date": date_format(timezone.localtime(batch.paid_at), "DATETIME_FORMAT"),
                "name": display_name(batch.paid_by) if batch.paid_by_id else "—",
            }
        )


def may_mark_batch_paid(user, batch, statements=None) -> bool:
    """Whether the batch can be paid by this user: unpaid, and none of its statements is one
    they mentor or approved (``statements``: the batch's, when the page has them already)."""
    if batch.paid_at is not None or not may_approve_bonuses(user):
        return False
    statements = batch.statements.all() if statements is None else statements
    return not any(
        _is_statement_mentor(user, s) or _approved_it(user, s)
        for s in statements
        if s.status != BonusStatement.Status.PAID
    )


# --- Bonus rules ---------------------------------------------------------------------------


def may_edit_bonus_rules(user) -> bool:
    """The roles in settings.BONUS_RULE_EDITOR_ROLES (the director by default; never the head
    of sales by default, whose own bonus the rule pays) and superusers change a rule's
    figures or create a rule: in the admin and in ``rule_versions.bonus_rule_change``."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, *settings.BONUS_RULE_EDITOR_ROLES)


def check_edit_bonus_rules(user) -> None:
    if not may_edit_bonus_rules(user):
        raise PermissionDenied(_("Only a director changes the bonus rules."))


# --- Confirming typed activity -------------------------------------------------------------


def _confirm_blocker(user, activity, *, mentor_ids) -> str | None:
    """Why ``user`` may not confirm ``activity`` now (None: they may). ``mentor_ids`` are the
    people who mentor or mentored the activity's enrollment."""
    if activity.provenance not in TYPED_PROVENANCES:
        return _("Only typed entries are confirmed; this one came from %(way)s.") % {
            "way": activity.get_provenance_display()
        }
    if activity.confirmed_at is not None:
        return _("This entry is already confirmed.")
    if activity.recorded_by_id == user.pk:
        return _("Someone else confirms the entries you typed.")
    if activity.enrollment.trainee_id == user.pk:
        return _("A trainee does not confirm their own activity.")
    if user.pk in mentor_ids:
        return _("A trainee's mentor does not confirm their activity: the bonus is theirs.")
    return None


def is_activity_confirmer(user) -> bool:
    """The roles in settings.ACTIVITY_CONFIRMER_ROLES (HR and the head of sales by default)."""
    return user.is_authenticated and has_role(user, *settings.ACTIVITY_CONFIRMER_ROLES)


def check_activity_confirmer(user) -> None:
    if not is_activity_confirmer(user):
        raise PermissionDenied(_("Only HR or the head of sales confirms typed activity."))


def check_confirm_activity(user, activity, *, mentor_ids) -> None:
    check_activity_confirmer(user)
    blocker = _confirm_blocker(user, activity, mentor_ids=mentor_ids)
    if blocker:
        raise ValidationError(blocker)


def may_confirm_activity(user, activity, *, mentor_ids) -> bool:
    return is_activity_confirmer(user) and (
        _confirm_blocker(user, activity, mentor_ids=mentor_ids) is None
    )


# --- Background imports -------------------------------------------------------------------


def may_import_activities(user) -> bool:
    """HR and the head of sales upload activity files (and start imports)."""
    return may_assign_mentors(user)


def sees_all_import_jobs(user) -> bool:
    """HR and the head of sales see every import; anyone else only the ones they started."""
    return may_assign_mentors(user)


def may_cancel_import_job(user, job) -> bool:
    """Whoever sees a job may cancel it while it runs."""
    return not job.is_finished and (sees_all_import_jobs(user) or job.started_by_id == user.pk)


# --- Call recordings and reviews (docs/coaching.md, docs/security.md) ------------------------


def _mentors_call(user, activity) -> bool:
    return is_mentor(user) and coaching.is_active_mentor_of(user, activity.enrollment_id)


def may_hear_call(user, activity) -> bool:
    """Who hears a call's recording and reads its review: the trainee who made the call,
    their active mentor, HR and directors. Not the head of sales, not other trainees."""
    if not user.is_authenticated:
        return False
    if activity.enrollment.trainee_id == user.pk or grades_all_attempts(user):
        return True
    return _mentors_call(user, activity)


def check_attach_call_recording(user, activity) -> None:
    """The trainee, their active mentor, HR, directors, or a connector's account attach a
    call's recording; only to a call."""
    allowed = (
        activity.enrollment.trainee_id == user.pk
        or grades_all_attempts(user)
        or is_integration(user)
        or _mentors_call(user, activity)
    )
    if not user.is_authenticated or not allowed:
        raise PermissionDenied(_("Only the trainee, their mentor or HR attaches a recording."))
    if activity.kind != Activity.Kind.CALL:
        raise ValidationError(_("Only a call carries a recording."))


def check_pick_call(user, activity) -> None:
    """The trainee or their active mentor picks a recorded call for review."""
    if not (activity.enrollment.trainee_id == user.pk or _mentors_call(user, activity)):
        raise PermissionDenied(_("Only the trainee or their mentor picks calls for review."))


def may_pick_call(user, activity) -> bool:
    return activity.enrollment.trainee_id == user.pk or _mentors_call(user, activity)


def check_review_call(user, activity) -> None:
    """The active mentor, HR or a director reviews a call; nobody reviews their own."""
    if activity.enrollment.trainee_id == user.pk:
        raise PermissionDenied(_("Nobody reviews their own call."))
    if not (grades_all_attempts(user) or _mentors_call(user, activity)):
        raise PermissionDenied


def may_review_call(user, activity) -> bool:
    return activity.enrollment.trainee_id != user.pk and (
        grades_all_attempts(user) or _mentors_call(user, activity)
    )


def check_override_call_review(user, activity) -> None:
    """HR and directors change a saved call review (with a reason), as they override a
    quiz's grade (quizzes.permissions.check_override): never on their own call."""
    if activity.enrollment.trainee_id == user.pk:
        raise PermissionDenied(_("Nobody overrides the review of their own call."))
    if not grades_all_attempts(user):
        raise PermissionDenied


def may_override_call_review(user, activity) -> bool:
    return activity.enrollment.trainee_id != user.pk and grades_all_attempts(user)


# --- Activity connectors (mentors/sources/, docs/sources.md) ----------------------------------


def may_manage_connectors(user) -> bool:
    """HR and administrators (superusers) set up the activity connectors, map identities,
    run a connector now and re-apply the mappings."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or has_role(user, Role.HR)


def check_manage_connectors(user) -> None:
    if not may_manage_connectors(user):
        raise PermissionDenied(_("Only HR or an administrator manages the activity connectors."))
