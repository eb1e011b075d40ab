"""What the courses app does when Wagtail publishes a page (connected in CoursesConfig.ready)."""

from __future__ import annotations

from . import services
from .models import JobDescriptionPage


def job_description_published(sender, instance, revision, **kwargs):
    """Every publication of a job description, from the admin, a script or the scheduler,
    records its version (a substantive edit starts a new one)."""
    if isinstance(instance, JobDescriptionPage) and revision is not None:
        services.job_description_version_record(
            page=instance, revision=revision, user=revision.user
        )
