"""Writes of mentorships, activities and bonus statements."""

from __future__ import annotations

import contextlib
import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import Enrollment
from people import formatting, queue
from people.collector import collector_paused
from people.languages import language_of
from people.names import display_name
from people.permissions import is_mentor, may_assign_mentors
from people.roles import user_roles
from people.services import notify, notify_from_query

from . import (
    certification,
    payroll,
    permissions,
    rule_versions,
    selectors,
    statement_sql,
    validation,
)
from .bonus import Window, window_for, window_of
from .models import Activity, BonusRule, BonusStatement, BonusTier, Mentorship
from .payroll import ExportFile
from .provenance import CONNECTOR_SOURCES, Arrival, Provenance

# Activity changes are collapsed per mentorship: one recomputation runs this many seconds
# after the first change, and picks up every change committed before it starts.
RECOMPUTE_DELAY_SECONDS = 10


logger = logging.getLogger(__name__)


# --- Mentorships -------------------------------------------------------------------------


@transaction.atomic
def mentorships_end_for_enrollment(*, enrollment, on: date, reason: str) -> int:
    """End the enrollment's active mentorship (trainee dropped); history is kept."""
    ended = 0
    for mentorship in Mentorship.objects.select_for_update().active().filter(enrollment=enrollment):
        mentorship.ended_on = max(on, mentorship.started_on)
        mentorship.end_reason = reason
        mentorship.save(update_fields=["ended_on", "end_reason"])
        statements_schedule_recompute(mentorship_ids=[mentorship.pk])
        ended += 1
    return ended


@transaction.atomic
def mentorship_assign(
    *,
    enrollment,
    mentor,
    started_on: date,
    bonus_rule: BonusRule,
    assigned_by,
) -> Mentorship:
    """Assign a mentor to an enrollment; a current mentor is replaced (their mentorship ends
    the day the new one starts; inside its bonus window the new mentorship carries that
    window on: ``carried_window``). The program's cap on mentees per mentor is enforced."""
    _check_assign_parties(
        enrollment=enrollment, mentor=mentor, bonus_rule=bonus_rule, assigned_by=assigned_by
    )
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.DROPPED:
        raise ValidationError(_("The enrollment was dropped; reactivate it first."))
    if started_on < enrollment.hire_date:
        raise ValidationError(
            {
                "started_on": _("The mentorship cannot start before the hire date (%(date)s).")
                % {"date": date_format(enrollment.hire_date)}
            }
        )
    # Serialise assignments to one mentor so two at once cannot both pass the cap.
    get_user_model().objects.select_for_update().filter(pk=mentor.pk).first()
    current = Mentorship.objects.select_for_update().active().filter(enrollment=enrollment).first()
    if current is not None:
        _check_replacement(current, mentor=mentor, started_on=started_on)
    _check_cap(mentor=mentor, program=enrollment.program)
    carried = carried_window(current, started_on=started_on) if current is not None else None
    if current is not None:
        mentorship_close(mentorship=current, on=started_on, reason=_("Mentor changed"))
    mentorship = Mentorship(
        enrollment=enrollment,
        mentor=mentor,
        started_on=started_on,
        bonus_starts_on=(
            carried.start
            if carried is not None
            else bonus_start(enrollment=enrollment, started_on=started_on)
        ),
        carried_from=current if carried is not None else None,
        bonus_rule=bonus_rule,
        assigned_by=assigned_by,
    )
    mentorship.full_clean()
    mentorship.save()
    if carried is not None:
        _supersede(current, by=mentorship)
    statements_schedule_recompute(mentorship_ids=[mentorship.pk])
    trainee = enrollment.trainee
    with language_of(mentor):
        notify(
            recipient=mentor,
            title=_("You now mentor %(name)s") % {"name": display_name(trainee)},
            body=_("From %(date)s, under the bonus rule “%(rule)s”.")
            % {"date": date_format(started_on), "rule": bonus_rule.name},
            url=reverse("mentors:mentees"),
            dedupe_key=f"mentorship-assigned-{mentorship.pk}",
        )
    with language_of(trainee):
        notify(
            recipient=trainee,
            title=_("Your mentor is %(name)s") % {"name": display_name(mentor)},
            body=_("Ask your mentor whenever you need help, from %(date)s on.")
            % {"date": date_format(started_on)},
            url=reverse("mentors:activity"),
            dedupe_key=f"mentorship-assigned-trainee-{mentorship.pk}",
        )
    return mentorship


