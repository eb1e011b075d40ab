"""When a mentorship ends by itself: at the trainee's readiness sign-off, or when its bonus
window closes, as the setting ``MENTORSHIP_ENDS_AT`` says (docs/bonuses.md, "When a
mentorship ends"). HR's and the head of sales' own ending, and a dropped trainee's, are in
services.py."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .bonus import window_of
from .models import Mentorship
from .services import mentorship_close

SIGN_OFF = "sign_off"
WINDOW_CLOSE = "window_close"
BOTH = "both"
CHOICES = (SIGN_OFF, WINDOW_CLOSE, BOTH)


def ends_at() -> str:
    value = settings.MENTORSHIP_ENDS_AT
    if value not in CHOICES:
        raise ImproperlyConfigured(
            f"MENTORSHIP_ENDS_AT is {value!r}; it must be one of {', '.join(CHOICES)}."
        )
    return value


def ends_at_sign_off() -> bool:
    return ends_at() in (SIGN_OFF, BOTH)


def ends_at_window_close() -> bool:
    return ends_at() in (WINDOW_CLOSE, BOTH)


@transaction.atomic
def mentorships_end_at_sign_off(*, enrollment, on: date) -> int:
    """The trainee was signed off as ready: with ``sign_off`` (or ``both``) their active
    mentorship ends that day, and its bonus window with it. Returns how many ended (0 or 1)."""
    if not ends_at_sign_off():
        return 0
    ended = 0
    for mentorship in Mentorship.objects.select_for_update().active().filter(enrollment=enrollment):
        mentorship_close(mentorship=mentorship, on=on, reason=_("Signed off as ready"))
        ended += 1
    return ended


def mentorships_end_closed_windows(*, today: date | None = None) -> int:
    """With ``window_close`` (or ``both``), end every active mentorship whose bonus window has
    closed, on the window's end date (the day after its last counted day), so the window and
    the statement stay exactly as they were. Run daily by Celery beat before the statements
    are finalized. Idempotent; one transaction per mentorship. Returns how many ended."""
    if not ends_at_window_close():
        return 0
    today = today or timezone.localdate()
    candidates = (
        Mentorship.objects.active()
        .filter(bonus_rule__isnull=False, started_on__lt=today)
        .select_related("bonus_rule")
        .order_by("pk")
    )
    ended = 0
    for mentorship in candidates.iterator(chunk_size=500):
        window = window_of(mentorship, mentorship.bonus_rule.period_days)
        if window.end <= today and _end_if_still_active(mentorship.pk, on=window.end):
            ended += 1
    return ended


@transaction.atomic
def _end_if_still_active(pk: int, *, on: date) -> bool:
    mentorship = Mentorship.objects.select_for_update().active().filter(pk=pk).first()
    if mentorship is None:  # ended meanwhile (HR, a drop, another run)
        return False
    mentorship_close(mentorship=mentorship, on=on, reason=_("Bonus window closed"))
    return True
