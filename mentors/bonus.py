"""The bonus rule's arithmetic: the window in local time and the tier a set of counts reaches.

Pure functions, so the page, the statement and the tests agree on the exact semantics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

COUNTED_KINDS = ("call", "meeting", "application", "contract")


def local_midnight(day: date) -> datetime:
    """00:00 of ``day`` in settings.TIME_ZONE, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class Window:
    """[start 00:00, end 00:00) in local time; ``end`` is excluded."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return local_midnight(self.start)

    @property
    def ends_at(self) -> datetime:
        return local_midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def is_empty(self) -> bool:
        """No day to count: an earlier mentorship's window covered this one's period."""
        return self.end <= self.start

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at

    def days_left(self, now: datetime) -> int:
        """Whole local days left, counting today; 0 once the window has ended."""
        if self.is_over(now):
            return 0
        today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
        return (self.end - max(today, self.start)).days


def window_for(
    *,
    started_on: date,
    period_days: int,
    ended_on: date | None,
    bonus_starts_on: date | None = None,
    carried: bool = False,
) -> Window:
    """The period counted from the start date, cut at the end date; it opens on
    ``bonus_starts_on`` when an earlier mentorship's window held the first days (it is then
    empty when that window covered the whole period: start == end, nothing counts).

    ``carried``: the mentorship carries on the window of the one it replaced (a change of
    mentor inside that window): the period runs from ``bonus_starts_on``, that window's first
    day, not from this mentorship's start date."""
    if carried and bonus_starts_on is not None:
        start = bonus_starts_on
        end = bonus_starts_on + timedelta(days=period_days)
    else:
        start = max(bonus_starts_on or started_on, started_on)
        end = started_on + timedelta(days=period_days)
    if ended_on is not None and ended_on < end:
        end = ended_on
    return Window(start=start, end=max(end, start))


def window_of(mentorship, period_days: int) -> Window:
    """``window_for`` of a mentorship row (model instance)."""
    return window_for(
        started_on=mentorship.started_on,
        period_days=period_days,
        ended_on=mentorship.ended_on,
        bonus_starts_on=mentorship.bonus_starts_on,
        carried=mentorship.carried_from_id is not None,
    )


def tier_met(tier, counts: dict[str, int]) -> bool:
    return all(counts.get(kind, 0) >= getattr(tier, f"min_{kind}") for kind in COUNTED_KINDS)


def best_tier(tiers, counts: dict[str, int]):
    """Of the tiers whose every minimum is met, the one with the largest amount; the first in
    order on a tie; None when no tier is met."""
    best = None
    for tier in tiers:
        if tier_met(tier, counts) and (best is None or tier.amount > best.amount):
            best = tier
    return best


def next_tier(tiers, counts: dict[str, int], reached=None):
    """The tier to aim for next: the cheapest tier paying more than the one reached."""
    floor = reached.amount if reached is not None else Decimal("-1")
    better = [t for t in tiers if t.amount > floor and not tier_met(t, counts)]
    return min(better, key=lambda t: t.amount) if better else None