def _check_assign_parties(*, enrollment, mentor, bonus_rule, assigned_by) -> None:
    if not may_assign_mentors(assigned_by):
        raise PermissionDenied(_("Only HR or the head of sales assigns mentors."))
    if not is_mentor(mentor):
        raise ValidationError(
            {
                "mentor": _("%(name)s is not a mentor or the head of sales.")
                % {"name": display_name(mentor)}
            }
        )
    if mentor.pk == enrollment.trainee_id:
        raise ValidationError({"mentor": _("A trainee cannot mentor themselves.")})
    if bonus_rule is None:
        raise ValidationError({"bonus_rule": _("Choose the bonus rule.")})


def _check_replacement(current: Mentorship, *, mentor, started_on: date) -> None:
    if current.mentor_id == mentor.pk:
        raise ValidationError(
            {"mentor": _("%(name)s already mentors this trainee.") % {"name": display_name(mentor)}}
        )
    if started_on < current.started_on:
        raise ValidationError(
            {
                "started_on": _(
                    "The new mentorship cannot start before the current one (%(date)s)."
                )
                % {"date": date_format(current.started_on)}
            }
        )


def _check_cap(*, mentor, program) -> None:
    """The program's cap on a mentor's active mentees (``selectors.active_mentee_count``:
    trainees still in onboarding)."""
    cap = selectors.mentee_cap(program)
    if selectors.active_mentee_count(mentor=mentor, program=program) >= cap:
        raise ValidationError(
            {
                "mentor": _(
                    "%(name)s already has %(cap)s active mentees in %(program)s, the most this "
                    "program allows. End one of those mentorships or choose another mentor."
                )
                % {"name": display_name(mentor), "cap": cap, "program": program.title}
            }
        )


def carried_window(current: Mentorship, *, started_on: date) -> Window | None:
    """The bonus window a new mentor starting on ``started_on`` carries on from ``current``,
    the trainee's mentorship being replaced: its window while it is still open that day and
    its statement is not approved or paid; None otherwise (the new mentorship then counts
    from ``bonus_start``). docs/bonuses.md, "A change of mentor carries the period over"."""
    if current.bonus_rule_id is None:
        return None
    window = window_of(current, current.bonus_rule.period_days)
    if window.is_empty or started_on >= window.end:
        return None
    if current.statements.filter(status__in=BonusStatement.FROZEN_STATUSES).exists():
        return None
    return window


def _supersede(previous: Mentorship, *, by: Mentorship) -> None:
    """The replaced mentorship's statement counts nothing from now on: the new mentorship's
    statement carries its window, so no day is counted, nor paid, twice. Its window is emptied
    (so the database's guard against overlapping windows holds) and it can never be approved.
    Its mentor is told where the window went."""
    superseded = previous.statements.exclude(status__in=BonusStatement.FROZEN_STATUSES).update(
        status=BonusStatement.Status.SUPERSEDED,
        period_end=F("period_start"),
        call_count=0,
        meeting_count=0,
        application_count=0,
        contract_count=0,
        tier_name="",
        amount=Decimal("0.00"),
        provenance_counts=[],
        burst_days=[],
        needs_recompute=False,
        needs_review=False,
        computed_at=timezone.now(),
    )
    if not superseded:
        return
    with language_of(previous.mentor):
        notify(
            recipient=previous.mentor,
            title=_("Your bonus window for %(name)s carries on with %(mentor)s")
            % {
                "name": display_name(previous.enrollment.trainee),
                "mentor": display_name(by.mentor),
            },
            body=_(
                "The mentor changed on %(date)s, inside the bonus window: the new mentor's "
                "statement counts the whole window, and yours is superseded."
            )
            % {"date": date_format(by.started_on)},
            url=reverse("mentors:mentees"),
            dedupe_key=f"mentorship-superseded-{previous.pk}",
        )


