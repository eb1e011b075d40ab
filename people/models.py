from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from .names import display_name
from .routing import RoutingMixin


class Office(models.Model):
    """A place people work from, in a city: the scope of pay bands and of the team pages."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    city = models.CharField(_("city"), max_length=150)

    class Meta:
        ordering = ["name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self):
        return self.name


class Profile(models.Model):
    """What the company knows about an employee beyond the login: contact and position."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    # The employee's number in the payroll system; written to payroll files (docs/bonuses.md).
    personnel_number = models.CharField(
        _("personnel number"),
        max_length=50,
        blank=True,
        help_text=_("The employee's number in the payroll system, written to payroll files."),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("office"),
    )

    class Meta:
        db_table = "lms_profile"  # the table of the app it came from (people/migrations/0001)
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["personnel_number"],
                condition=~Q(personnel_number=""),
                name="profile_unique_personnel_number",
                violation_error_message=_("Another employee already has this personnel number."),
            )
        ]

    def __str__(self):
        return display_name(self.user)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_pending(self):
        return self.filter(send_email=True, email_sent_at__isnull=True)


class Notification(models.Model):
    """An in-app message, optionally also e-mailed by a Celery task after commit."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Set by callers that may run twice (tasks); one notification per key and recipient.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    send_email = models.BooleanField(default=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "lms_notification"  # the table of the app it came from
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_unique_dedupe_key",
            )
        ]

    def __str__(self):
        return self.title


class HomePage(RoutingMixin, Page):
    """The Wagtail site root: a short welcome above the onboarding programs."""

    intro = RichTextField(_("intro"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.ProgramPage"]
    max_count = 1

    class Meta:
        db_table = "lms_homepage"  # the table of the app it came from
        verbose_name = _("home page")


class TaskRun(models.Model):
    """The last run of each Celery task in a worker process: which worker (its node name and
    process id) ran it, when it started and when it finished. Written by people/task_runs.py
    from Celery's signals, never for tasks run eagerly in the calling process, so it shows
    that a worker did the work (and, after a worker was killed, which one finished it)."""

    task = models.CharField(_("task"), max_length=200, unique=True)
    task_id = models.CharField(_("task id"), max_length=255)
    hostname = models.CharField(_("worker"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        ordering = ["task"]

    def __str__(self):
        return f"{self.task} @ {self.hostname} ({self.pid})"
