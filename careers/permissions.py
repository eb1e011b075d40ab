"""Who may do what on the career ladder.

``check_<action>`` raises what the service raises (``PermissionDenied``: never this person;
``ValidationError``: not now, and why); ``may_<action>`` answers the same question for the
pages and templates. The role predicates are in ``people.permissions``. Separation of duties:
nobody proposes, approves or confirms anything about their own level or pay.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from courses import coaching
from courses import selectors as courses_selectors
from people.permissions import (
    may_approve_promotions,
    may_keep_career_documents,
    sees_all_trainees,
)

from .models import LevelChange, Requirement


def is_mentor_of(user, person) -> bool:
    """Whether ``user`` actively mentors one of ``person``'s enrollments."""
    if not user.is_authenticated:
        return False
    return coaching.active_mentorships().filter(enrollment__trainee=person, mentor=user).exists()


def may_view_team(user) -> bool:
    """The team on the ladder, its exports: directors, HR and the head of sales."""
    return sees_all_trainees(user)


def may_view_person(user, person) -> bool:
    """One person's level, history and progress: themselves, the team's viewers, their
    active mentor."""
    if not user.is_authenticated:
        return False
    return user.pk == person.pk or may_view_team(user) or is_mentor_of(user, person)


# --- Promotions ---------------------------------------------------------------------------


def check_propose(user, person) -> None:
    """The head of sales, a director, or the person's active mentor proposes; never for
    themselves."""
    if user.pk == person.pk:
        raise PermissionDenied(_("Nobody proposes their own promotion."))
    if not (may_approve_promotions(user) or is_mentor_of(user, person)):
        raise PermissionDenied(
            _("Only the head of sales, a director or the mentor proposes a promotion.")
        )


def may_propose(user, person) -> bool:
    try:
        check_propose(user, person)
    except PermissionDenied:
        return False
    return True


def check_decide(user, change: LevelChange) -> None:
    """The head of sales or a director approves or declines; never their own level or pay."""
    if change.person_id == user.pk:
        raise PermissionDenied(_("Nobody approves their own promotion or pay."))
    if not may_approve_promotions(user):
        raise PermissionDenied(_("Only the head of sales or a director decides on promotions."))
    if change.status != LevelChange.Status.PROPOSED:
        raise ValidationError(_("This proposal has already been decided."))


def may_decide(user, change: LevelChange) -> bool:
    try:
        check_decide(user, change)
    except (PermissionDenied, ValidationError):
        return False
    return True


# --- Evidence -----------------------------------------------------------------------------


def check_record_evidence(
    user, person, requirement: Requirement, *, enrolled: bool | None = None
) -> None:
    """A document on file: HR, the head of sales or a director. A confirmation: the head of
    sales, a director or the active mentor. An activity threshold is computed from the
    records, except for a person who never had an enrollment (hired before the product, say),
    for whom no activity is recorded: the head of sales or a director confirms it from what
    they saw (``enrolled``: whether the person has an enrollment; None: ask the database).
    Never about oneself; quizzes are computed from the records and take no evidence."""
    if user.pk == person.pk:
        raise PermissionDenied(_("Nobody confirms their own requirements."))
    if requirement.kind == Requirement.Kind.DOCUMENT:
        if not may_keep_career_documents(user):
            raise PermissionDenied(_("Only HR, the head of sales or a director files documents."))
    elif requirement.kind == Requirement.Kind.CONFIRMATION:
        if not (may_approve_promotions(user) or is_mentor_of(user, person)):
            raise PermissionDenied(
                _("Only the head of sales, a director or the mentor confirms this.")
            )
    elif requirement.kind == Requirement.Kind.ACTIVITY and not _enrolled(person, enrolled):
        if not may_approve_promotions(user):
            raise PermissionDenied(_("Only the head of sales or a director confirms this."))
    else:
        raise ValidationError(_("This requirement is checked from the records."))


def _enrolled(person, enrolled: bool | None) -> bool:
    if enrolled is not None:
        return enrolled
    return courses_selectors.enrollments_all().filter(trainee=person).exists()


def may_record_evidence(user, person, requirement: Requirement, *, enrolled=None) -> bool:
    try:
        check_record_evidence(user, person, requirement, enrolled=enrolled)
    except (PermissionDenied, ValidationError):
        return False
    return True
