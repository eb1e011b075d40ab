"""The grading rules that every kind of human grading shares (docs/quizzes.md, "Grading"):
the grading lease (one grader at a time, expiring, shown to the others) and the due and
overdue dates. The quizzes' attempts use them, and so do the mentors' call reviews
(docs/coaching.md): one definition, one behaviour.

A graded object carries ``leased_to`` (a user, or None) and ``lease_expires_at``; the
``LeaseHolder`` mixin reads them, ``lease_take`` takes a free (or expired, or one's own) lease
with one conditional UPDATE, and ``lease_for_saving`` is the check every save runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from people.names import display_name


def lease_minutes() -> int:
    return int(getattr(settings, "QUIZ_GRADING_LEASE_MINUTES", 30))


class GradingLockError(Exception):
    """Saving grades without holding a valid lease (HTTP 409 in views). Subclasses name what
    is graded in their messages (an attempt, a call)."""

    def held_message(self, holder) -> str:
        return _("%(name)s is grading this attempt now; your changes were not saved.") % {
            "name": display_name(holder)
        }

    def expired_message(self) -> str:
        return _(
            "Your grading lock expired; your changes were not saved. "
            "Reload the page, check what was saved meanwhile and take the attempt again."
        )

    def __init__(self, holder=None):
        self.holder = holder
        message = self.held_message(holder) if holder is not None else self.expired_message()
        super().__init__(message)
        self.message = message


class LeaseHolder:
    """Reads a graded object's lease (a mixin for models with ``leased_to`` and
    ``lease_expires_at``)."""

    def lease_is_held_by(self, user, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.leased_to_id == user.pk
            and self.lease_expires_at is not None
            and self.lease_expires_at > now
        )

    def lease_holder(self, now: datetime | None = None):
        """The user holding a valid lease, or None."""
        now = now or timezone.now()
        if self.leased_to_id and self.lease_expires_at and self.lease_expires_at > now:
            return self.leased_to
        return None


def lease_take(gradable: QuerySet, *, obj, user, now: datetime) -> bool:
    """Take (or renew) ``obj``'s lease with one conditional UPDATE on ``gradable`` (the
    queryset of what may be leased at all: an attempt awaiting grading, a call not yet
    reviewed): of two graders racing for a free one exactly one gets it. Returns whether
    ``user`` holds it now; ``obj`` is refreshed."""
    free = Q(leased_to__isnull=True) | Q(lease_expires_at__lte=now) | Q(leased_to=user)
    taken = (
        gradable.filter(pk=obj.pk)
        .filter(free)
        .update(leased_to=user, lease_expires_at=now + timedelta(minutes=lease_minutes()))
    )
    obj.refresh_from_db(fields=["leased_to", "lease_expires_at"])
    return bool(taken)


def lease_release(model, *, obj, user) -> bool:
    return bool(
        model.objects.filter(pk=obj.pk, leased_to=user).update(
            leased_to=None, lease_expires_at=None
        )
    )


def lease_for_saving(
    obj,
    *,
    grader,
    now: datetime,
    take: Callable[[], bool],
    error: type[GradingLockError] = GradingLockError,
) -> None:
    """Saving needs the lease. The first save takes a free one (opening the page does not), so
    a grader who only reads never blocks the one who grades. A grader whose own lease ran out
    is refused all the same: someone may have saved meanwhile, and they reload and take it
    again ("Take it" on the page) rather than write over what they have not seen."""
    if obj.lease_is_held_by(grader, now):
        return
    holder = obj.lease_holder(now)
    if holder is not None or obj.leased_to_id == grader.pk:
        raise error(holder)
    if not take():
        raise error(obj.lease_holder(now))


def lease_renew(obj, *, now: datetime) -> None:
    """Saving renews the lease, so a grader working steadily keeps it."""
    obj.lease_expires_at = now + timedelta(minutes=lease_minutes())
    obj.save(update_fields=["lease_expires_at"])


# A quiz's default "grading due after" and "grading overdue after" (days): the dates of
# whatever is graded without a quiz of its own (a call picked for review).
DEFAULT_DUE_DAYS = 21
DEFAULT_OVERDUE_DAYS = 28


def grading_dates(
    submitted_on: date,
    *,
    due_days: int = DEFAULT_DUE_DAYS,
    overdue_days: int = DEFAULT_OVERDUE_DAYS,
) -> tuple[date, date]:
    """The due and overdue dates of work handed in for grading on ``submitted_on``."""
    return submitted_on + timedelta(days=due_days), submitted_on + timedelta(days=overdue_days)
