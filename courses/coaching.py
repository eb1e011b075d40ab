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
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.dispatch import Signal

# Sent inside the transaction that drops an enrollment: enrollment, on (a date), reason.
enrollment_closed = Signal()

_active_mentorships: Callable[[], QuerySet] | None = None


def register(active_mentorships: Callable[[], QuerySet]) -> None:
    global _active_mentorships
    _active_mentorships = active_mentorships


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
