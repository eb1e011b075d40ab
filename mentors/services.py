"""Writes of mentorships, activities and bonus statements."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from .models import Mentorship


@transaction.atomic
def mentorships_end_for_enrollment(*, enrollment, on: date, reason: str) -> int:
    """End the enrollment's active mentorship (trainee dropped); history is kept."""
    ended = 0
    for mentorship in Mentorship.objects.select_for_update().active().filter(enrollment=enrollment):
        mentorship.ended_on = max(on, mentorship.started_on)
        mentorship.end_reason = reason
        mentorship.save(update_fields=["ended_on", "end_reason"])
        ended += 1
    return ended