def bonus_start(*, enrollment, started_on: date) -> date:
    """The first day a new mentorship of ``enrollment`` starting on ``started_on`` counts
    toward its bonus: the day the last window of the enrollment's earlier mentorships ends
    (excluded), or the last day of their statements' windows (an approved or paid one keeps
    its window), when that is later, so one day's activity is never counted, nor paid, for two
    mentorships (docs/bonuses.md, "One bonus per trainee and window"). The database refuses
    two statements of one enrollment whose windows overlap (``mentors/window_guard.py``)."""
    start = started_on
    earlier = Mentorship.objects.filter(enrollment=enrollment, bonus_rule__isnull=False)
    for m in earlier.select_related("bonus_rule"):
        window = window_of(m, m.bonus_rule.period_days)
        if not window.is_empty:
            start = max(start, window.end)
    # An approved or paid statement keeps its window when its mentorship ends earlier.
    for first, end in BonusStatement.objects.filter(mentorship__enrollment=enrollment).values_list(
        "period_start", "period_end"
    ):
        if end > first:
            start = max(start, end)
    return start


def mentorship_close(*, mentorship: Mentorship, on: date, reason: str) -> None:
    """End a locked mentorship on ``on`` (not before its start) and recompute its statement."""
    mentorship.ended_on = max(on, mentorship.started_on)
    mentorship.end_reason = reason
    mentorship.full_clean()
    mentorship.save(update_fields=["ended_on", "end_reason"])
    statements_schedule_recompute(mentorship_ids=[mentorship.pk])


@transaction.atomic
def mentorship_end(*, mentorship: Mentorship, ended_on: date, reason: str, user) -> Mentorship:
    """End a mentorship (mentor changed, left the company...); the statement's window ends too."""
    mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    permissions.check_end_mentorship(user, mentorship)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for ending the mentorship.")})
    if ended_on < mentorship.started_on:
        raise ValidationError({"ended_on": _("The end date cannot be before the start date.")})
    mentorship_close(mentorship=mentorship, on=ended_on, reason=reason.strip())
    return mentorship


# --- Activities --------------------------------------------------------------------------


@transaction.atomic
def activity_record(
    *,
    enrollment,
    kind: str,
    occurred_at: datetime,
    recorded_by,
    amount: Decimal | None = None,
    note: str = "",
    source: str = Activity.Source.MANUAL,
    external_id: str = "",
    decision_maker_reached: bool = False,
) -> Activity:
    """Log one activity by hand (the trainee, their mentor, HR or the head of sales); its
    provenance says who typed it (mentors/provenance.py). Client work before the role-play
    certification is refused, or flagged when a connector sent it (mentors/certification.py)."""
    if not permissions.may_record_activity(recorded_by, enrollment):
        raise PermissionDenied(_("You may not record activity for this trainee."))
    if enrollment.status == Enrollment.Status.DROPPED:
        raise ValidationError(dict([validation.dropped_enrollment_problem()]))
    if len(note) > validation.NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("At most %(n)s characters.") % {"n": validation.NOTE_MAX_LENGTH}}
        )
    verdict, refusal = certification.gate(
        clearance=certification.clearance_of(enrollment),
        kind=kind,
        source=source,
    )
    if verdict is certification.Verdict.REFUSED:
        raise ValidationError({"kind": refusal})
    activity = Activity(
        enrollment=enrollment,
        kind=kind,
        occurred_at=occurred_at,
        amount=amount,
        note=note.strip(),
        source=source,
        external_id=external_id,
        decision_maker_reached=decision_maker_reached,
        recorded_by=recorded_by,
        provenance=arrival_of(recorded_by, channel=None, enrollment_ids=[enrollment.pk]).of(
            enrollment.pk, source
        ),
        before_certification=verdict is certification.Verdict.FLAGGED,
    )
    activity.full_clean()
    activity.save()
    statements_schedule_recompute(enrollment_ids=[enrollment.pk])
    return activity


@transaction.atomic
def activities_count_after_certification(*, enrollment) -> int:
    """The trainee is certified: the client work a connector sent before it, held back
    (``before_certification``), counts from now on; their statements are recomputed. Returns
    how many activities were released."""
    released = Activity.objects.filter(enrollment=enrollment, before_certification=True).update(
        before_certification=False
    )
    if released:
        statements_schedule_recompute(enrollment_ids=[enrollment.pk])
    return released


@transaction.atomic
def activity_delete(*, activity: Activity, user) -> None:
    """Remove a hand-logged entry made by mistake (its author, HR or the head of sales)."""
    permissions.check_delete_activity(user, activity)
    enrollment_id = activity.enrollment_id
    activity.delete()
    statements_schedule_recompute(enrollment_ids=[enrollment_id])


