"""Writes of the career ladder: entering it, proposing, approving and declining a level
change, and the evidence on file. Separation of duties is checked here (``permissions``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import selectors as courses_selectors
from people import formatting
from people.languages import language_of
from people.services import notify

from . import permissions, selectors
from .models import Level, LevelChange, Requirement, RequirementEvidence


def _lock_person(person):
    """Level changes of one person are serialized on the person's row."""
    return get_user_model().objects.select_for_update().get(pk=person.pk)


@transaction.atomic
def level_enter(*, person, decided_by, on: date, reason: str = "") -> LevelChange | None:
    """The person enters their ladder at its first level (readiness sign-off does this).
    Idempotent: someone already on the ladder keeps their level. None without a ladder."""
    _lock_person(person)
    existing = LevelChange.objects.approved().filter(person=person).order_by("-pk").first()
    if existing is not None:
        return existing
    standing = selectors.standing_of(person, today=on)
    if standing.next_level is None:
        return None
    if decided_by.pk == person.pk:
        raise ValidationError(_("Nobody approves their own promotion or pay."))
    now = timezone.now()
    change = LevelChange(
        person=person,
        level=standing.next_level,
        kind=LevelChange.Kind.ENTRY,
        status=LevelChange.Status.APPROVED,
        reason=reason or _("Signed off as ready to work independently."),
        evidence=standing.evidence_snapshot(),
        proposed_by=decided_by,
        decided_by=decided_by,
        decided_at=now,
        effective_on=on,
    )
    change.full_clean()
    change.save()
    return change


def levels_enter_signed_off(*, decided_by=None) -> int:
    """Everyone signed off as ready but not on the ladder enters it on their sign-off day,
    decided by whoever signed them off (for data that predates the ladder). Returns how many
    entered."""
    entered = 0
    on_ladder = set(LevelChange.objects.approved().values_list("person_id", flat=True))
    for sign_off in courses_selectors.readiness_sign_offs().select_related(
        "enrollment__trainee", "signed_by"
    ):
        person = sign_off.enrollment.trainee
        if person.pk in on_ladder:
            continue
        change = level_enter(
            person=person,
            decided_by=decided_by or sign_off.signed_by,
            on=timezone.localdate(sign_off.signed_at),
        )
        if change is not None:
            on_ladder.add(person.pk)
            entered += 1
    return entered


def _check_pay(pay: Decimal | None, standing: selectors.Standing, level: Level) -> None:
    if pay is None:
        return
    band = selectors.band_of(level, standing.office)
    if band is not None and not band.contains(pay):
        low = formatting.money(band.minimum, standing.ladder.currency) if band.minimum else None
        high = formatting.money(band.maximum, standing.ladder.currency)
        if low:
            message = _("The pay is outside the level's band in this office: %(low)s–%(high)s.")
        else:
            message = _("The pay is above the level's band in this office: up to %(high)s.")
        raise ValidationError({"pay": message % {"low": low, "high": high}})


@transaction.atomic
def promotion_propose(
    *,
    person,
    level: Level,
    user,
    reason: str,
    pay: Decimal | None = None,
    today: date | None = None,
) -> LevelChange:
    """Propose moving ``person`` up to ``level``, with the requirements' evidence as it is now.
    A head of sales or director who proposes may approve it next; the person never."""
    today = today or timezone.localdate()
    permissions.check_propose(user, person)
    _lock_person(person)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the promotion.")})
    if LevelChange.objects.proposed().filter(person=person).exists():
        raise ValidationError(_("A promotion of this person is already waiting for a decision."))
    standing = selectors.standing_of(person, today=today)
    if level not in selectors.higher_levels(standing):
        raise ValidationError({"level": _("Choose a level above the person's current one.")})
    _check_pay(pay, standing, level)
    if level != standing.next_level:
        # Skipping a level: the evidence is that of the level proposed.
        standing = selectors.standings([person], today=today, towards={person.pk: level})[0]
    change = LevelChange(
        person=person,
        level=level,
        kind=LevelChange.Kind.PROMOTION if standing.current else LevelChange.Kind.ENTRY,
        status=LevelChange.Status.PROPOSED,
        reason=reason.strip(),
        pay=pay,
        evidence=standing.evidence_snapshot(),
        proposed_by=user,
    )
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def promotion_approve(
    *, change: LevelChange, user, note: str = "", effective_on: date | None = None
) -> LevelChange:
    """Approve a proposed level change: from ``effective_on`` (today by default) it is the
    person's level and pay. Never by the person themselves."""
    change = (
        LevelChange.objects.select_for_update().select_related("person", "level").get(pk=change.pk)
    )
    permissions.check_decide(user, change)
    change.status = LevelChange.Status.APPROVED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_note = note.strip()
    change.effective_on = effective_on or timezone.localdate()
    change.full_clean()
    change.save()
    with language_of(change.person):
        notify(
            recipient=change.person,
            title=_("You are now at %(level)s") % {"level": change.level},
            body=change.reason,
            url=reverse("careers:my_career"),
            dedupe_key=f"level-change-{change.pk}",
        )
    return change


@transaction.atomic
def promotion_decline(*, change: LevelChange, user, note: str) -> LevelChange:
    change = (
        LevelChange.objects.select_for_update().select_related("person", "level").get(pk=change.pk)
    )
    permissions.check_decide(user, change)
    if not note.strip():
        raise ValidationError({"note": _("Say why the promotion is declined.")})
    change.status = LevelChange.Status.DECLINED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_note = note.strip()
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def evidence_record(
    *, person, requirement: Requirement, user, document=None, note: str = ""
) -> RequirementEvidence:
    """Put a document on file, or confirm a requirement, for one person. A correction is a
    new record: the latest one counts."""
    permissions.check_record_evidence(user, person, requirement)
    if requirement.kind == Requirement.Kind.DOCUMENT and document is None:
        raise ValidationError({"document": _("Choose the document to put on file.")})
    confirmed = (Requirement.Kind.CONFIRMATION, Requirement.Kind.ACTIVITY)
    if requirement.kind in confirmed and not note.strip():
        raise ValidationError({"note": _("Say what you saw that meets the requirement.")})
    evidence = RequirementEvidence(
        person=person,
        requirement=requirement,
        requirement_title=requirement.title,
        document=document,
        note=note.strip(),
        recorded_by=user,
    )
    evidence.full_clean()
    evidence.save()
    return evidence
