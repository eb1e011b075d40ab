"""Reads of mentorships, activities and bonus statements, scoped to who is asking."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format

from courses.blocks import Responsible
from courses.models import Enrollment
from courses.selectors import StageSummary, WaitingItem, checklist_waiting, stage_summaries
from people import json_rows
from people.offices import director_office_scope
from people.permissions import grades_all_attempts, is_mentor
from people.roles import Role
from quizzes.selectors import QuizResult, quiz_results_of, recorded_attempts_graded_by

from .bonus import COUNTED_KINDS, Window, best_tier, local_midnight, next_tier, window_of
from .models import (
    Activity,
    ActivityDay,
    BonusRule,
    BonusStatement,
    BonusTier,
    CallComment,
    CallRecording,
    CallRecordingFetch,
    CallReview,
    ImportJob,
    MentoringSettings,
    Mentorship,
    PayrollBatch,
    activity_count_text,
)
from .permissions import (
    is_activity_confirmer,
    may_see_payroll_batches,
    sees_all_activity,
    sees_all_import_jobs,
)
from .provenance import TYPED_PROVENANCES, rule_counts


def default_mentee_cap() -> int:
    """settings.MENTOR_MAX_MENTEES; a program's MentoringSettings overrides it."""
    return settings.MENTOR_MAX_MENTEES


def activities_visible_to(user):
    """All (staff, integrations), the active mentees' (mentors), one's own (trainees)."""
    qs = Activity.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_all_activity(user):
        return qs
    mentee = Mentorship.objects.active().filter(mentor=user).values("enrollment_id")
    return qs.filter(Q(enrollment__trainee=user) | Q(enrollment_id__in=mentee))


def statements_visible_to(user):
    """All (staff, integrations; a director with an office scope: that office's mentors'); the
    mentor's own statements; nothing for anyone else."""
    qs = BonusStatement.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_all_activity(user):
        # A director limited to their office (OFFICE_SCOPE) sees the
        # statements of that office's mentors: whose pay they are.
        scope = director_office_scope(user)
        return qs if scope is None else qs.filter(mentorship__mentor__profile__office_id=scope)
    if is_mentor(user):
        return qs.filter(mentorship__mentor=user)
    return qs.none()


def payroll_batches_visible_to(user):
    """Payroll batches, newest first, with who made and paid them: for the approvers."""
    if not may_see_payroll_batches(user):
        return PayrollBatch.objects.none()
    return (
        PayrollBatch.objects.select_related("created_by", "paid_by")
        .defer("content")
        .prefetch_related(
            # Who mentored and approved each statement: whether this user may pay the batch.
            Prefetch(
                "statements",
                queryset=BonusStatement.objects.select_related("mentorship").only(
                    "pk", "status", "approved_by_id", "payroll_batch_id", "mentorship__mentor_id"
                ),
            )
        )
    )


def rules_visible_to(user):
    qs = BonusRule.objects.all()
    if sees_all_activity(user) or is_mentor(user):
        return qs.prefetch_related(
            Prefetch("tiers", queryset=BonusTier.objects.order_by("sort_order"))
        )
    return qs.none()


def mentorships_visible_to(user):
    qs = Mentorship.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_all_activity(user):
        return qs
    return qs.filter(Q(mentor=user) | Q(enrollment__trainee=user))


def mentee_cap(program) -> int:
    row = MentoringSettings.objects.filter(program=program).first()
    return row.mentee_cap if row else default_mentee_cap()


def active_mentee_count(*, mentor, program) -> int:
    """The mentees the cap counts: active mentorships of trainees still in onboarding. A
    trainee signed off as ready (working independently) no longer takes a place, even while
    the mentorship runs on to the end of its bonus window (MENTORSHIP_ENDS_AT)."""
    return (
        Mentorship.objects.active()
        .filter(
            mentor=mentor,
            enrollment__program=program,
            enrollment__status=Enrollment.Status.ACTIVE,
        )
        .count()
    )


# Windows per query: 4 parameters each, far below SQLite's and PostgreSQL's limits.
WINDOWS_PER_QUERY = 2000


