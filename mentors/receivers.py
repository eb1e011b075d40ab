"""What the mentors app does when something happens on a floor below (connected in apps.py)."""

from . import services


def end_mentorships(sender, *, enrollment, on, reason, **kwargs):
    """An enrollment closed (dropped): its mentorships end on the same day."""
    services.mentorships_end_for_enrollment(enrollment=enrollment, on=on, reason=reason)


def count_held_client_work(sender, *, enrollment, **kwargs):
    """A trainee was certified: the client work the CRM sent before it now counts."""
    services.activities_count_after_certification(enrollment=enrollment)