def arrival_of(recorded_by, *, channel: str | None, enrollment_ids=None) -> Arrival:
    """How the rows one person (or integration account, or nobody: a command) writes arrive:
    ``channel`` is ``Provenance.API`` or ``Provenance.FILE`` (or PBX, CRM: a source adapter's
    rows, mentors/sources/), None for the logging form.

    The rows of a trainee for themselves are typed by the trainee, and of a mentor (then or
    since) of the enrollment typed by the mentor, whatever the channel. Otherwise a person's
    form entries and API posts are typed by HR or a manager (a person's account is not a
    connector), a file is a file import, and an integration account's posts take the
    connector their source names (crm, telephony), else API. Two small queries at most."""
    if recorded_by is None or not recorded_by.is_authenticated:
        return Arrival(default=channel or Provenance.HR)
    person = bool(user_roles(recorded_by))
    own = Enrollment.objects.filter(trainee=recorded_by)
    mentored = Mentorship.objects.filter(mentor=recorded_by)
    if enrollment_ids is not None:
        own = own.filter(pk__in=list(enrollment_ids))
        mentored = mentored.filter(enrollment_id__in=list(enrollment_ids))
    trainee_of = frozenset(own.values_list("pk", flat=True))
    mentor_of = frozenset(mentored.values_list("enrollment_id", flat=True)) - trainee_of
    if channel == Provenance.API and not person:
        return Arrival(
            default=Provenance.API,
            by_source=CONNECTOR_SOURCES,
            trainee_of=trainee_of,
            mentor_of=mentor_of,
        )
    # A file, or a PBX's or CRM's records brought in by a person (mentors/sources/).
    sourced = (Provenance.FILE, Provenance.PBX, Provenance.CRM)
    default = channel if channel in sourced else Provenance.HR
    return Arrival(default=default, trainee_of=trainee_of, mentor_of=mentor_of)


# --- Bonus statements --------------------------------------------------------------------


def statements_schedule_recompute(
    *,
    mentorship_ids: list[int] | None = None,
    enrollment_ids: list[int] | None = None,
    batched: bool = False,
) -> None:
    """Flag the affected statements ``needs_recompute`` now, in the caller's transaction, and
    after commit enqueue one recomputation per affected mentorship, collapsed: while one is
    already waiting for its countdown, another change does not enqueue a second. With the
    broker down the flag stays, and the sweep (``statements_recompute_flagged``, every few
    minutes) recomputes the statement.

    ``batched`` (a finished import job): one task recomputes every affected statement at
    once, set-based (``statements_recompute``), with no countdown: the job's rows are one
    change already, there is nothing left to collapse."""
    mentorship_ids = set(mentorship_ids or [])
    enrollment_ids = set(enrollment_ids or [])
    if mentorship_ids or enrollment_ids:
        BonusStatement.objects.filter(
            Q(mentorship_id__in=sorted(mentorship_ids))
            | Q(mentorship__enrollment_id__in=sorted(enrollment_ids)),
            needs_recompute=False,
        ).update(needs_recompute=True)

    def enqueue():
        statement_recompute = queue.task("mentors.tasks.statement_recompute")
        ids = set(mentorship_ids)
        if enrollment_ids:
            ids |= set(
                Mentorship.objects.filter(
                    enrollment_id__in=enrollment_ids, bonus_rule__isnull=False
                ).values_list("pk", flat=True)
            )
        if batched:
            if ids:
                _enqueue_batched(sorted(ids))
            return
        for pk in sorted(ids):
            try:
                first = cache.add(recompute_key(pk), 1, timeout=RECOMPUTE_DELAY_SECONDS)
            except Exception:  # the cache is down: enqueue without collapsing duplicates
                logger.warning("Recomputation of %s not collapsed: cache down", pk, exc_info=True)
                first = True
            if first:
                try:
                    statement_recompute.apply_async(args=[pk], countdown=RECOMPUTE_DELAY_SECONDS)
                except Exception:  # the broker is down: the sweep finds the flag
                    with contextlib.suppress(Exception):
                        cache.delete(recompute_key(pk))
                    logger.warning(
                        "Could not enqueue the recomputation of mentorship %s's statement; "
                        "the sweep of flagged statements will refresh it.",
                        pk,
                        exc_info=True,
                    )

    transaction.on_commit(enqueue)


def _enqueue_batched(mentorship_ids: list[int]) -> None:
    try:
        queue.task("mentors.tasks.statements_recompute").delay(mentorship_ids)
    except Exception:  # the broker is down: the sweep finds the flags
        logger.warning(
            "Could not enqueue the recomputation of %s statements; the sweep of flagged "
            "statements will refresh them.",
            len(mentorship_ids),
            exc_info=True,
        )


