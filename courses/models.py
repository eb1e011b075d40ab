import functools

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from people.names import display_name
from people.routing import RoutingMixin

from .blocks import stage_body_blocks

# The view that serves each page type, filled in by CoursesConfig.ready(): the views import
# these models, so the models do not import the views.
PAGE_VIEWS: dict[type, object] = {}


class TranslatedWordsMixin:
    """A page that can be shown in a translation's words (courses/translations.py):
    ``translated_fields`` are the fields a translation replaces; everything else (id, address,
    tree position, settings) stays the original's. Such a copy is for reading only."""

    translated_fields: tuple[str, ...] = ("title", "draft_title", "seo_title")

    def save(self, *args, **kwargs):
        if "shown_from" in self.__dict__:
            raise RuntimeError("A page shown in a translation's words is read, never saved.")
        return super().save(*args, **kwargs)

    save.alters_data = True


class ProgramPage(TranslatedWordsMixin, RoutingMixin, Page):
    """An onboarding program: its stages (child pages, in tree order) and the job description."""

    translated_fields = (*TranslatedWordsMixin.translated_fields, "intro")

    intro = RichTextField(_("introduction"), blank=True)
    ramp_up_months = models.PositiveSmallIntegerField(
        _("expected ramp-up (months)"),
        default=6,
        help_text=_("How long a new hire takes to become fully productive."),
    )
    # Which kinds of client work wait for the role-play certification (mentors/certification.py).
    certification_gates_calls = models.BooleanField(_("calls"), default=False)
    certification_gates_meetings = models.BooleanField(_("meetings"), default=True)
    certification_gates_applications = models.BooleanField(_("applications"), default=True)
    certification_gates_contracts = models.BooleanField(_("contracts"), default=True)

    class SalesModel(models.TextChoices):
        # The method's meetings norms (criterion 4 of the ramp-up, rampup/criteria.py).
        B2B = "b2b", _("b2b: 1–2 meetings a day")
        B2C = "b2c", _("b2c: about 20 meetings a day")

    sales_model = models.CharField(
        _("sales model"),
        max_length=3,
        choices=SalesModel.choices,
        default=SalesModel.B2B,
        help_text=_("Sets the meetings-per-day norm the trainees' ramp-up is judged against."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("ramp_up_months"),
        FieldPanel("sales_model"),
        MultiFieldPanel(
            [
                FieldPanel("certification_gates_calls"),
                FieldPanel("certification_gates_meetings"),
                FieldPanel("certification_gates_applications"),
                FieldPanel("certification_gates_contracts"),
            ],
            heading=_("Client work only after the certification"),
            help_text=_(
                "Until a trainee passes the role-play certification, the kinds ticked here are "
                "refused when typed in; when they arrive from the CRM or the telephony they are "
                "kept but not counted toward any bonus until the certification."
            ),
        ),
    ]
    parent_page_types = ["people.HomePage"]
    subpage_types = ["courses.StagePage", "courses.JobDescriptionPage"]
    # The explorer lists the stages in program (tree) order, as trainees go through them,
    # not by last update.
    admin_default_ordering = "ord"

    class Meta:
        verbose_name = _("onboarding program")

    # The field of each activity kind that the certification can gate.
    CERTIFICATION_GATE_FIELDS = {
        "call": "certification_gates_calls",
        "meeting": "certification_gates_meetings",
        "application": "certification_gates_applications",
        "contract": "certification_gates_contracts",
    }

    def certification_gated_kinds(self) -> frozenset[str]:
        """The activity kinds that need the role-play certification in this program."""
        return frozenset(
            kind for kind, name in self.CERTIFICATION_GATE_FIELDS.items() if getattr(self, name)
        )

    def stage_pages(self):
        return StagePage.objects.child_of(self).live().order_by("path")

    def job_description(self):
        return JobDescriptionPage.objects.child_of(self).live().first()

    def serve(self, request, *args, **kwargs):
        return PAGE_VIEWS[type(self)](request, self)


@functools.cache
def _checklist_item_fields() -> dict:
    """The checklist item block's fields, by name (StagePage.body's own block definitions)."""
    body = StagePage._meta.get_field("body").stream_block
    return dict(body.child_blocks["checklist"].child_blocks["items"].child_block.child_blocks)


@functools.lru_cache(maxsize=4096)
def _cached_item_field(name: str, _type: type, raw):
    return _checklist_item_fields()[name].to_python(raw)


def _item_field(name: str, raw):
    """A checklist item's field as its block's ``to_python`` gives it, remembered for plain
    JSON values: the blocks are code, and a ChoiceBlock's ``to_python`` walks its choices
    (for the responsible party: a few values, repeated on every item of every stage)."""
    if isinstance(raw, str | bool | int | float) or raw is None:
        return _cached_item_field(name, type(raw), raw)
    return _checklist_item_fields()[name].to_python(raw)


class StagePage(TranslatedWordsMixin, RoutingMixin, Page):
    translated_fields = (*TranslatedWordsMixin.translated_fields, "summary", "body")

    summary = models.TextField(_("summary"), blank=True)
    duration_days = models.PositiveSmallIntegerField(
        _("planned duration (working days)"), default=2
    )
    requires_job_description = models.BooleanField(
        _("requires the signed job description"),
        default=False,
        help_text=_("The stage completes only once the trainee has signed the job description."),
    )
    body = StreamField(
        stage_body_blocks(), blank=True, use_json_field=True, verbose_name=_("content")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("duration_days"), FieldPanel("requires_job_description")],
            heading=_("Completion"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.ProgramPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("training stage")

    @property
    def requirements_body(self):
        """The body whose checklists and quizzes the stage requires: its own, or the
        original's for a page shown in a translation's words (a translation changes the
        words, not what a stage asks)."""
        return self.__dict__.get("shown_from", self).body

    def checklist_items(self) -> list[tuple[str, dict]]:
        """(item id, {"text", "responsible", "required"}) for every checklist item the stage
        requires, in order; shown in a translation's words, each item's text is the
        translation's item of the same id (the original's where it has none)."""
        items = self._checklist_items_in(self.requirements_body)
        if "shown_from" not in self.__dict__:
            return items
        texts = {item_id: item["text"] for item_id, item in self._checklist_items_in(self.body)}
        return [
            (item_id, {**item, "text": texts.get(item_id) or item["text"]})
            for item_id, item in items
        ]

    @staticmethod
    def _checklist_items_in(body) -> list[tuple[str, dict]]:
        """The checklist items of a body, in order.

        Read from the stored JSON (``raw_data``) with each field's block default filled in, as
        the block's own ``to_python`` would: the trainee's pages ask this of every stage on
        every request, and converting the blocks (StructValues, ListValues) cost more than the
        rest of the overview. Items stored in ListBlock's old format (a plain list, without
        ids) get new ids on every conversion, so for those the blocks are converted as before.
        """
        fields = _checklist_item_fields()
        items = []
        for raw in body.raw_data:
            if raw.get("type") != "checklist":
                continue
            for child in (raw.get("value") or {}).get("items") or []:
                if not (
                    isinstance(child, dict) and child.get("type") == "item" and child.get("id")
                ):
                    return StagePage._converted_checklist_items(body)
                value = child.get("value") or {}
                items.append(
                    (
                        child["id"],
                        {
                            name: _item_field(name, value[name])
                            if name in value
                            else block.get_default()
                            for name, block in fields.items()
                        },
                    )
                )
        return items

    @staticmethod
    def _converted_checklist_items(body):
        # blocks_by_name only converts the checklist blocks: iterating the whole body would
        # also load every quiz the stage chooses (one query per stage).
        items = []
        for block in body.blocks_by_name("checklist"):
            for child in block.value["items"].bound_blocks:
                items.append((child.id, child.value))
        return items

    def quiz_blocks(self):
        return [block.value for block in self.requirements_body.blocks_by_name("quiz")]

    def serve(self, request, *args, **kwargs):
        return PAGE_VIEWS[type(self)](request, self)


def signed_text_of(fields: dict) -> str:
    """``JobDescriptionPage.signed_text`` from the page's stored fields (a revision's
    content, in a migration too)."""
    names = ("title", *JobDescriptionPage.SECTIONS)
    return "\n\n".join(str(fields.get(name) or "") for name in names)


class JobDescriptionPage(TranslatedWordsMixin, RoutingMixin, Page):
    """The job description the trainee reads and signs, in its usual five sections."""

    translated_fields = (
        *TranslatedWordsMixin.translated_fields,
        "general_provisions",
        "responsibilities",
        "rights",
        "service_connections",
        "responsibility",
    )

    general_provisions = RichTextField(_("general provisions"), blank=True)
    responsibilities = RichTextField(_("job responsibilities"), blank=True)
    rights = RichTextField(_("rights"), blank=True)
    service_connections = RichTextField(_("service connections"), blank=True)
    responsibility = RichTextField(_("responsibility"), blank=True)

    class EditKind(models.TextChoices):
        SUBSTANTIVE = "substantive", _("Substantive: the duties change, everyone signs again")
        MINOR = "minor", _("Minor: a typo or wording fix, nobody signs again")

    # What HR says of the edit being published (each revision keeps its own): a substantive
    # edit starts a new version (JobDescriptionVersion) that every trainee must sign.
    edit_kind = models.CharField(
        _("this edit"),
        max_length=20,
        choices=EditKind.choices,
        default=EditKind.SUBSTANTIVE,
        help_text=_(
            "Choose for every edit before publishing. The first publication is always version 1."
        ),
    )
    change_summary = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_(
            "For a substantive edit: a sentence or two for the trainees who must sign again, "
            "for example “Section 2: meetings are now logged in the CRM the same day.”"
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("general_provisions"),
        FieldPanel("responsibilities"),
        FieldPanel("rights"),
        FieldPanel("service_connections"),
        FieldPanel("responsibility"),
        MultiFieldPanel(
            [FieldPanel("edit_kind", widget=forms.RadioSelect), FieldPanel("change_summary")],
            heading=_("Publishing this edit"),
        ),
    ]
    parent_page_types = ["courses.ProgramPage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("job description")

    SECTIONS = (
        "general_provisions",
        "responsibilities",
        "rights",
        "service_connections",
        "responsibility",
    )

    def signed_text(self) -> str:
        """The text a trainee signs: the title and the five sections as stored (their rich
        text), in order, in no reader's language. Its sha256 is kept with each signature."""
        return signed_text_of({name: getattr(self, name) for name in ("title", *self.SECTIONS)})

    def sections(self):
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, name))
            for name in (
                "general_provisions",
                "responsibilities",
                "rights",
                "service_connections",
                "responsibility",
            )
        ]

    def serve(self, request, *args, **kwargs):
        return PAGE_VIEWS[type(self)](request, self)


class EnrollmentQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=Enrollment.Status.DROPPED)

    def active(self):
        return self.filter(status=Enrollment.Status.ACTIVE)


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INDEPENDENT = "independent", _("Working independently")
        DROPPED = "dropped", _("Dropped")

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("trainee"),
    )
    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("program"),
    )
    hire_date = models.DateField(_("hire date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    dropped_on = models.DateField(_("dropped on"), null=True, blank=True)
    drop_reason = models.TextField(_("reason"), blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    # Set by the quizzes app: the role-play certification gates client work.
    cleared_for_client_work_on = models.DateField(
        _("cleared for client work on"), null=True, blank=True
    )
    certification_failed = models.BooleanField(_("certification failed"), default=False)
    independent_since = models.DateField(_("working independently since"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-hire_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "program"],
                condition=~Q(status="dropped"),
                name="enrollment_one_open_per_trainee_program",
            ),
            models.CheckConstraint(
                condition=Q(status="dropped", dropped_on__isnull=False) | ~Q(status="dropped"),
                name="enrollment_dropped_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "hire_date"])]

    def __str__(self):
        return f"{display_name(self.trainee)} · {self.program.title}"


class StageProgress(models.Model):
    class Status(models.TextChoices):
        LOCKED = "locked", _("Locked")
        AVAILABLE = "available", _("Available")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    stage = models.ForeignKey(StagePage, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LOCKED)
    available_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stage progress")
        verbose_name_plural = _("stage progress")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "stage"], name="progress_one_per_stage")
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.stage.title}: {self.get_status_display()}"


class ChecklistTick(models.Model):
    """A checklist item marked done, keyed by the item's stable block id."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="checklist_ticks"
    )
    stage = models.ForeignKey(StagePage, on_delete=models.CASCADE, related_name="+")
    item_id = models.CharField(max_length=64)
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ticked_at = models.DateTimeField(auto_now_add=True)
    # Set when HR ticked an item another party is responsible for: the party HR acted for
    # (a ``Responsible`` value). Empty: the person who ticked was responsible for the item.
    on_behalf_of = models.CharField(_("ticked on behalf of"), max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "stage", "item_id"], name="checklist_tick_once"
            )
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.item_id}"


class JobDescriptionSignature(models.Model):
    """The trainee's acknowledgement of one published revision of the job description."""

    # PROTECT throughout: a signature is evidence of what was signed. Its revision is never
    # deleted under it (Wagtail's purge_revisions skips a PROTECTed revision), and the text's
    # sha256 shows the revision still holds the words signed.
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="signatures")
    page = models.ForeignKey(JobDescriptionPage, on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # sha256 (hex) of JobDescriptionPage.signed_text() of the signed revision; empty only for
    # signatures whose revision was lost before it was kept.
    text_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "revision"], name="signature_once_per_revision"
            )
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.signed_at:%Y-%m-%d}"


class JobDescriptionVersion(models.Model):
    """A version of the job description that trainees sign: started by its first publication
    and by every substantive edit (minor edits stay in the version they fix). A signature of
    this version's revision or of any later one before the next version counts as signing it.
    """

    page = models.ForeignKey(JobDescriptionPage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    change_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["page", "number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="job_description_version_once")
        ]

    def __str__(self):
        return f"{self.page} · v{self.number}"


class ReadinessSignOff(models.Model):
    """The "ready to work independently" sign-off by the mentor or a director (last stage)."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="readiness_sign_off"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    # The ramp-up figures shown when signing, kept as they were.
    figures = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.enrollment} · {self.signed_by}"


class EnrollmentEvent(models.Model):
    """Audit trail of an enrollment: enrolled, dropped, reactivated, signed off."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        DROPPED = "dropped", _("Dropped")
        REACTIVATED = "reactivated", _("Reactivated")
        STAGE_COMPLETED = "stage_completed", _("Stage completed")
        SIGNED_OFF = "signed_off", _("Signed off as ready")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.enrollment} · {self.get_kind_display()}"
