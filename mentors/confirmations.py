"""Confirming typed activity: someone other than the person who typed it, the trainee and
the trainee's mentor (who profits from the count) says the entry is real, and from then on it
counts toward the bonus under rules that ask for confirmation. See docs/bonuses.md,
"Confirmation"; who may is ``permissions.check_confirm_activity``."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import permissions, selectors
from .models import Activity
from .services import statements_schedule_recompute


@transaction.atomic
def activities_confirm(*, ids, user, now: datetime | None = None) -> tuple[int, int]:
    """Confirm the typed entries among ``ids`` that ``user`` may confirm: (confirmed,
    skipped). Each is checked again under a row lock; a person who may not confirm at all is
    refused (PermissionDenied) before anything is written. The statements of their windows
    are flagged and recomputed."""
    permissions.check_activity_confirmer(user)
    now = now or timezone.now()
    activities = list(
        Activity.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids))
        .select_related("enrollment")
        .order_by("pk")
    )
    mentors = selectors.enrollment_mentor_ids({a.enrollment_id for a in activities})
    confirmed: list[Activity] = []
    skipped = len(set(ids)) - len(activities)
    for activity in activities:
        try:
            permissions.check_confirm_activity(
                user, activity, mentor_ids=mentors.get(activity.enrollment_id, set())
            )
        except ValidationError:
            skipped += 1
            continue
        activity.confirmed_by = user
        activity.confirmed_at = now
        confirmed.append(activity)
    # One UPDATE: the summary's triggers move the entries from unconfirmed to confirmed.
    Activity.objects.filter(pk__in=[a.pk for a in confirmed]).update(
        confirmed_by=user, confirmed_at=now
    )
    if confirmed:
        statements_schedule_recompute(enrollment_ids=sorted({a.enrollment_id for a in confirmed}))
    return len(confirmed), skipped
