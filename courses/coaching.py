"""Who coaches an enrollment, for the pages of this floor and the ones between it and mentors.

Mentorships belong to the mentors app, a floor above: this module cannot import them. The
mentors app registers its active mentorships here when it starts (``register``), and the
courses and quizzes apps ask through ``active_mentorships()``: a queryset of rows with
``enrollment_id`` and ``mentor``, to filter, prefetch or use in ``Exists``. The same goes for
the other direction: when an enrollment closes, ``enrollment_closed`` is sent and the mentors
app ends its mentorships.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.dispatch import Signal

# Sent inside the transaction that drops an enrollment: enrollment, on (a date), reason.
enrollment_closed = Signal()

_active_mentorships: Callable[[], QuerySet] | None = None
# The enrollment's reverse relation to its mentorships and the condition, in the
# enrollment's terms, that keeps the active one (for a join instead of a query).
_active_relation: tuple[str, Q] | None = None


def register(
    active_mentorships: Callable[[], QuerySet], *, relation: str = "", active: Q | None = None
) -> None:
    global _active_mentorships, _active_relation
    _active_mentorships = active_mentorships
    _active_relation = (relation, active) if relation and active is not None else None


def active_mentorships() -> QuerySet:
    if _active_mentorships is None:
        raise ImproperlyConfigured("No app registered the mentorships (INSTALLED_APPS: mentors).")
    return _active_mentorships()


def coached_by(user, *, enrollment_ref: str = "pk") -> Exists:
    """An ``Exists`` that is true where ``user`` actively mentors the enrollment that
    ``enrollment_ref`` names in the outer query ("pk" for enrollments, "enrollment_id" for rows
    that point at one)."""
    return Exists(active_mentorships().filter(enrollment=OuterRef(enrollment_ref), mentor=user))


# The attribute with_active_mentor_id annotates; absent: not known, ask the database.
ACTIVE_MENTOR_ID = "active_mentor_id"
UNKNOWN = object()


def with_active_mentor_id(enrollments: QuerySet) -> QuerySet:
    """Enrollments annotated with their active mentor's user id (None without one): there is
    at most one active mentorship per enrollment (a constraint of the mentors app). A page
    that loads its enrollment this way answers ``is_active_mentor_of`` and knows whether
    there is a mentor to show without another query."""
    mentor = active_mentorships().filter(enrollment=OuterRef("pk")).values("mentor_id")[:1]
    return enrollments.annotate(**{ACTIVE_MENTOR_ID: Subquery(mentor)})


# The attribute with_active_mentor joins the active mentorship (mentor and profile) on.
ACTIVE_MENTORSHIP = "active_mentorship_row"


def with_active_mentor(enrollments: QuerySet) -> QuerySet:
    """``with_active_mentor_id``, and the active mentorship with its mentor and the mentor's
    profile joined in the same query (one row at most: one active mentorship per
    enrollment), for the pages that show the mentor's contact. For single enrollments: a
    list would carry the mentor's columns on every row."""
    enrollments = with_active_mentor_id(enrollments)
    if _active_relation is None:
        return enrollments
    relation, active = _active_relation
    return enrollments.annotate(
        **{ACTIVE_MENTORSHIP: FilteredRelation(relation, condition=active)}
    ).select_related(f"{ACTIVE_MENTORSHIP}__mentor__profile")


def joined_active_mentor(enrollment):
    """The active mentor as joined by ``with_active_mentor`` (None: no mentor), or
    ``UNKNOWN`` for an enrollment loaded otherwise."""
    if ACTIVE_MENTORSHIP not in enrollment.__dict__:
        return UNKNOWN
    mentorship = enrollment.__dict__[ACTIVE_MENTORSHIP]
    return mentorship.mentor if mentorship is not None else None


def known_active_mentor_id(enrollment):
    """The active mentor's id as loaded by ``with_active_mentor_id`` (None: no mentor), or
    ``UNKNOWN`` for an enrollment loaded otherwise."""
    return getattr(enrollment, ACTIVE_MENTOR_ID, UNKNOWN)


def is_active_mentor_of(user, enrollment) -> bool:
    known = known_active_mentor_id(enrollment)
    if known is not UNKNOWN:
        return known is not None and known == user.pk
    return active_mentorships().filter(enrollment=enrollment, mentor=user).exists()


def active_mentor_of(enrollment_id):
    """The active mentor (with the profile loaded), or None."""
    mentorship = (
        active_mentorships()
        .filter(enrollment_id=enrollment_id)
        .select_related("mentor__profile")
        .first()
    )
    return mentorship.mentor if mentorship is not None else None
