"""The audit history: who decided what about a trainee, when and why, read from the records
each decision already leaves (grade changes, extra-attempt grants, bonus approvals and
payments, enrollment events, readiness sign-offs).

``audit_events`` is one time-ordered UNION of those tables with a common shape, so paging
and counting happen in the database; ``audit_entries`` turns one page of it into display
rows with a fixed number of queries, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, F, TextField, Value
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from courses import selectors as course_selectors
from courses.selectors import enrollments_visible_to
from mentors import selectors as mentor_selectors
from people.formatting import money, number
from people.names import display_name
from people.permissions import sees_all_trainees
from quizzes import selectors as quiz_selectors

if TYPE_CHECKING:  # the types only: the rows are read through each app's selectors
    from courses.models import Enrollment
    from mentors.models import BonusStatement
    from quizzes.models import GradeChange


class Kind(models.TextChoices):
    GRADE_OVERRIDE = "grade_override", _("Grade override")
    GRADE_CHANGE = "grade_change", _("Grade changed")
    EXTRA_ATTEMPT = "extra_attempt", _("Extra attempt")
    BONUS_APPROVED = "bonus_approved", _("Bonus approved")
    BONUS_PAID = "bonus_paid", _("Bonus paid")
    ENROLLED = "enrolled", _("Enrolled")
    DROPPED = "dropped", _("Dropped")
    REACTIVATED = "reactivated", _("Reactivated")
    STAGE_COMPLETED = "stage_completed", _("Stage completed")
    SIGNED_OFF = "signed_off", _("Signed off as ready")


# The status badge (an existing .status-* style) each kind is shown with.
KIND_TONES = {
    Kind.GRADE_OVERRIDE: "amber",
    Kind.GRADE_CHANGE: "amber",
    Kind.EXTRA_ATTEMPT: "amber",
    Kind.BONUS_APPROVED: "approved",
    Kind.BONUS_PAID: "paid",
    Kind.ENROLLED: "none",
    Kind.DROPPED: "dropped",
    Kind.REACTIVATED: "active",
    Kind.STAGE_COMPLETED: "none",
    Kind.SIGNED_OFF: "independent",
}

# Enrollment events shown as they are. A sign-off also writes an event; the sign-off row
# itself is the record shown (it is the one the drill-down reads), so the event is skipped.
EVENT_KINDS = [
    Kind.ENROLLED,
    Kind.DROPPED,
    Kind.REACTIVATED,
    Kind.STAGE_COMPLETED,
]

COLUMNS = (
    "audit_kind",
    "audit_at",
    "audit_actor",
    "audit_enrollment",
    "audit_object",
    "audit_reason",
)


def _shape(qs, *, kind, at: str, actor: str, enrollment: str, reason) -> models.QuerySet:
    """One source in the common shape; ``kind`` and ``reason`` are a field name or a Value."""
    return qs.order_by().annotate(
        audit_kind=kind if not isinstance(kind, str) else Value(kind, output_field=CharField()),
        audit_at=F(at),
        audit_actor=F(actor),
        audit_enrollment=F(enrollment),
        audit_object=F("pk"),
        audit_reason=reason,
    )


def _sources() -> dict[str, models.QuerySet]:
    """Every audited kind -> its rows in the common shape (not yet filtered or scoped)."""
    no_reason = Value("", output_field=TextField())
    grade_changes = quiz_selectors.grade_changes()
    statements = mentor_selectors.statements_all()
    return {
        Kind.GRADE_OVERRIDE: _shape(
            grade_changes.filter(is_override=True),
            kind=Kind.GRADE_OVERRIDE,
            at="changed_at",
            actor="changed_by_id",
            enrollment="response__attempt__enrollment_id",
            reason=F("reason"),
        ),
        Kind.GRADE_CHANGE: _shape(
            grade_changes.filter(is_override=False),
            kind=Kind.GRADE_CHANGE,
            at="changed_at",
            actor="changed_by_id",
            enrollment="response__attempt__enrollment_id",
            reason=F("reason"),
        ),
        Kind.EXTRA_ATTEMPT: _shape(
            quiz_selectors.extra_attempt_grants(),
            kind=Kind.EXTRA_ATTEMPT,
            at="granted_at",
            actor="granted_by_id",
            enrollment="enrollment_id",
            reason=F("reason"),
        ),
        Kind.BONUS_APPROVED: _shape(
            statements.filter(approved_at__isnull=False),
            kind=Kind.BONUS_APPROVED,
            at="approved_at",
            actor="approved_by_id",
            enrollment="mentorship__enrollment_id",
            reason=F("approval_note"),
        ),
        Kind.BONUS_PAID: _shape(
            statements.filter(paid_at__isnull=False),
            kind=Kind.BONUS_PAID,
            at="paid_at",
            actor="paid_by_id",
            enrollment="mentorship__enrollment_id",
            reason=no_reason,
        ),
        Kind.SIGNED_OFF: _shape(
            course_selectors.readiness_sign_offs(),
            kind=Kind.SIGNED_OFF,
            at="signed_at",
            actor="signed_by_id",
            enrollment="enrollment_id",
            reason=F("note"),
        ),
        # All enrollment events in one branch; the kind filter narrows it by its own column.
        "events": _shape(
            course_selectors.enrollment_events_of_kinds(EVENT_KINDS),
            kind=F("kind"),
            at="at",
            actor="actor_id",
            enrollment="enrollment_id",
            reason=F("reason"),
        ),
    }


def audit_events(user, *, narrow: Callable[[models.QuerySet], models.QuerySet] | None = None):
    """The audited events about the trainees ``user`` may see, newest first, as one
    queryset of dicts (``COLUMNS``). ``narrow`` filters each table in the common shape before
    the union, which SQL cannot filter afterwards (the page's ``AuditFilter.narrow``)."""
    scope = None if sees_all_trainees(user) else enrollments_visible_to(user)
    branches = []
    for branch in _sources().values():
        if scope is not None:
            branch = branch.filter(audit_enrollment__in=scope.values("pk"))
        if narrow is not None:
            branch = narrow(branch)
        branches.append(branch.values(*COLUMNS))
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-audit_at", "-audit_object")


@dataclass
class AuditEntry:
    kind: str
    at: datetime
    actor: object | None
    enrollment: Enrollment | None
    # The subject of the decision in short parts (the quiz, the points; the mentor, the
    # period, the amount): the page wraps a long line between parts, not inside one.
    what_parts: tuple[str, ...]
    why: str

    @property
    def what(self) -> str:
        return " · ".join(self.what_parts)

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def tone(self) -> str:
        return KIND_TONES.get(self.kind, "none")

    @property
    def trainee(self):
        return self.enrollment.trainee if self.enrollment else None


def _person(user) -> str:
    return display_name(user) if user else "—"


def _points(value) -> str:
    return "—" if value is None else number(value.normalize())


def _grade_what(change: GradeChange) -> tuple[str, ...]:
    response = change.response
    return (
        response.attempt.quiz.title,
        _("question %(n)s: %(old)s → %(new)s points")
        % {
            "n": response.order,
            "old": _points(change.old_points),
            "new": _points(change.new_points),
        },
    )


def _bonus_what(statement: BonusStatement) -> tuple[str, ...]:
    start = date_format(statement.period_start, "MONTH_DAY_FORMAT")
    end = date_format(statement.last_day, "DATE_FORMAT")
    return (
        _("mentor %(name)s") % {"name": _person(statement.mentorship.mentor)},
        f"{start} – {end}",
        money(statement.amount, statement.currency),
    )


def audit_entries(rows) -> list[AuditEntry]:
    """Display rows for one page of ``audit_events``: one query per related table present on
    the page, never one per row."""
    rows = list(rows)
    users = get_user_model().objects.in_bulk({r["audit_actor"] for r in rows} - {None})
    enrollments = course_selectors.enrollments_by_id({r["audit_enrollment"] for r in rows} - {None})

    def ids(*kinds):
        return {r["audit_object"] for r in rows if r["audit_kind"] in kinds}

    grade_ids = ids(Kind.GRADE_OVERRIDE, Kind.GRADE_CHANGE)
    grant_ids = ids(Kind.EXTRA_ATTEMPT)
    statement_ids = ids(Kind.BONUS_APPROVED, Kind.BONUS_PAID)
    grades = quiz_selectors.grade_changes_by_id(grade_ids) if grade_ids else {}
    grants = quiz_selectors.extra_attempt_grants_by_id(grant_ids) if grant_ids else {}
    statements = mentor_selectors.statements_by_id(statement_ids) if statement_ids else {}

    entries = []
    for row in rows:
        kind, pk = row["audit_kind"], row["audit_object"]
        enrollment = enrollments.get(row["audit_enrollment"])
        what, why = (), row["audit_reason"] or ""
        if kind in (Kind.GRADE_OVERRIDE, Kind.GRADE_CHANGE) and pk in grades:
            what = _grade_what(grades[pk])
        elif kind == Kind.EXTRA_ATTEMPT and pk in grants:
            what = (grants[pk].quiz.title,)
        elif kind in (Kind.BONUS_APPROVED, Kind.BONUS_PAID) and pk in statements:
            what = _bonus_what(statements[pk])
        elif kind == Kind.STAGE_COMPLETED:
            # The event keeps the stage's title where the others keep a reason.
            what, why = ((why,) if why else ()), ""
        elif kind == Kind.ENROLLED and enrollment is not None:
            what = (enrollment.program.title,)
        entries.append(
            AuditEntry(
                kind=kind,
                at=row["audit_at"],
                actor=users.get(row["audit_actor"]),
                enrollment=enrollment,
                what_parts=what,
                why=why,
            )
        )
    return entries
