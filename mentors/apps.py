from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from courses import coaching
from quizzes import recordings
from quizzes import signals as quiz_signals

from .window_guard import window_guard_ensure


class MentorsConfig(AppConfig):
    name = "mentors"
    verbose_name = _("Mentoring")

    def ready(self):
        # Imported here: these modules import models, which are not loaded when the app
        # registry imports this module.
        from courses.models import ReadinessSignOff

        from . import receivers, tasks  # noqa: F401  tasks: registers what services publish
        from .models import CallRecording, Mentorship

        coaching.register(
            lambda: Mentorship.objects.active(),
            relation="mentorships",
            active=Q(mentorships__ended_on__isnull=True),  # Mentorship.objects.active()
        )
        coaching.enrollment_closed.connect(
            receivers.end_mentorships, dispatch_uid="mentors.end_mentorships"
        )
        post_save.connect(
            receivers.end_mentorship_at_sign_off,
            sender=ReadinessSignOff,
            dispatch_uid="mentors.end_mentorship_at_sign_off",
        )
        quiz_signals.certified.connect(
            receivers.count_held_client_work, dispatch_uid="mentors.count_held_client_work"
        )
        post_delete.connect(
            recordings.remove_file_on_delete,
            sender=CallRecording,
            dispatch_uid="mentors.call_recording_file_delete",
        )
        post_migrate.connect(_ensure_integration_group, sender=self)
        post_migrate.connect(_ensure_activity_summary, sender=self)
        post_migrate.connect(_ensure_window_guard, sender=self)
        # After the summary: converting the table reinstalls the summary's triggers on it.
        post_migrate.connect(_ensure_activity_partitions, sender=self)


def _ensure_integration_group(sender, using="default", **kwargs):
    # django.contrib.auth comes after this app in INSTALLED_APPS, so its own handler has not
    # created this app's permissions yet; create them first (idempotent).
    from django.contrib.auth.management import create_permissions

    # Imported here: the integration module imports models (see ready()).
    from .integration import ensure_integration_group

    create_permissions(sender, verbosity=0, using=using)
    ensure_integration_group()


def _ensure_activity_summary(sender, using="default", **kwargs):
    # Imported here: the activity summary module imports models (see ready()).
    from .activity_summary import summary_ensure

    summary_ensure(using=using)


def _ensure_window_guard(sender, using="default", **kwargs):
    window_guard_ensure(using=using)


def _ensure_activity_partitions(sender, using="default", **kwargs):
    # Imported here: the partitioning module imports models (see ready()).
    from .partitioning import activity_partitions_ensure

    activity_partitions_ensure(using=using)
