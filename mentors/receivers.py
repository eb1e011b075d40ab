"""What the mentors app does when something happens on a floor below (connected in apps.py)."""

from django.utils import timezone

from . import lifecycle, services


def end_mentorships(sender, *, enrollment, on, reason, **kwargs):
    """An enrollment closed (dropped): its mentorships end on the same day."""
    services.mentorships_end_for_enrollment(enrollment=enrollment, on=on, reason=reason)


def count_held_client_work(sender, *, enrollment, **kwargs):
    """A trainee was certified: the client work the CRM sent before it now counts."""
    services.activities_count_after_certification(enrollment=enrollment)


def end_mentorship_at_sign_off(sender, instance, created, raw=False, **kwargs):
    """A trainee was signed off as ready (courses' ReadinessSignOff saved): with
    MENTORSHIP_ENDS_AT "sign_off" or "both" their mentorship ends that day."""
    if not created or raw:
        return
    lifecycle.mentorships_end_at_sign_off(
        enrollment=instance.enrollment, on=timezone.localdate(instance.signed_at)
    )