def recompute_key(mentorship_id: int) -> str:
    return f"mentors:recompute:{mentorship_id}"


def statement_compute(*, mentorship_id: int, now: datetime | None = None) -> BonusStatement | None:
    """Compute (or refresh) one mentorship's statement; see ``statements_compute``."""
    pk = statements_compute(mentorship_ids=[mentorship_id], now=now).get(mentorship_id)
    return BonusStatement.objects.filter(pk=pk).first() if pk else None


class _Row(NamedTuple):
    """A mentorship as the computation reads it: a plain tuple, no model instance per row."""

    pk: int
    enrollment_id: int
    started_on: date
    bonus_starts_on: date | None
    carried_from_id: int | None
    ended_on: date | None
    bonus_rule_id: int


class _Rule(NamedTuple):
    """What the computation reads of a bonus rule: read once per rule, not once per row."""

    period_days: int
    currency: str
    counted_provenances: list
    confirmation_required: list
    typed_daily_limit: int


@transaction.atomic
def statements_compute(*, mentorship_ids, now: datetime | None = None) -> dict[int, int]:
    """Compute (or refresh) the statements of the given mentorships; returns {mentorship id:
    statement id} for those with a bonus rule. Idempotent and safe concurrently.

    The mentorship rows, then their statements, are locked first (in id order), so two runs
    over the same mentorships take turns; the unique constraint keeps one statement per
    mentorship whatever happens. Set-based (``_statements_compute``): the number of queries
    does not grow with the number of mentorships. Approved figures never change: a
    recomputation that differs is kept beside them and flags the statement for review. A
    statement that becomes final notifies its mentor.
    """
    return _statements_compute(
        Mentorship.objects.filter(pk__in=list(mentorship_ids)), now=now or timezone.now()
    )


def _statements_compute(scope, *, now: datetime) -> dict[int, int]:
    with collector_paused():  # its rows and windows are many and free of cycles
        return _statements_computed(scope, now=now)


def _statements_computed(scope, *, now: datetime) -> dict[int, int]:
    """``statements_compute`` of the mentorships of the queryset ``scope`` (a subquery in
    every statement, never a list of ids), in the caller's transaction, in a fixed number of
    queries: the mentorships locked and read as tuples in one, their rules in one, the later
    mentorships of their enrollments (the window split) in one, the tiers and rule versions in
    a few, their statements locked in one; then the database computes and writes every
    statement in one (``statement_sql.statements_upsert``: the counts of every window over
    the per-day summary, its breakdown by provenance, its burst days, its tier), the frozen
    ones' reviews in one, and the notifications of those that became final in one. Only the
    windows travel from Python, as one JSON parameter, so neither the statements' text nor
    their parameters grow with the rows."""
    computable = scope.filter(bonus_rule__isnull=False, carried_into__isnull=True)
    rows = _mentorships_locked(computable)
    if not rows:
        return {}
    rule_ids = {r.bonus_rule_id for r in rows}
    rules = {
        pk: _Rule._make(values)
        for pk, *values in BonusRule.objects.filter(pk__in=rule_ids).values_list(
            "pk", *_Rule._fields
        )
    }
    tiers = _tiers_by_rule(rule_ids)
    windows = _windows_split(
        rows,
        {
            r.pk: window_for(
                started_on=r.started_on,
                period_days=rules[r.bonus_rule_id].period_days,
                ended_on=r.ended_on,
                bonus_starts_on=r.bonus_starts_on,
                carried=r.carried_from_id is not None,
            )
            for r in rows
        },
        later=computable.values("enrollment_id"),
    )
    versions = rule_versions.current_versions(rule_ids, tiers)
    existing = _statements_locked(computable.values("pk"))
    fresh, frozen = [], []
    for r in rows:
        window = windows[r.pk]
        rule = rules[r.bonus_rule_id]
        status = existing.get(r.pk, (None, ""))[1]
        (frozen if status in BonusStatement.FROZEN_STATUSES else fresh).append(
            statement_sql.window_row(
                r.pk,
                r.enrollment_id,
                window,
                day_limit=rule.typed_daily_limit,
                rule_id=r.bonus_rule_id,
                status=(
                    BonusStatement.Status.FINAL.value
                    if window.is_over(now)
                    else BonusStatement.Status.PROVISIONAL.value
                ),
                currency=rule.currency,
                version=versions[r.bonus_rule_id],
            )
        )
    counting = statement_sql.counting_rows(rules)
    written = statement_sql.statements_upsert(fresh, counting, now=now)
    statement_sql.reviews_write(frozen, counting, now=now)
    ids = {pk: existing[pk][0] for pk, *_ in frozen}
    ids.update((m, pk) for m, pk, _status in written)
    finalized = [
        pk
        for m, pk, status in written
        if status == BonusStatement.Status.FINAL
        and existing.get(m, (None, ""))[1] != BonusStatement.Status.FINAL
    ]
    if finalized:
        _notify_final(finalized, tiers, rules)
    return ids