def window_counts(windows: dict) -> dict:
    """{key: {kind: count}} of the counted kinds inside each (enrollment id, window) of
    ``windows`` ({key: (enrollment_id, Window)}), in one query per 2,000 windows.

    Windows run from local midnight to local midnight, so they are read from the per-day
    summary (``ActivityDay``, see mentors/activity_summary.py): about 30 rows per kind and window.
    """
    counts = {key: dict.fromkeys(COUNTED_KINDS, 0) for key in windows}
    items = list(windows.items())
    kinds = ", ".join(["%s"] * len(COUNTED_KINDS))
    for i in range(0, len(items), WINDOWS_PER_QUERY):
        chunk = items[i : i + WINDOWS_PER_QUERY]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        params: list = []
        for n, (_key, (enrollment_id, window)) in enumerate(chunk):
            params += [n, enrollment_id, window.start, window.end]
        query = (
            # Built from placeholders and the model's table: every value is a parameter.
            f"WITH w (n, enrollment_id, first_day, end_day) AS (VALUES {values}) "  # noqa: S608
            "SELECT w.n, d.kind, SUM(d.count) FROM w "
            f"JOIN {ActivityDay._meta.db_table} d ON d.enrollment_id = w.enrollment_id "
            "AND d.day >= w.first_day AND d.day < w.end_day "
            f"WHERE d.kind IN ({kinds}) GROUP BY w.n, d.kind"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, params + list(COUNTED_KINDS))
            for n, kind, total in cursor.fetchall():
                counts[chunk[n][0]][kind] = int(total)
    return counts


def _windows_cte() -> str:
    """The windows as rows ``w (n, enrollment_id, first_day, end_day, day_limit)`` from one
    JSON parameter (a list of [n, enrollment id, first day, end day, limit],
    ``people.json_rows``): one parameter whatever the number of windows."""
    columns = [
        ("n", "int"),
        ("enrollment_id", "bigint"),
        ("first_day", "date"),
        ("end_day", "date"),
        ("day_limit", "int"),
    ]
    items = ", ".join(
        f"{json_rows.item('x', i, cast)} AS {name}" for i, (name, cast) in enumerate(columns)
    )
    return f"WITH w AS (SELECT {items} {json_rows.source('x')}) "


def window_breakdown(windows: dict) -> dict:
    """What the bonus would count in each window so far, for the pages (the statements are
    computed in SQL: mentors/statement_sql.py): ``windows`` is {key: (enrollment id, Window,
    typed daily limit)}; the answer is {key: {(provenance, confirmed): {kind: n}}} of the
    counted kinds, from the per-day summary, in one query whatever the number of windows
    (they are one JSON parameter)."""
    by_provenance: dict = {key: {} for key in windows}
    if not windows:
        return by_provenance
    keys = list(windows)
    payload = json.dumps(
        [
            [n, enrollment_id, window.start.isoformat(), window.end.isoformat(), limit]
            for n, (enrollment_id, window, limit) in enumerate(windows.values())
        ]
    )
    counted = ", ".join(f"'{kind}'" for kind in COUNTED_KINDS)
    # Built from the model's table, the kinds' fixed names and one placeholder: the windows
    # are a parameter.
    query = (
        _windows_cte() + "SELECT w.n, d.provenance, d.confirmed, d.kind, SUM(d.count) "  # noqa: S608
        f"FROM w JOIN {ActivityDay._meta.db_table} d ON d.enrollment_id = w.enrollment_id "
        "AND d.day >= w.first_day AND d.day < w.end_day "
        f"WHERE d.kind IN ({counted}) GROUP BY w.n, d.provenance, d.confirmed, d.kind"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [payload])
        for n, provenance, confirmed, kind, total in cursor.fetchall():
            cell = by_provenance[keys[n]].setdefault(
                (provenance, bool(confirmed)), dict.fromkeys(COUNTED_KINDS, 0)
            )
            cell[kind] = int(total)
    return by_provenance


def mentorship_window(mentorship) -> Window | None:
    rule = mentorship.bonus_rule
    if rule is None:
        return None
    return window_of(mentorship, rule.period_days)


