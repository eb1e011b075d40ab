"""Reads of the career ladder: each person's standing (level, next level, what it asks and
what the records say), the team's, and the ladder with its bands.

``standings`` works for one person or a whole team in a fixed number of queries: the people's
enrollments, their level changes, the ladders with levels, requirements and bands, the
quizzes passed, the activity counts (grouped in the database) and the evidence on file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from courses import coaching
from courses import selectors as courses_selectors
from mentors import selectors as mentors_selectors
from mentors.models import activity_count_text
from people import formatting
from people.models import Office
from people.names import display_name
from people.offices import director_office_scope
from quizzes import selectors as quizzes_selectors

from .models import Ladder, Level, LevelChange, PayBand, Requirement, RequirementEvidence
from .permissions import may_view_team

EXPERIENCE = "experience"

PAY_POSITIONS = {
    "below": gettext_lazy("below the band"),
    "within": gettext_lazy("within the band"),
    "above": gettext_lazy("above the band"),
}


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- The ladder ---------------------------------------------------------------------------


def ladders_with_levels():
    """Every ladder with its levels, their requirements (with quizzes) and bands (with
    offices), in four queries."""
    return Ladder.objects.prefetch_related(
        Prefetch(
            "levels",
            queryset=Level.objects.order_by("number").prefetch_related(
                Prefetch(
                    "requirements",
                    queryset=Requirement.objects.select_related("quiz").order_by("sort_order"),
                ),
                Prefetch(
                    "pay_bands",
                    queryset=PayBand.objects.select_related("office").order_by("office__name"),
                ),
            ),
        )
    ).order_by("name")


def offices():
    return Office.objects.order_by("name")


@dataclass
class LadderTable:
    """A ladder as a table: a row per level, a column per office, the band in each cell."""

    ladder: Ladder
    offices: list[Office]
    rows: list[tuple[Level, list[PayBand | None]]]


def ladder_tables() -> list[LadderTable]:
    all_offices = list(offices())
    tables = []
    for ladder in ladders_with_levels():
        rows = []
        for level in ladder.levels.all():
            by_office = {band.office_id: band for band in level.pay_bands.all()}
            rows.append((level, [by_office.get(office.pk) for office in all_offices]))
        tables.append(LadderTable(ladder=ladder, offices=all_offices, rows=rows))
    return tables


# --- A person's standing ------------------------------------------------------------------


@dataclass
class RequirementState:
    kind: str
    title: str
    met: bool
    figure: str  # what the records say, in words
    advice: str = ""
    requirement: Requirement | None = None
    evidence: RequirementEvidence | None = None
    value: int | None = None  # the number behind the figure (months, count), if any
    target: int | None = None

    def snapshot(self) -> dict:
        """The state as kept with a proposal: it does not change when the records do."""
        return {
            "kind": self.kind,
            "requirement_id": self.requirement.pk if self.requirement else None,
            "title": self.title,
            "met": self.met,
            "figure": self.figure,
            "value": self.value,
            "target": self.target,
            "evidence_id": self.evidence.pk if self.evidence else None,
        }


@dataclass
class Standing:
    person: object
    office: Office | None
    hire_date: date | None
    ladder: Ladder | None
    current: LevelChange | None  # the latest approved change: the person's level
    next_level: Level | None
    states: list[RequirementState] = field(default_factory=list)
    next_band: PayBand | None = None
    current_band: PayBand | None = None
    pending: LevelChange | None = None
    today: date | None = None
    # Whether the person has (or had) an enrollment: activity is recorded only for one.
    enrolled: bool = True

    @property
    def level(self) -> Level | None:
        return self.current.level if self.current else None

    @property
    def met_count(self) -> int:
        return sum(1 for state in self.states if state.met)

    @property
    def missing(self) -> list[RequirementState]:
        return [state for state in self.states if not state.met]

    @property
    def is_ready(self) -> bool:
        return self.next_level is not None and not self.missing

    @property
    def is_close(self) -> bool:
        return self.next_level is not None and len(self.missing) == 1

    @property
    def months_at_level(self) -> int | None:
        if self.current is None or self.today is None:
            return None
        return months_between(self.current.effective_on, self.today)

    @property
    def pay(self) -> Decimal | None:
        return self.current.pay if self.current else None

    @property
    def pay_position(self) -> str:
        """ "below", "within" or "above" the current level's band in the person's office;
        "" when the pay or the band is not known."""
        if self.pay is None or self.current_band is None:
            return ""
        band = self.current_band
        if band.minimum is not None and self.pay < band.minimum:
            return "below"
        return "above" if self.pay > band.maximum else "within"

    @property
    def pay_position_label(self) -> str:
        return str(PAY_POSITIONS.get(self.pay_position, ""))

    def evidence_snapshot(self) -> list[dict]:
        return [state.snapshot() for state in self.states]


def _ladder_for(programs: list[int], ladders: list[Ladder]) -> Ladder | None:
    by_program = {ladder.program_id: ladder for ladder in ladders}
    for program_id in programs:
        if program_id in by_program:
            return by_program[program_id]
    return by_program.get(None)


def _next_level(ladder: Ladder | None, current: Level | None) -> Level | None:
    if ladder is None:
        return None
    levels = list(ladder.levels.all())
    if current is None:
        return levels[0] if levels else None
    return next((level for level in levels if level.number > current.number), None)


def band_of(level: Level | None, office: Office | None) -> PayBand | None:
    if level is None or office is None:
        return None
    return next((band for band in level.pay_bands.all() if band.office_id == office.pk), None)


def _experience_state(level: Level, hire_date: date | None, today: date) -> RequirementState:
    target = level.min_experience_months
    title = ngettext(
        "At least %(num)s month of experience", "At least %(num)s months of experience", target
    ) % {"num": target}
    if hire_date is None:
        return RequirementState(
            kind=EXPERIENCE,
            title=title,
            met=False,
            figure=_("No hire date on record."),
            advice=_("Ask HR to enter your hire date."),
            target=target,
        )
    months = months_between(hire_date, today)
    figure = ngettext(
        "%(num)s month since the hire date (%(date)s)",
        "%(num)s months since the hire date (%(date)s)",
        months,
    ) % {"num": months, "date": _date(hire_date)}
    return RequirementState(
        kind=EXPERIENCE,
        title=title,
        met=months >= target,
        figure=figure,
        advice=_("Experience comes with time: keep going."),
        value=months,
        target=target,
    )


def _activity_key(requirement: Requirement) -> str:
    return f"n_{requirement.activity_kind}_{requirement.period_days}"


def _activity_counts(enrollment_ids, requirements: list[Requirement], today: date) -> dict:
    """{enrollment id: {key: count}}, one grouped query over the per-day summary."""
    wanted = {_activity_key(r): r for r in requirements}
    if not wanted or not enrollment_ids:
        return {}
    sums = {
        key: Sum(
            "count",
            filter=Q(
                kind=r.activity_kind, day__gt=today - timedelta(days=r.period_days), day__lte=today
            ),
            default=0,
        )
        for key, r in wanted.items()
    }
    kinds = {r.activity_kind for r in wanted.values()}
    rows = (
        mentors_selectors.activity_days(enrollment_ids=list(enrollment_ids), kinds=kinds)
        .values("enrollment_id")
        .annotate(**sums)
        .order_by()
    )
    return {row.pop("enrollment_id"): row for row in rows}


def _requirement_state(
    requirement: Requirement, *, enrollment_ids, passed, counts, evidence, today
) -> RequirementState:
    state = RequirementState(
        kind=requirement.kind,
        title=requirement.title,
        advice=requirement.advice,
        requirement=requirement,
        met=False,
        figure="",
    )
    if requirement.kind == Requirement.Kind.QUIZ:
        dates = [
            passed[(e, requirement.quiz_id)]
            for e in enrollment_ids
            if (e, requirement.quiz_id) in passed
        ]
        if dates:
            state.met = True
            state.figure = _("%(quiz)s passed on %(date)s") % {
                "quiz": requirement.quiz.title,
                "date": _date(min(dates)),
            }
        else:
            state.figure = _("%(quiz)s not passed yet") % {"quiz": requirement.quiz.title}
    elif requirement.kind == Requirement.Kind.ACTIVITY and not enrollment_ids:
        _unrecorded_activity_state(state, evidence.get(requirement.pk))
    elif requirement.kind == Requirement.Kind.ACTIVITY:
        key = _activity_key(requirement)
        done = sum(counts.get(e, {}).get(key, 0) for e in enrollment_ids)
        target = requirement.activity_count
        state.met = done >= target
        state.value, state.target = done, target
        state.figure = ngettext(
            "%(done)s of %(target)s in the last %(days)s day",
            "%(done)s of %(target)s in the last %(days)s days",
            requirement.period_days,
        ) % {
            "done": activity_count_text(requirement.activity_kind, done),
            "target": formatting.number(target),
            "days": requirement.period_days,
        }
    else:
        found = evidence.get(requirement.pk)
        is_document = requirement.kind == Requirement.Kind.DOCUMENT
        if found is not None and (found.document_id or not is_document):
            state.met, state.evidence = True, found
            if is_document:
                state.figure = _("%(document)s on file since %(date)s") % {
                    "document": found.document.title,
                    "date": _date(found.recorded_at),
                }
            else:
                state.figure = _("Confirmed by %(name)s on %(date)s") % {
                    "name": display_name(found.recorded_by),
                    "date": _date(found.recorded_at),
                }
        elif is_document:
            state.figure = _("No document on file.")
        else:
            state.figure = _("Not confirmed yet.")
    return state


def _unrecorded_activity_state(state: RequirementState, found) -> None:
    """An activity threshold for a person with no enrollment (hired before the product):
    activity is recorded only for an enrollment, so there is nothing to count. Not "0 of 20":
    the page says there are no records, and a confirmation by the head of sales or a director
    (from the CRM's figures, say) meets it."""
    if found is not None:
        state.met, state.evidence = True, found
        state.figure = _("Confirmed by %(name)s on %(date)s") % {
            "name": display_name(found.recorded_by),
            "date": _date(found.recorded_at),
        }
        return
    state.figure = _("No activity records: activity is recorded only for an enrollment.")
    state.advice = _(
        "The head of sales or a director confirms it from what they saw (the CRM's figures)."
    )


def standings(people, *, today: date, towards: dict | None = None) -> list[Standing]:
    """Each person's standing on their ladder, in the order given. ``people``: users with
    ``profile__office`` loaded (``people_on_ladder`` does that). ``towards``: {person id:
    level} to measure someone against a level other than the next (a promotion that skips
    one)."""
    people = list(people)
    ids = [person.pk for person in people]
    if not ids:
        return []
    enrollments = defaultdict(list)
    for row in (
        courses_selectors.enrollments_all()
        .filter(trainee_id__in=ids)
        .order_by("-hire_date", "-pk")
        .values("pk", "trainee_id", "hire_date", "program_id")
    ):
        enrollments[row["trainee_id"]].append(row)
    current: dict[int, LevelChange] = {}
    pending: dict[int, LevelChange] = {}
    for change in (
        LevelChange.objects.filter(person_id__in=ids)
        .exclude(status=LevelChange.Status.DECLINED)
        .select_related("proposed_by", "level")
        .order_by("effective_on", "pk")
    ):
        if change.status == LevelChange.Status.APPROVED:
            current[change.person_id] = change
        else:
            pending[change.person_id] = change
    ladders = list(ladders_with_levels())
    levels_by_id = {level.pk: level for ladder in ladders for level in ladder.levels.all()}
    ladder_by_id = {ladder.pk: ladder for ladder in ladders}

    result = []
    for person in people:
        profile = getattr(person, "profile", None)
        office = profile.office if profile else None
        rows = enrollments.get(person.pk, [])
        hire_date = (profile.hire_date if profile else None) or (
            min(row["hire_date"] for row in rows) if rows else None
        )
        change = current.get(person.pk)
        level = levels_by_id.get(change.level_id) if change else None
        if change is not None:
            change.level = level or change.level
        ladder = (
            ladder_by_id.get(level.ladder_id)
            if level
            else _ladder_for([row["program_id"] for row in rows], ladders)
        )
        next_level = (towards or {}).get(person.pk) or _next_level(ladder, level)
        result.append(
            Standing(
                person=person,
                office=office,
                hire_date=hire_date,
                ladder=ladder,
                current=change,
                next_level=next_level,
                next_band=band_of(next_level, office),
                current_band=band_of(level, office),
                pending=pending.get(person.pk),
                today=today,
                enrolled=bool(rows),
            )
        )
    _fill_requirements(result, enrollments, today)
    return result


def _fill_requirements(result: list[Standing], enrollments, today: date) -> None:
    requirements = [
        requirement
        for standing in result
        if standing.next_level
        for requirement in standing.next_level.requirements.all()
    ]
    all_enrollment_ids = [row["pk"] for rows in enrollments.values() for row in rows]
    passed = {}
    if any(r.kind == Requirement.Kind.QUIZ for r in requirements) and all_enrollment_ids:
        passed = {
            (row["enrollment_id"], row["quiz_id"]): row["passed_at"]
            for row in quizzes_selectors.passed_quizzes(all_enrollment_ids)
        }
    counts = _activity_counts(
        all_enrollment_ids,
        [r for r in requirements if r.kind == Requirement.Kind.ACTIVITY],
        today,
    )
    evidence: dict[int, dict[int, RequirementEvidence]] = defaultdict(dict)
    kept_kinds = (Requirement.Kind.DOCUMENT, Requirement.Kind.CONFIRMATION)
    if not all(standing.enrolled for standing in result):
        # Activity thresholds of people without an enrollment are confirmed, not counted.
        kept_kinds += (Requirement.Kind.ACTIVITY,)
    if any(r.kind in kept_kinds for r in requirements):
        for found in (
            RequirementEvidence.objects.filter(
                person_id__in=[s.person.pk for s in result],
                requirement__in=[r for r in requirements if r.kind in kept_kinds],
            )
            .select_related("recorded_by", "document")
            .order_by("recorded_at", "pk")
        ):
            evidence[found.person_id][found.requirement_id] = found  # the latest wins
    for standing in result:
        level = standing.next_level
        if level is None:
            continue
        enrollment_ids = [row["pk"] for row in enrollments.get(standing.person.pk, [])]
        if level.min_experience_months:
            standing.states.append(_experience_state(level, standing.hire_date, today))
        for requirement in level.requirements.all():
            standing.states.append(
                _requirement_state(
                    requirement,
                    enrollment_ids=enrollment_ids,
                    passed=passed,
                    counts=counts,
                    evidence=evidence[standing.person.pk],
                    today=today,
                )
            )


def standing_of(person, *, today: date) -> Standing:
    return standings([person], today=today)[0]


# --- Who is on the ladder, who sees whom -------------------------------------------------


def _people():
    return get_user_model().objects.select_related("profile__office")


def people_on_ladder():
    """Everyone who has entered the ladder, by name."""
    on_ladder = LevelChange.objects.approved().filter(person=OuterRef("pk"))
    return _people().filter(Exists(on_ladder)).order_by("last_name", "first_name", "username")


def office_scope(user) -> int | None:
    """The office a director is limited to when ``OFFICE_SCOPE`` is on
    (and they have one); None: every office. The same scope as the bonuses page's
    (``people.offices.director_office_scope``)."""
    return director_office_scope(user)


def team_visible_to(user, *, office_id: int | None = None):
    """The people on the ladder whom ``user`` sees on the team page, optionally in one office."""
    if not may_view_team(user):
        return _people().none()
    qs = people_on_ladder()
    scope = office_scope(user)
    if scope is not None:
        qs = qs.filter(profile__office_id=scope)
    if office_id is not None:
        qs = qs.filter(profile__office_id=office_id)
    return qs


def people_visible_to(user):
    """Whose career page ``user`` may open: the team's viewers every person on the ladder
    or in onboarding (within their office scope), a mentor their mentees, anyone themselves."""
    if not user.is_authenticated:
        return _people().none()
    own = Q(pk=user.pk)
    if may_view_team(user):
        enrolled = courses_selectors.enrollments_all().filter(trainee=OuterRef("pk"))
        on_ladder = LevelChange.objects.filter(person=OuterRef("pk"))
        visible = Q(Exists(enrolled)) | Q(Exists(on_ladder))
        scope = office_scope(user)
        if scope is not None:
            visible &= Q(profile__office_id=scope)
        return _people().filter(own | visible)
    mentees = coaching.active_mentorships().filter(mentor=user).values("enrollment__trainee_id")
    return _people().filter(own | Q(pk__in=mentees))


def history_of(person):
    """Every level change of the person, newest first, with who proposed and decided."""
    return (
        LevelChange.objects.filter(person=person)
        .select_related("level__ladder", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")
    )


def higher_levels(standing: Standing) -> list[Level]:
    """The levels a promotion may name: above the current one on the person's ladder."""
    if standing.ladder is None:
        return []
    number = standing.level.number if standing.level else 0
    return [level for level in standing.ladder.levels.all() if level.number > number]


# --- The team's summary -------------------------------------------------------------------


@dataclass
class LevelSummary:
    level: Level
    count: int = 0
    months_total: int = 0

    @property
    def average_months(self) -> int | None:
        return round(self.months_total / self.count) if self.count else None


@dataclass
class OfficePay:
    office: Office | None
    below: int = 0
    within: int = 0
    above: int = 0
    unknown: int = 0
    total_pay: Decimal = Decimal(0)


@dataclass
class TeamSummary:
    ready: list[Standing]
    close: list[Standing]
    levels: list[LevelSummary]
    offices: list[OfficePay]

    @property
    def largest_level_count(self) -> int:
        return max((row.count for row in self.levels), default=0)


def team_summary(rows: list[Standing]) -> TeamSummary:
    """Who is ready, who is close, how many at each level and for how long, and the pay against
    the bands per office, from the standings already read (no query)."""
    levels: dict[int, LevelSummary] = {}
    for ladder in {s.ladder.pk: s.ladder for s in rows if s.ladder}.values():
        for level in ladder.levels.all():
            levels[level.pk] = LevelSummary(level=level)
    pay: dict[int | None, OfficePay] = {}
    for standing in rows:
        if standing.level is not None and standing.level.pk in levels:
            summary = levels[standing.level.pk]
            summary.count += 1
            summary.months_total += standing.months_at_level or 0
        office = standing.office
        row = pay.setdefault(office.pk if office else None, OfficePay(office=office))
        position = standing.pay_position or "unknown"
        setattr(row, position, getattr(row, position) + 1)
        row.total_pay += standing.pay or 0
    ordered_offices = sorted(pay.values(), key=lambda r: (r.office is None, str(r.office or "")))
    return TeamSummary(
        ready=[s for s in rows if s.is_ready],
        close=[s for s in rows if s.is_close],
        levels=sorted(levels.values(), key=lambda r: (r.level.ladder_id, r.level.number)),
        offices=ordered_offices,
    )
