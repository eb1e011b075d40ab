"""When a mentorship ends by itself, as the setting ``MENTORSHIP_ENDS_AT`` says
(docs/bonuses.md, "When a mentorship ends"):

- ``sign_off``: on the day the trainee is signed off as ready (the bonus window ends then
  too);
- ``window_close``: on the day its bonus window closes, signed off or not;
- ``both`` (the default): once both have happened, on the later day: the mentor coaches until
  the trainee is ready, and the bonus window is never cut short.

HR's and the head of sales' own ending, and a dropped trainee's, are in services.py.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrollment

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


@transaction.atomic
def mentorships_end_at_sign_off(*, enrollment, on: date) -> int:
    """The trainee was signed off as ready on ``on``: with ``sign_off`` their active
    mentorship ends that day, and its bonus window with it; with ``both`` it ends that day
    only when its window has already closed (else the daily job ends it when the window
    closes). Returns how many ended (0 or 1)."""
    setting = ends_at()
    if setting == WINDOW_CLOSE:
        return 0
    ended = 0
    active = (
        Mentorship.objects.select_for_update(of=("self",)).active().select_related("bonus_rule")
    )
    for mentorship in active.filter(enrollment=enrollment):
        if setting == BOTH and not _window_closed(mentorship, today=on):
            continue
        mentorship_close(mentorship=mentorship, on=on, reason=_("Signed off as ready"))
        ended += 1
    return ended


def _window_closed(mentorship: Mentorship, *, today: date) -> bool:
    """Whether the mentorship's bonus window has closed by ``today``. One without a rule has
    no window, which never closes: with ``both`` only a person ends it."""
    if mentorship.bonus_rule is None:
        return False
    return window_of(mentorship, mentorship.bonus_rule.period_days).end <= today


def mentorships_end_closed_windows(*, today: date | None = None) -> int:
    """End every active mentorship whose bonus window has closed: with ``window_close`` all
    of them, with ``both`` those of trainees already signed off (working independently); on
    the window's end date (the day after its last counted day), so the window and the
    statement stay exactly as they were. Run daily by Celery beat before the statements are
    finalized. Idempotent; one transaction per mentorship. Returns how many ended."""
    setting = ends_at()
    if setting == SIGN_OFF:
        return 0
    today = today or timezone.localdate()
    candidates = (
        Mentorship.objects.active()
        .filter(bonus_rule__isnull=False, started_on__lt=today)
        .select_related("bonus_rule")
        .order_by("pk")
    )
    if setting == BOTH:
        candidates = candidates.filter(enrollment__status=Enrollment.Status.INDEPENDENT)
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