def _mentorships_locked(computable) -> list[_Row]:
    """The mentorships of ``computable`` (with a bonus rule, not superseded: a superseded
    mentorship's window is carried by the next one, nothing to compute), locked in id order,
    as plain tuples."""
    return [
        _Row._make(values)
        for values in Mentorship.objects.select_for_update(of=("self",))
        .filter(pk__in=computable.values("pk"))
        .order_by("pk")
        .values_list(*_Row._fields)
    ]


def _windows_split(rows: list[_Row], windows: dict[int, Window], *, later) -> dict[int, Window]:
    """Each window cut where a later mentorship of the same enrollment starts counting (its
    ``bonus_starts_on``): a window that grew after the mentor changed (a longer period in
    the rule) never reaches into the next mentor's days. One query: the mentorships with a
    rule of the enrollments ``later`` (a subquery) names."""
    starts: dict[int, list[tuple[int, date]]] = {}
    for enrollment_id, pk, first in Mentorship.objects.filter(
        enrollment_id__in=later, bonus_rule__isnull=False
    ).values_list("enrollment_id", "pk", "bonus_starts_on"):
        starts.setdefault(enrollment_id, []).append((pk, first))
    split = {}
    for r in rows:
        window = windows[r.pk]
        cuts = [
            first
            for pk, first in starts.get(r.enrollment_id, ())
            if pk > r.pk and first >= window.start and first < window.end
        ]
        # Most windows are not cut (one mentorship per enrollment): kept as they are.
        split[r.pk] = Window(start=window.start, end=min(cuts)) if cuts else window
    return split


def _tiers_by_rule(rule_ids: set[int]) -> dict[int, list[BonusTier]]:
    tiers: dict[int, list[BonusTier]] = {}
    for tier in BonusTier.objects.filter(rule_id__in=rule_ids).order_by("sort_order", "pk"):
        tiers.setdefault(tier.rule_id, []).append(tier)
    return tiers


def _statements_locked(mentorship_ids) -> dict[int, tuple[int, str]]:
    """{mentorship id: (statement id, status)} of the statements these mentorships (a
    subquery) already have, locked in id order."""
    return {
        m: (pk, status)
        for m, pk, status in BonusStatement.objects.select_for_update()
        .filter(mentorship_id__in=mentorship_ids)
        .order_by("pk")
        .values_list("mentorship_id", "pk", "status")
    }


def _notify_final(statement_ids: list[int], tiers: dict, rules: dict) -> None:
    """Tell each mentor whose statement became final, in their language, by one statement
    (``people.services.notify_from_query``): the texts are translated here once per language
    and each amount a tier can pay formatted once per language; the database fills in each
    trainee's name, tier and amount."""
    amounts = {
        (amount, rules[rule_id].currency)
        for rule_id in rules
        for amount in [Decimal("0.00"), *(t.amount for t in tiers.get(rule_id, []))]
    }
    texts, money = [], []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.append(
                [
                    code,
                    # The texts as Python's % would fill them: its "%%" is a plain "%".
                    _("Your bonus for mentoring %(name)s is final").replace("%%", "%"),
                    _("Tier: %(tier)s, amount %(amount)s. It is paid once approved.").replace(
                        "%%", "%"
                    ),
                    _("none"),
                ]
            )
            money += [
                [code, currency, str(amount), formatting.money(amount, currency)]
                for amount, currency in amounts
            ]
    notify_from_query(
        statement_sql.final_notices(),
        [
            json.dumps(texts),
            json.dumps(money),
            reverse("mentors:mentees"),
            json.dumps([[pk] for pk in statement_ids]),
            settings.LANGUAGE_CODE,
        ],
    )


