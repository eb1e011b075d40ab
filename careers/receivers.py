"""The ladder meets onboarding: a trainee signed off as ready enters the first level, in the
same transaction as the sign-off (courses sends post_save of its ReadinessSignOff)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.utils import timezone

from courses import selectors as courses_selectors

from . import services


def enter_ladder(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    services.level_enter(
        person=instance.enrollment.trainee,
        decided_by=instance.signed_by,
        on=timezone.localdate(instance.signed_at),
    )


def connect() -> None:
    post_save.connect(
        enter_ladder,
        sender=courses_selectors.readiness_sign_offs().model,
        dispatch_uid="careers.enter_ladder",
    )