def statement_list(user):
    """The "Mentor bonuses" list: statements with mentor, trainee and rule in one query (its
    filters: mentors/filters.py)."""
    qs = (
        statements_visible_to(user)
        .select_related(
            "mentorship__mentor",
            "mentorship__enrollment__trainee",
            "mentorship__enrollment__program",
            "mentorship__bonus_rule",
            # A superseded statement names the mentorship that carries its window on.
            "mentorship__carried_into__mentor",
            "approved_by",
            "payroll_batch",
            "rule_version__changed_by",
        )
        .defer("payroll_batch__content")
    )
    return qs.order_by("-period_start", "mentorship__mentor__last_name", "pk")


def mentor_statements(mentor):
    """A mentor's own statements, newest period first, for "My mentees": what
    ``statement_list(mentor).filter(mentorship__mentor=mentor)`` gives a mentor, without
    asking whether the mentor also sees everyone's (two permission queries on every view)."""
    return (
        BonusStatement.objects.filter(mentorship__mentor=mentor)
        .select_related(
            "mentorship__mentor",
            "mentorship__enrollment__trainee",
            "mentorship__enrollment__program",
            "mentorship__bonus_rule",
            "approved_by",
            "rule_version__changed_by",
        )
        .order_by("-period_start", "pk")
    )