def statements_finalize_due(*, now: datetime | None = None) -> int:
    """Recompute every statement that is not final yet (and create missing ones); those whose
    window has ended become final. Run daily by Celery beat and by compute_bonuses.

    One computation over all of them (``_statements_compute``: a fixed number of queries,
    whatever the number of mentorships) in one transaction: a worker killed half-way leaves
    nothing half-written, and the next run (the task is acknowledged late, so the message is
    delivered again) does the whole computation again; it is idempotent. The flagged
    statements are recomputed next (``statements_recompute_flagged``), in their own
    transaction. Returns the number of statements computed."""
    now = now or timezone.now()
    due = Mentorship.objects.exclude(
        statements__status__in=[BonusStatement.Status.FINAL, *BonusStatement.FROZEN_STATUSES]
    )
    with transaction.atomic():
        done = len(_statements_compute(due, now=now))
    return done + statements_recompute_flagged(now=now)


def statements_recompute_flagged(*, now: datetime | None = None) -> int:
    """Recompute every statement flagged ``needs_recompute`` (final, approved and paid ones
    too): what a write flagged and the broker never delivered. Run every few minutes by Celery
    beat (mentors.tasks.statements_recompute_flagged), as one computation in one transaction
    like the finalization; the computation clears the flag. Returns the number of statements
    recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        done = len(
            _statements_compute(
                Mentorship.objects.filter(statements__needs_recompute=True), now=now
            )
        )
        # A mentorship without a rule any more, or superseded, is not computed: its flag is
        # cleared here.
        done += BonusStatement.objects.filter(
            Q(mentorship__bonus_rule__isnull=True) | Q(mentorship__carried_into__isnull=False),
            needs_recompute=True,
        ).update(needs_recompute=False)
    return done


def statements_recompute(*, mentorship_ids: list[int], now: datetime | None = None) -> int:
    """Recompute the statements of ``mentorship_ids`` (the follow-up of an import job) as one
    computation in one transaction, as the finalization does, clearing their flags.
    Idempotent. Returns the number of mentorships gone through."""
    now = now or timezone.now()
    ids = sorted(set(mentorship_ids))
    with transaction.atomic():
        _statements_compute(Mentorship.objects.filter(pk__in=ids), now=now)
        # A mentorship without a rule any more, or superseded, is not computed: its flag is
        # cleared here.
        BonusStatement.objects.filter(
            Q(mentorship__bonus_rule__isnull=True) | Q(mentorship__carried_into__isnull=False),
            mentorship_id__in=ids,
            needs_recompute=True,
        ).update(needs_recompute=False)
    return len(ids)


@transaction.atomic
def statement_approve(
    *, statement: BonusStatement, user, note: str = "", now: datetime | None = None
):
    """Approve a final statement; ``note`` says why (kept as the approval note). Not by its
    mentor (``permissions.check_approve_statement``)."""
    statement = _statement_locked(statement.pk)
    permissions.check_approve_statement(user, statement)
    statement.status = BonusStatement.Status.APPROVED
    statement.approved_by = user
    statement.approved_at = now or timezone.now()
    statement.approval_note = note.strip()
    statement.save(update_fields=["status", "approved_by", "approved_at", "approval_note"])
    return statement


def _statement_locked(pk: int) -> BonusStatement:
    """The statement locked for a decision, with its mentorship (whose mentor is asked)."""
    return (
        BonusStatement.objects.select_for_update(of=("self",))
        .select_related("mentorship")
        .get(pk=pk)
    )


def statements_approve(*, ids: list[int], user, note: str = "") -> tuple[int, int, int]:
    """Approve the final ones among ``ids`` the user may see, each with the same ``note``:
    (approved, skipped: not final, refused: the user is their mentor)."""
    approved = skipped = refused = 0
    for statement in selectors.statements_visible_to(user).filter(pk__in=ids).order_by("pk"):
        try:
            statement_approve(statement=statement, user=user, note=note)
            approved += 1
        except ValidationError:
            skipped += 1
        except PermissionDenied:
            refused += 1
    return approved, skipped, refused


def statements_export(
    *, statements, user, fmt: str, dialect: str = "", now: datetime | None = None
) -> ExportFile:
    """A new payroll batch of the approved statements among ``statements`` that are in no
    batch yet, as its file (mentors/payroll.py)."""
    batch = payroll.payroll_batch_export(
        statements=statements, user=user, fmt=fmt, dialect=dialect, now=now
    )
    return payroll.payroll_batch_file(batch, left_out=batch.left_out)