def statement_totals(qs) -> list[dict]:
    """Sum of amounts per status and currency of a statement queryset."""
    labels = dict(BonusStatement.Status.choices)
    order = list(labels)
    rows = list(
        qs.order_by()
        .values("status", "currency")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        row["label"] = labels.get(row["status"], row["status"])
    return sorted(rows, key=lambda r: (order.index(r["status"]), r["currency"]))


@dataclass
class KindProgress:
    kind: str
    label: str
    count: int
    target: int

    @property
    def percent(self) -> int:
        if self.target <= 0:
            return 100
        return min(100, round(100 * self.count / self.target))

    @property
    def met(self) -> bool:
        return self.count >= self.target


@dataclass
class MenteeRow:
    mentorship: Mentorship
    enrollment: object
    stage: str
    days_since_hire: int
    window: Window | None
    counts: dict[str, int]
    reached: BonusTier | None
    next: BonusTier | None
    progress: list[KindProgress] = field(default_factory=list)
    days_left: int = 0
    window_over: bool = False
    # The mentor's workspace: the stages, the quizzes, the checklist items waiting for the
    # mentor and the attempts to grade, each a link away.
    stages: StageSummary = field(default_factory=StageSummary)
    waiting: list[WaitingItem] = field(default_factory=list)
    quizzes: list[QuizResult] = field(default_factory=list)

    @property
    def to_grade(self) -> list:
        return [
            r.latest for r in self.quizzes if r.latest.status == r.latest.Status.AWAITING_GRADING
        ]

    @property
    def amount(self) -> Decimal:
        return self.reached.amount if self.reached else Decimal("0.00")

    @property
    def count_list(self) -> list[str]:
        """The window's counts in words: «160 звонков · 7 встреч · 3 заявки · 1 договор»."""
        return [activity_count_text(kind, self.counts[kind]) for kind in COUNTED_KINDS]


def mentee_rows(mentor, *, now: datetime | None = None) -> list[MenteeRow]:
    """Everything "My mentees" shows, in a number of queries independent of the mentee count."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    mentorships = list(
        Mentorship.objects.active()
        .filter(mentor=mentor)
        .select_related("enrollment__trainee", "enrollment__program", "bonus_rule")
        .prefetch_related(
            Prefetch("bonus_rule__tiers", queryset=BonusTier.objects.order_by("sort_order"))
        )
        .order_by("started_on", "pk")
    )
    windows = {m.pk: mentorship_window(m) for m in mentorships}
    counts = {m.pk: dict.fromkeys(COUNTED_KINDS, 0) for m in mentorships}
    # What the bonus will count: the provenances the rule counts, typed ones once confirmed.
    breakdown = window_breakdown(
        {
            m.pk: (m.enrollment_id, w, m.bonus_rule.typed_daily_limit)
            for m in mentorships
            if (w := windows[m.pk]) is not None
        }
    )
    for m in mentorships:
        if m.pk in breakdown:
            counts[m.pk] = rule_counts(
                breakdown[m.pk],
                counted=m.bonus_rule.counted_provenances,
                confirmation_required=m.bonus_rule.confirmation_required,
            )[0]
    enrollment_ids = [m.enrollment_id for m in mentorships]
    summaries = stage_summaries(enrollment_ids)
    waiting = checklist_waiting(summaries, responsible=Responsible.MENTOR)
    quizzes = quiz_results_of(enrollment_ids) if enrollment_ids else {}
    labels = dict(Activity.Kind.choices)
    result = []
    for m in mentorships:
        window = windows[m.pk]
        c = counts[m.pk]
        tiers = list(m.bonus_rule.tiers.all()) if m.bonus_rule else []
        reached = None if window is not None and window.is_empty else best_tier(tiers, c)
        target = next_tier(tiers, c, reached)
        aim = target or reached
        progress = []
        if aim is not None:
            for kind in COUNTED_KINDS:
                minimum = getattr(aim, f"min_{kind}")
                if minimum:
                    progress.append(KindProgress(kind, labels[kind], c[kind], minimum))
        result.append(
            MenteeRow(
                mentorship=m,
                enrollment=m.enrollment,
                stage=summaries.get(m.enrollment_id, StageSummary()).current_title,
                days_since_hire=(today - m.enrollment.hire_date).days,
                window=window,
                counts=c,
                reached=reached,
                next=target,
                progress=progress,
                days_left=window.days_left(now) if window else 0,
                window_over=window.is_over(now) if window else False,
                stages=summaries.get(m.enrollment_id, StageSummary()),
                waiting=waiting.get(m.enrollment_id, []),
                quizzes=quizzes.get(m.enrollment_id, []),
            )
        )
    return result


def activity_log(user, *, enrollment):
    """An enrollment's activity, newest first, through the user's scope (404 upstream; its
    filters: mentors/filters.py)."""
    qs = activities_visible_to(user).filter(enrollment=enrollment).select_related("recorded_by")
    return qs.order_by("-occurred_at", "-pk")


@dataclass
class WeekTotals:
    week_start: date
    counts: dict[str, int]

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def label(self) -> str:
        """ "23–29 November" («23–29 ноября»), or "26 October – 1 November" across months."""

        end = self.week_end
        if self.week_start.month == end.month:
            return f"{self.week_start.day}–{date_format(end, 'MONTH_DAY_FORMAT')}"
        start = date_format(self.week_start, "MONTH_DAY_FORMAT")
        return f"{start} – {date_format(end, 'MONTH_DAY_FORMAT')}"


def weekly_totals(qs, *, weeks: int = 8, today: date | None = None) -> list[WeekTotals]:
    """Counts per kind for each of the last ``weeks`` weeks (Monday first, local time)."""
    today = today or timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    rows = (
        qs.filter(occurred_at__gte=local_midnight(first))
        .annotate(week=TruncWeek("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("week", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    buckets = {
        first + timedelta(weeks=i): dict.fromkeys(Activity.Kind.values, 0) for i in range(weeks)
    }
    for row in rows:
        week = row["week"]
        day = week.date() if isinstance(week, datetime) else week
        if day in buckets:
            buckets[day][row["kind"]] = row["n"]
    return [WeekTotals(week_start=d, counts=c) for d, c in sorted(buckets.items(), reverse=True)]


def mentor_choices():

    return (
        get_user_model()
        .objects.filter(groups__name__in=[Role.MENTOR, Role.HEAD_OF_SALES], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- For the reports of the floor above (rampup) -------------------------------------------


def active_mentorships_prefetch(*, to_attr: str = "active_mentorships") -> Prefetch:
    """An enrollment's active mentorship (at most one) with its mentor, into ``to_attr``."""
    return Prefetch(
        "mentorships",
        queryset=Mentorship.objects.active().select_related("mentor"),
        to_attr=to_attr,
    )


def active_mentor_names(enrollment_ids):
    """Plain rows of the active mentorships of these enrollments (a queryset or a subquery of
    ids): ``enrollment_id`` and the mentor's ``mentor_first``, ``mentor_last`` and
    ``mentor_username``; the dashboard's sort by mentor reads them in its own query."""
    return (
        Mentorship.objects.active()
        .filter(enrollment_id__in=enrollment_ids)
        .annotate(
            mentor_first=F("mentor__first_name"),
            mentor_last=F("mentor__last_name"),
            mentor_username=F("mentor__username"),
        )
        .values("enrollment_id", "mentor_first", "mentor_last", "mentor_username")
        .order_by()
    )


def active_mentor_of(enrollment):
    """The enrollment's active mentor, or None."""
    mentorship = (
        Mentorship.objects.active().filter(enrollment=enrollment).select_related("mentor").first()
    )
    return mentorship.mentor if mentorship is not None else None


def activity_days(*, enrollment_ids, kinds=None):
    """The per-day activity summary (mentors/activity_summary.py) of these enrollments."""
    qs = ActivityDay.objects.filter(enrollment_id__in=enrollment_ids)
    return qs if kinds is None else qs.filter(kind__in=kinds)


def statements_all():
    return BonusStatement.objects.all()


def statements_by_id(ids) -> dict[int, BonusStatement]:
    """{id: statement} with the mentorship's mentor, in one query."""
    return BonusStatement.objects.select_related("mentorship__mentor").in_bulk(ids)


def decision_maker_events(*, enrollment_ids):
    """(enrollment id, occurred at, kind, decision-maker reached) of the contracts and of the
    calls and meetings at which the decision-maker was reached, in time order: what criterion
    5 of the ramp-up reads (rampup/criteria.py). One query, by the (enrollment, kind, time)
    index; no other activity is read."""
    return (
        Activity.objects.filter(enrollment_id__in=enrollment_ids)
        .filter(Q(kind=Activity.Kind.CONTRACT) | Q(decision_maker_reached=True))
        .order_by("enrollment_id", "occurred_at", "pk")
        .values_list("enrollment_id", "occurred_at", "kind", "decision_maker_reached")
    )


# --- Confirming typed activity --------------------------------------------------------------


def enrollment_mentor_ids(enrollment_ids) -> dict[int, set[int]]:
    """{enrollment id: ids of everyone who mentors or mentored it}, in one query."""
    result: dict[int, set[int]] = {}
    rows = Mentorship.objects.filter(enrollment_id__in=list(enrollment_ids)).values_list(
        "enrollment_id", "mentor_id"
    )
    for enrollment_id, mentor_id in rows:
        result.setdefault(enrollment_id, set()).add(mentor_id)
    return result


def activities_to_confirm(user):
    """The typed entries waiting for a confirmation that ``user`` may give: not typed by
    them, not their own as a trainee, not of a trainee they mentor or mentored; newest
    first, with trainee and author. Empty for anyone who does not confirm."""
    if not is_activity_confirmer(user):
        return Activity.objects.none()
    mentored = Mentorship.objects.filter(mentor=user).values("enrollment_id")
    return (
        Activity.objects.filter(provenance__in=TYPED_PROVENANCES, confirmed_at__isnull=True)
        .exclude(recorded_by=user)
        .exclude(enrollment__trainee=user)
        .exclude(enrollment_id__in=mentored)
        .select_related("enrollment__trainee", "enrollment__program", "recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def import_jobs_visible_to(user):
    """The import jobs a user may open: all of them for HR and the head of sales, else the
    ones they started; newest first."""
    jobs = ImportJob.objects.select_related("started_by")
    if sees_all_import_jobs(user):
        return jobs
    if not user.is_authenticated:
        return jobs.none()
    return jobs.filter(started_by=user)


# --- Call recordings and reviews (docs/coaching.md) ------------------------------------------


def call_recordings_visible_to(user):
    """Call recordings a user may hear (permissions.may_hear_call as a queryset): their own
    calls', their active mentees' (mentors), all (HR and directors); the head of sales and
    integration accounts hear none."""
    if not user.is_authenticated:
        return CallRecording.objects.none()
    if grades_all_attempts(user):
        return CallRecording.objects.all()
    own = Q(activity__enrollment__trainee=user)
    if is_mentor(user):
        mentee = Mentorship.objects.active().filter(mentor=user).values("enrollment_id")
        return CallRecording.objects.filter(own | Q(activity__enrollment_id__in=mentee))
    return CallRecording.objects.filter(own)


def call_page(activity) -> tuple[CallRecording | None, CallReview | None]:
    """A call's recording (with its comments) and review, in three queries at most."""
    recording = (
        CallRecording.objects.filter(activity=activity)
        .select_related("uploaded_by", "review_requested_by", "leased_to")
        .prefetch_related(
            Prefetch(
                "comments",
                queryset=CallComment.objects.select_related("author").order_by("at_seconds", "pk"),
            )
        )
        .first()
    )
    review = CallReview.objects.filter(activity=activity).select_related("reviewer").first()
    return recording, review


def calls_to_review(user):
    """Recorded calls picked for review and not reviewed yet that ``user`` reviews: their
    active mentees' (mentors), all (HR, directors), never their own; oldest pick first."""
    if not (grades_all_attempts(user) or is_mentor(user)):
        return CallRecording.objects.none()
    return (
        call_recordings_visible_to(user)
        .filter(review_requested_at__isnull=False, activity__review__isnull=True)
        .exclude(activity__enrollment__trainee=user)
        .select_related("activity__enrollment__trainee", "review_requested_by", "leased_to")
        .order_by("review_requested_at", "pk")
    )


def recording_fetches_of(connector) -> dict:
    """The connector's call recordings downloaded from its source: counts by status and the
    latest failures with their reasons (its status page)."""
    counts = dict(
        CallRecordingFetch.objects.filter(connector=connector)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    failed = list(
        CallRecordingFetch.objects.filter(
            connector=connector, status=CallRecordingFetch.Status.FAILED
        )
        .select_related("activity__enrollment__trainee")
        .order_by("-finished_at", "-pk")[:20]
    )
    return {
        "done": counts.get(CallRecordingFetch.Status.DONE, 0),
        "pending": counts.get(CallRecordingFetch.Status.PENDING, 0),
        "failed": counts.get(CallRecordingFetch.Status.FAILED, 0),
        "failures": failed,
    }


def recorded_calls(*, enrollment):
    """The enrollment's calls that carry a recording or a review, newest first."""
    return (
        Activity.objects.filter(enrollment=enrollment, kind=Activity.Kind.CALL)
        .filter(Q(recording__isnull=False) | Q(review__isnull=False))
        .select_related("recording", "review")
        .order_by("-occurred_at", "-pk")
    )


# For the reports of the floors above (rampup's drill-down).


@dataclass
class MonthScore:
    month: date
    reviewed: int
    average_percent: int


def call_review_rows(enrollment_ids) -> list[tuple[int, date, int]]:
    """(enrollment id, the call's local date, the scorecard's percent) of every reviewed call
    of the enrollments, in one query."""
    names = [name for name, _label in CallReview.CRITERIA]
    maximum = CallReview.MAX_SCORE * len(names)
    rows = CallReview.objects.filter(activity__enrollment_id__in=list(enrollment_ids)).values_list(
        "activity__enrollment_id", "activity__occurred_at", *names
    )
    return [
        (enrollment_id, timezone.localtime(occurred_at).date(), round(100 * sum(scores) / maximum))
        for enrollment_id, occurred_at, *scores in rows
    ]


def call_scorecards_by_month(enrollment_ids) -> dict[int, list[MonthScore]]:
    """{enrollment id: [MonthScore]} of the reviewed calls by calendar month of the call,
    oldest first (one query)."""
    buckets: dict[tuple[int, date], list[int]] = defaultdict(list)
    for enrollment_id, day, percent in call_review_rows(enrollment_ids):
        buckets[(enrollment_id, day.replace(day=1))].append(percent)
    result: dict[int, list[MonthScore]] = {}
    for (enrollment_id, month), percents in sorted(buckets.items()):
        result.setdefault(enrollment_id, []).append(
            MonthScore(month, len(percents), round(sum(percents) / len(percents)))
        )
    return result


def review_counts(mentor) -> dict[str, int]:
    """How many reviews a mentor has written: calls scored, recorded attempts graded."""
    return {
        "calls": CallReview.objects.filter(reviewer=mentor).count(),
        "recorded_attempts": recorded_attempts_graded_by(mentor),
    }
