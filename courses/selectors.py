"""Reads of the program, enrollments and progress, scoped to who is asking."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from people.names import display_name
from people.permissions import sees_all_trainees, ticks_checklist_items_of_others
from people.roles import user_roles

from . import coaching, permissions, requirements, translations
from .blocks import Responsible
from .models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionPage,
    JobDescriptionSignature,
    JobDescriptionVersion,
    ProgramPage,
    ReadinessSignOff,
    StagePage,
    StageProgress,
)


def enrollments_visible_to(user):
    """Everything a user may see of enrollments: all (HR, head of sales, directors),
    their active mentees' (mentors), their own (trainees); nothing otherwise."""
    qs = Enrollment.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if sees_all_trainees(user):
        return qs
    return qs.filter(Q(trainee=user) | coaching.coached_by(user))


def enrollments_checklist_reaches(user):
    """The enrollments whose checklist this person may tick something on: those they see,
    and for system administrators and heads of department every active one (which items
    they tick is ``courses.permissions``' answer; they see no other page of the trainee's)."""
    if ticks_checklist_items_of_others(user):
        return Enrollment.objects.filter(
            Q(status=Enrollment.Status.ACTIVE) | Q(pk__in=enrollments_visible_to(user).values("pk"))
        )
    return enrollments_visible_to(user)


def _with_page_state(qs):
    """Enrollments with what their pages ask on every request, in the same query: the active
    mentor's id and contact (``coaching.with_active_mentor``) and whether the readiness
    sign-off exists (``signed_off``, read by ``overview``)."""
    return coaching.with_active_mentor(qs).annotate(
        signed_off=Exists(ReadinessSignOff.objects.filter(enrollment=OuterRef("pk")))
    )


def current_enrollment(user) -> Enrollment | None:
    """The trainee's open enrollment (the newest, should there be several programs)."""
    return (
        _with_page_state(Enrollment.objects.open().filter(trainee=user))
        .select_related("program")
        .order_by("-hire_date", "-pk")
        .first()
    )


def program_stages(program) -> list[StagePage]:
    return list(StagePage.objects.child_of(program).live().order_by("path"))


@dataclass
class ProgramPages:
    """A program's live stages in tree order and its job description, shown in the reader's
    language (courses/translations.py), with the signatures of one enrollment when asked
    for."""

    stages: list[StagePage]
    job_description: JobDescriptionPage | None
    signed_current: bool = False  # a signature of the job description's live revision
    signed_any: bool = False  # any signature of the job description
    program: ProgramPage | None = None  # the program itself, in the reader's language


# The program's page types and the one-to-one link from Page to each table.
_CHILD_LINKS = {StagePage: "stagepage", JobDescriptionPage: "jobdescriptionpage"}
_LINKS = {**_CHILD_LINKS, ProgramPage: "programpage"}


def program_pages(
    program, *, signed_by: Enrollment | None = None, language: str | None = ""
) -> ProgramPages:
    """``program_stages`` and ``job_description_of`` in one query: the page tables are joined
    (``select_related`` of the child links) instead of one query per page type, and, with
    ``signed_by``, whether the enrollment signed the job description (any revision, the live
    one) comes as two ``Exists``. The same query brings the live translations of the program
    and its pages in ``language`` (the reader's, unless given; None: none), and each page is
    the original shown in its translation's words.

    The pages share one copy of the site root paths, which every ``page.url`` reads (from
    Django's cache once per page object otherwise: a round trip to Redis per stage)."""
    if language == "":
        language = translations.reader_language()
    qs = _program_pages_query(program, signed_by=signed_by, language=language)
    result = ProgramPages(stages=[], job_description=None, program=program)
    found = {}
    root_paths = None
    for page in qs:
        link = _LINKS.get(page.specific_class)
        if link is None or (link == "programpage" and not language):
            continue
        specific = getattr(page, link)
        if page.depth != program.depth + 1 or not page.path.startswith(program.path):
            found[page.translation_key] = specific  # a translation
            continue
        if root_paths is None:
            root_paths = Site.get_site_root_paths()
        specific._wagtail_cached_site_root_paths = root_paths
        if isinstance(specific, StagePage):
            result.stages.append(specific)
        elif result.job_description is None:
            result.job_description = specific
            if signed_by is not None:
                result.signed_any = page.signed_any
                result.signed_current = (
                    page.signed_live
                    if specific.live_revision_id is not None
                    # As has_signed_current: without a live revision, the signatures whose
                    # revision was deleted count (``revision_id=None``); a rare page.
                    else has_signed_current(signed_by, specific)
                )
    if found:
        result.stages = [_shown(stage, found) for stage in result.stages]
        if result.job_description is not None:
            result.job_description = _shown(result.job_description, found)
        result.program = _shown(program, found)
    return result


def _program_pages_query(program, *, signed_by, language):
    """The program's live child pages, and with ``language`` the live translations of the
    program and of its pages in that language, with their specific tables joined."""
    children = Q(path__startswith=program.path, depth=program.depth + 1)
    wanted = children
    if language:
        wanted |= (
            Q(
                Q(translation_key__in=Page.objects.child_of(program).values("translation_key"))
                | Q(translation_key=program.translation_key)
            )
            & Q(locale__language_code=language)
            & ~Q(locale_id=program.locale_id)
        )
    qs = (
        Page.objects.filter(wanted)
        .live()
        .select_related(*(_LINKS if language else _CHILD_LINKS).values())
        .order_by("path")
    )
    if signed_by is not None:
        signatures = JobDescriptionSignature.objects.filter(
            enrollment=signed_by, page_id=OuterRef("pk")
        )
        qs = qs.annotate(
            signed_any=Exists(signatures),
            signed_live=Exists(
                signatures.filter(
                    _signed_current_q(
                        current_version_start(OuterRef(OuterRef("pk"))),
                        OuterRef("live_revision_id"),
                    )
                )
            ),
        )
    return qs


def _shown(original, found: dict):
    translation = found.get(original.translation_key)
    return translations.shown(
        original, translation if type(translation) is type(original) else None
    )


def job_description_of(program) -> JobDescriptionPage | None:
    return JobDescriptionPage.objects.child_of(program).live().first()


def current_version_start(page_ref):
    """The revision id the current version of a job description starts at, as an expression
    (``page_ref``: the page's id, an ``OuterRef`` inside a query): its newest version's, or
    the live revision's for a page published before versions were recorded."""
    return Subquery(
        JobDescriptionVersion.objects.filter(page_id=page_ref)
        .order_by("-number")
        .values("revision_id")[:1]
    )


def current_version(job: JobDescriptionPage | None) -> JobDescriptionVersion | None:
    if job is None:
        return None
    return job.versions.order_by("-number").first()


def _signed_current_q(version_start, live_revision_id):
    """Signatures of the current version: of its first revision or of a later (minor) one;
    without versions, of the live revision."""
    return Q(
        revision_id__gte=Coalesce(version_start, live_revision_id, output_field=IntegerField())
    )


def has_signed_current(enrollment, job: JobDescriptionPage | None) -> bool:
    if job is None:
        return True
    version = current_version(job)
    start = version.revision_id if version else job.live_revision_id
    signatures = JobDescriptionSignature.objects.filter(enrollment=enrollment, page=job)
    if start is None:
        return signatures.filter(revision_id=None).exists()
    return signatures.filter(revision_id__gte=start).exists()


def who_must_sign_again(version: JobDescriptionVersion) -> list[tuple[object, str]]:
    """(trainee, the job description's address) for every open enrollment in the version's
    program that signed an earlier version and not this one."""
    page = version.page
    signatures = JobDescriptionSignature.objects.filter(enrollment=OuterRef("pk"), page=page)
    enrollments = (
        Enrollment.objects.open()
        .filter(program_id=page.get_parent().pk)
        .annotate(
            signed_before=Exists(signatures.filter(revision_id__lt=version.revision_id)),
            signed_now=Exists(signatures.filter(revision_id__gte=version.revision_id)),
        )
        .filter(signed_before=True, signed_now=False)
        .select_related("trainee")
    )
    url = page.url or ""
    return [(e.trainee, url) for e in enrollments]


@dataclass
class SignatureRow:
    enrollment: Enrollment
    last: JobDescriptionSignature | None
    version_signed: JobDescriptionVersion | None
    signed_current: bool

    @property
    def must_sign_again(self) -> bool:
        return self.last is not None and not self.signed_current


@dataclass
class SignatureReport:
    page: JobDescriptionPage
    versions: list
    current: JobDescriptionVersion | None
    rows: list

    @property
    def to_sign(self) -> int:
        return sum(1 for r in self.rows if not r.signed_current)


def signature_report(program) -> SignatureReport | None:
    """Who of the program's open enrollments signed which version of its job description, and
    who still has to, in four queries whatever the number of trainees: the page, its versions,
    the enrollments, their signatures."""
    page = job_description_of(program)
    if page is None:
        return None
    versions = list(page.versions.select_related("published_by").order_by("number"))
    current = versions[-1] if versions else None
    start = current.revision_id if current else page.live_revision_id
    enrollments = (
        Enrollment.objects.open()
        .filter(program=program)
        .select_related("trainee")
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=JobDescriptionSignature.objects.filter(page=page).order_by(
                    "-signed_at", "-pk"
                ),
            )
        )
        .order_by("trainee__last_name", "trainee__first_name", "pk")
    )
    rows = []
    for enrollment in enrollments:
        signatures = list(enrollment.signatures.all())
        last = signatures[0] if signatures else None
        signed_version = None
        if last is not None and last.revision_id is not None:
            for version in versions:
                if version.revision_id <= last.revision_id:
                    signed_version = version
        rows.append(
            SignatureRow(
                enrollment=enrollment,
                last=last,
                version_signed=signed_version,
                signed_current=any(
                    s.revision_id is not None and start is not None and s.revision_id >= start
                    for s in signatures
                ),
            )
        )
    return SignatureReport(page=page, versions=versions, current=current, rows=rows)


def changes_since_signed(enrollment, job: JobDescriptionPage) -> list[JobDescriptionVersion]:
    """The versions published after the one the trainee last signed, oldest first, with what
    HR said changed."""
    last = last_signature(enrollment, job)
    if last is None or last.revision_id is None:
        return []
    return list(job.versions.filter(revision_id__gt=last.revision_id).order_by("number"))


def section_changes(enrollment, job: JobDescriptionPage) -> list[dict]:
    """The sections whose text changed since the revision the trainee last signed: for each,
    its title and the words removed and added (difflib over the sections' plain text)."""
    last = last_signature(enrollment, job)
    if last is None or last.revision is None:
        return []
    signed = last.revision.as_object()
    changes = []
    for (title, new), (_title, old) in zip(job.sections(), signed.sections(), strict=True):
        old_words = strip_tags(str(old or "")).split()
        new_words = strip_tags(str(new or "")).split()
        if old_words == new_words:
            continue
        parts = []
        matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                parts.append(("same", " ".join(old_words[a1:a2])))
                continue
            if a2 > a1:
                parts.append(("removed", " ".join(old_words[a1:a2])))
            if b2 > b1:
                parts.append(("added", " ".join(new_words[b1:b2])))
        changes.append({"title": title, "parts": parts})
    return changes


def last_signature(enrollment, job):
    if job is None:
        return None
    return JobDescriptionSignature.objects.filter(enrollment=enrollment, page=job).first()


@dataclass
class StageView:
    stage: StagePage
    progress: StageProgress
    requirements: list[requirements.Requirement] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def done_count(self) -> int:
        return sum(1 for r in self.requirements if r.done)

    @property
    def percent(self) -> int:
        if self.progress.status == StageProgress.Status.COMPLETED:
            return 100
        if not self.requirements:
            return 0
        return round(100 * self.done_count / len(self.requirements))

    @property
    def is_locked(self) -> bool:
        return self.progress.status == StageProgress.Status.LOCKED


@dataclass
class Overview:
    enrollment: Enrollment
    stages: list[StageView]
    job_description: JobDescriptionPage | None
    signed_current: bool
    needs_resign: bool
    today: date
    # {(stage id, item id): ChecklistTick with ticked_by}, when asked for (``with_ticks``).
    ticks: dict[tuple[int, str], ChecklistTick] | None = None

    @property
    def percent(self) -> int:
        if not self.stages:
            return 0
        return round(sum(s.percent for s in self.stages) / len(self.stages))

    @property
    def current(self) -> StageView | None:
        for view in self.stages:
            if view.status != StageProgress.Status.COMPLETED:
                return view
        return None

    @property
    def days_since_hire(self) -> int:
        return (self.today - self.enrollment.hire_date).days

    @property
    def horizon_days(self) -> int:
        return round(self.enrollment.program.ramp_up_months * 30.44)

    @property
    def horizon_percent(self) -> int:
        return min(100, round(100 * self.days_since_hire / max(1, self.horizon_days)))

    def next_action(self) -> requirements.Requirement | None:
        """What to do next: the trainee's own open task first, else what they wait for."""
        if self.needs_resign:
            return requirements.Requirement(
                key="job_description",
                label="",
                done=False,
                action=_resign_text(),
                url=self.job_description.url if self.job_description else "",
            )
        current = self.current
        if current is None or current.is_locked:
            return None
        open_reqs = [r for r in current.requirements if not r.done]
        for req in open_reqs:
            if not req.waiting:
                return req
        return open_reqs[0] if open_reqs else None


def _resign_text():

    return _("The job description was updated: read it and sign again")


def _signed_off(enrollment: Enrollment) -> bool:
    known = getattr(enrollment, "signed_off", None)  # annotated by _with_page_state
    if known is not None:
        return known
    return ReadinessSignOff.objects.filter(enrollment=enrollment).exists()


def overview(
    enrollment: Enrollment, *, today: date | None = None, with_ticks: bool = False
) -> Overview:
    """Everything "My onboarding" shows, in a number of queries independent of stage count:
    the program's pages with the signatures (one), progress (one), checklist ticks (one),
    the sign-off (none for an enrollment loaded by this module's selectors) and what the
    other apps' requirement providers ask (the quizzes: two).

    ``with_ticks`` keeps the tick rows with who ticked them, for the stage page's checklist
    (``checklist_states(ticks=...)``), instead of only which items are ticked."""
    today = today or timezone.localdate()
    pages = program_pages(enrollment.program, signed_by=enrollment)
    # The program as the reader reads it (its title on every page of the overview).
    enrollment.program = pages.program
    stages = pages.stages
    progress = {p.stage_id: p for p in StageProgress.objects.filter(enrollment=enrollment)}
    ticks = None
    if with_ticks:
        ticks = {
            (t.stage_id, t.item_id): t
            for t in ChecklistTick.objects.filter(enrollment=enrollment).select_related("ticked_by")
        }
        ticked = set(ticks)
    else:
        ticked = set(
            ChecklistTick.objects.filter(enrollment=enrollment).values_list("stage_id", "item_id")
        )
    job = pages.job_description
    signed_current = pages.signed_current if job is not None else True
    signed_any = job is not None and pages.signed_any
    signed_off = _signed_off(enrollment)
    reqs = requirements.stage_requirements(
        enrollment,
        stages,
        ticked=ticked,
        signed_current=signed_current,
        signed_off=signed_off,
        job_url=job.url if job else "",
    )
    views = []
    for stage in stages:
        prog = progress.get(stage.pk) or StageProgress(
            enrollment=enrollment, stage=stage, status=StageProgress.Status.LOCKED
        )
        views.append(StageView(stage=stage, progress=prog, requirements=reqs.get(stage.pk, [])))
    return Overview(
        enrollment=enrollment,
        stages=views,
        job_description=job,
        signed_current=signed_current,
        needs_resign=signed_any and not signed_current,
        today=today,
        ticks=ticks,
    )


def current_stage_titles(enrollment_ids) -> dict[int, str]:
    """Each enrollment's current stage title, in one query of plain values: the first stage
    not completed in tree order (for a dropped trainee, the stage they dropped at); "All
    stages completed" when none is left; no entry without stage progress. The titles are in
    the reader's language where the stage is translated (courses/translations.py)."""
    rows = (
        StageProgress.objects.filter(enrollment_id__in=list(enrollment_ids))
        .annotate(shown_title=translations.title_in(translations.reader_language(), page="stage"))
        .order_by("enrollment_id", "stage__path")
        .values_list("enrollment_id", "status", "shown_title")
    )

    titles: dict[int, str | None] = {}
    found: set[int] = set()
    for enrollment_id, status, title in rows:
        if enrollment_id in found:
            continue
        if status != StageProgress.Status.COMPLETED:
            titles[enrollment_id] = title
            found.add(enrollment_id)
        else:
            titles.setdefault(enrollment_id, None)
    return {
        pk: title if title is not None else _("All stages completed")
        for pk, title in titles.items()
    }


def enrollment_list(user):
    """HR's enrollment list with the current stage and mentor, in a fixed number of queries
    (its filters: courses/filters.py)."""
    return (
        enrollments_visible_to(user)
        .select_related("trainee", "program")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=StageProgress.objects.filter(stage__live=True)
                .select_related("stage")
                .annotate(
                    stage_title=translations.title_in(translations.reader_language(), page="stage")
                )
                .order_by("stage__path"),
                to_attr="progress_list",
            ),
            Prefetch(
                "mentorships",
                queryset=coaching.active_mentorships().select_related("mentor"),
                to_attr="active_mentorships",
            ),
        )
        .order_by("-hire_date", "trainee__last_name")
    )


@dataclass
class ProgramAccess:
    """Why a user may open the pages of a program, or ``allowed`` is False (answer 404)."""

    staff: bool = False  # HR, head of sales, directors, editors: everything, read-only
    own: Enrollment | None = None  # the user's own open enrollment in the program
    mentor: bool = False  # mentors one of the program's active trainees

    @property
    def allowed(self) -> bool:
        return self.staff or self.own is not None or self.mentor


def program_access(user, program, *, preview: bool = False) -> ProgramAccess:
    if not user.is_authenticated:
        return ProgramAccess()
    # Wagtail only previews a page for someone allowed to edit it.
    staff = preview or sees_all_trainees(user)
    own = None
    if program is not None and program.pk:
        own = (
            _with_page_state(Enrollment.objects.open().filter(trainee=user, program=program))
            .select_related("program", "trainee")
            .first()
        )
    if staff or own is not None:
        return ProgramAccess(staff=staff, own=own)
    mentor = coaching.active_mentorships().filter(mentor=user, enrollment__program=program).exists()
    if mentor:
        return ProgramAccess(mentor=True)
    editor = program.permissions_for_user(user).can_edit() if program is not None else False
    return ProgramAccess(staff=editor)


def enrollment_in_program_or_none(user, program, enrollment_id):
    """The enrollment asked for in ``?enrollment=``, only if the user may see it (else None)."""
    try:
        pk = int(enrollment_id)
    except (TypeError, ValueError):
        return None
    return (
        _with_page_state(enrollments_visible_to(user).filter(pk=pk, program=program))
        .select_related("program", "trainee")
        .first()
    )


def viewable_enrollments_in_program(user, program):
    """Open enrollments in the program the user may look at (the trainee picker)."""
    return (
        enrollments_visible_to(user)
        .open()
        .filter(program=program)
        .select_related("trainee")
        .order_by("trainee__last_name", "trainee__first_name")
    )


@dataclass
class Contact:
    name: str
    email: str
    phone: str


def active_mentor_contact(enrollment) -> Contact | None:
    """The trainee's active mentor and how to reach them (no query when the enrollment was
    loaded by ``_with_page_state``: its active mentor is joined)."""
    if coaching.known_active_mentor_id(enrollment) is None:
        return None
    mentor = coaching.joined_active_mentor(enrollment)
    if mentor is coaching.UNKNOWN:
        mentor = coaching.active_mentor_of(enrollment.pk)
    if mentor is None:
        return None
    try:
        phone = mentor.profile.phone
    except ObjectDoesNotExist:
        phone = ""
    return Contact(name=display_name(mentor), email=mentor.email, phone=phone)


@dataclass
class ChecklistItemState:
    tick: ChecklistTick | None
    can_change: bool
    responsible: str
    responsible_label: str

    @property
    def done(self) -> bool:
        return self.tick is not None

    @property
    def on_behalf_label(self) -> str:
        """The party HR ticked the item for ('' when its responsible person ticked it)."""
        if self.tick is None or not self.tick.on_behalf_of:
            return ""
        return str(Responsible.LABELS.get(self.tick.on_behalf_of, self.tick.on_behalf_of))


def named_people(items) -> dict[str, str]:
    """{login: display name} of the people checklist items name, in one query (none when
    no item names one)."""
    logins = {item.get("person") for _item_id, item in items if item.get("person")}
    if not logins:
        return {}
    return {
        user.get_username(): display_name(user)
        for user in get_user_model().objects.filter(username__in=logins)
    }


def responsible_label(item, *, mentor_name: str = "", people: dict | None = None) -> str:
    """«Системный администратор: Игорь Белов», «Наставник: Сергей Кузнецов», «HR»."""
    who = item["responsible"]
    label = str(Responsible.LABELS.get(who, who))
    person = item.get("person") or ""
    if who == Responsible.MENTOR and mentor_name:
        return f"{label}: {mentor_name}"
    if person and who not in (Responsible.TRAINEE, Responsible.MENTOR):
        return f"{label}: {(people or {}).get(person, person)}"
    return label


def checklist_states(
    *, user, enrollment, stage, progress, mentor_name: str = "", ticks: dict | None = None
) -> dict:
    """{item id: ChecklistItemState} of one stage for one enrollment: in one query, or none
    given the enrollment's ticks (``Overview.ticks``, keyed by stage and item id) and an
    enrollment that knows its active mentor (``coaching.with_active_mentor_id``); one more
    when an item names a person."""
    if ticks is None:
        ticks = {
            t.item_id: t
            for t in ChecklistTick.objects.filter(
                enrollment=enrollment, stage=stage
            ).select_related("ticked_by")
        }
    else:
        ticks = {item_id: t for (stage_id, item_id), t in ticks.items() if stage_id == stage.pk}
    # Who the user is to this enrollment is asked once for the page, and only when the stage
    # takes changes at all.
    who = (
        permissions.ticker(user, enrollment)
        if permissions.checklist_takes_changes(enrollment, progress)
        else None
    )
    items = stage.checklist_items()
    people = named_people(items)
    states = {}
    for item_id, item in items:
        tick = ticks.get(item_id)
        states[item_id] = ChecklistItemState(
            tick=tick,
            can_change=who is not None
            and permissions.may_tick(who, enrollment, item, progress, tick=tick),
            responsible=item["responsible"],
            responsible_label=responsible_label(item, mentor_name=mentor_name, people=people),
        )
    return states


def enrollment_events(enrollment):
    return enrollment.events.select_related("actor").order_by("-at", "-pk")


@dataclass
class EnrollmentRow:
    """One line of HR's list, from the prefetched progress and mentorships (no queries)."""

    enrollment: Enrollment
    completed: int
    total: int
    current_stage: StagePage | None
    mentor: object | None
    current_stage_title: str = ""  # in the reader's language where translated

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @classmethod
    def of(cls, enrollment: Enrollment) -> EnrollmentRow:
        progress = getattr(enrollment, "progress_list", [])
        completed = sum(1 for p in progress if p.status == StageProgress.Status.COMPLETED)
        current = next(
            (
                p
                for p in progress
                if p.status in (StageProgress.Status.AVAILABLE, StageProgress.Status.IN_PROGRESS)
            ),
            None,
        )
        mentorships = getattr(enrollment, "active_mentorships", [])
        return cls(
            enrollment=enrollment,
            completed=completed,
            total=len(progress),
            current_stage=current.stage if current else None,
            mentor=mentorships[0].mentor if mentorships else None,
            current_stage_title=(
                getattr(current, "stage_title", None) or current.stage.title if current else ""
            ),
        )


# --- For the reports of the floors above (rampup) ------------------------------------------


def enrollments_all():
    """Every enrollment, for readers who see every trainee's ramp-up (rampup.permissions)."""
    return Enrollment.objects.all()


def enrollments_open():
    """Enrollments not dropped or finished."""
    return Enrollment.objects.open()


def stage_progress_rows(enrollment_ids):
    """Plain rows of the stage progress of these enrollments (a queryset or a subquery of
    ids): ``enrollment_id``, ``status``, the stage's title in the reader's language
    (``shown_title``) and its tree position (``stage_path``). The dashboard's sort by current
    stage reads them inside its own query (rampup/table.py)."""
    return (
        StageProgress.objects.filter(enrollment_id__in=enrollment_ids)
        .annotate(
            shown_title=translations.title_in(translations.reader_language(), page="stage"),
            stage_path=F("stage__path"),
        )
        .values("enrollment_id", "status", "shown_title", "stage_path")
        .order_by()
    )


def enrollments_by_id(ids) -> dict[int, Enrollment]:
    """{id: enrollment} with trainee and program, in one query."""
    return Enrollment.objects.select_related("trainee", "program").in_bulk(ids)


def enrollment_ids_matching(condition: Q):
    """The ids of the enrollments matching ``condition``, as a subquery."""
    return Enrollment.objects.filter(condition).values("pk")


def hire_months():
    """The first day of every month in which someone was hired, newest first."""
    return Enrollment.objects.dates("hire_date", "month", order="DESC")


def programs_live():
    """The live programs, originals only (a translation is the same program)."""
    return translations.originals(ProgramPage.objects.live()).order_by("title")


def progress_prefetch(*, to_attr: str) -> Prefetch:
    """An enrollment's stage progress with its stages, prefetched into ``to_attr``."""
    return Prefetch(
        "progress", queryset=StageProgress.objects.select_related("stage"), to_attr=to_attr
    )


def stage_progress_of(enrollment):
    """The enrollment's stage progress with the stages, in the program's order."""
    return (
        StageProgress.objects.filter(enrollment=enrollment)
        .select_related("stage")
        .order_by("stage__path")
    )


def readiness_sign_offs():
    return ReadinessSignOff.objects.all()


def enrollment_events_of_kinds(kinds):
    return EnrollmentEvent.objects.filter(kind__in=kinds)


# --- For the mentor's workspace (mentors) ---------------------------------------------------


@dataclass
class StageSummary:
    """Where one enrollment stands in its program: the current stage (the first not
    completed), how many stages are completed of how many, and the open ones' ids."""

    current_title: str = ""
    current_stage_id: int | None = None
    completed: int = 0
    total: int = 0
    open_stage_ids: list[int] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0


@dataclass
class WaitingItem:
    stage: StagePage
    item_id: str
    text: str
    item: dict = field(default_factory=dict)


OPEN_STATUSES = (StageProgress.Status.AVAILABLE, StageProgress.Status.IN_PROGRESS)


def stage_summaries(enrollment_ids) -> dict[int, StageSummary]:
    """{enrollment id: StageSummary}, in one query of plain values; the current stage's title
    in the reader's language where the stage is translated (courses/translations.py)."""
    rows = (
        StageProgress.objects.filter(enrollment_id__in=list(enrollment_ids))
        .annotate(shown_title=translations.title_in(translations.reader_language(), page="stage"))
        .order_by("enrollment_id", "stage__path")
        .values_list("enrollment_id", "status", "stage_id", "shown_title")
    )
    summaries: dict[int, StageSummary] = {}
    for enrollment_id, status, stage_id, title in rows:
        summary = summaries.setdefault(enrollment_id, StageSummary())
        summary.total += 1
        if status == StageProgress.Status.COMPLETED:
            summary.completed += 1
        elif summary.current_stage_id is None:
            summary.current_stage_id, summary.current_title = stage_id, title
        if status in OPEN_STATUSES:
            summary.open_stage_ids.append(stage_id)
    for summary in summaries.values():
        if summary.current_stage_id is None:
            summary.current_title = _("All stages completed")
    return summaries


def checklist_waiting(
    summaries: dict[int, StageSummary], *, responsible: str | None = None, wanted=None
) -> dict[int, list[WaitingItem]]:
    """{enrollment id: the checklist items of its open stages that nobody has ticked yet and
    that ``responsible`` ticks (a ``Responsible`` party) or ``wanted(item)`` accepts}, in two
    queries whatever the number of enrollments: the open stages (each read once, however many
    trainees share it) and their ticks."""
    if wanted is None:

        def wanted(item):
            return item["responsible"] == responsible

    stage_ids = {pk for s in summaries.values() for pk in s.open_stage_ids}
    if not stage_ids:
        return {}
    stages = StagePage.objects.in_bulk(stage_ids)
    ticked = set(
        ChecklistTick.objects.filter(
            enrollment_id__in=list(summaries), stage_id__in=stage_ids
        ).values_list("enrollment_id", "stage_id", "item_id")
    )
    items_of = {
        pk: [(item_id, item) for item_id, item in stage.checklist_items() if wanted(item)]
        for pk, stage in stages.items()
    }
    waiting: dict[int, list[WaitingItem]] = {}
    for enrollment_id, summary in summaries.items():
        for stage_id in summary.open_stage_ids:
            stage = stages.get(stage_id)
            for item_id, item in items_of.get(stage_id, []):
                if (enrollment_id, stage_id, item_id) not in ticked:
                    waiting.setdefault(enrollment_id, []).append(
                        WaitingItem(stage=stage, item_id=item_id, text=item["text"], item=item)
                    )
    return waiting


@dataclass
class TaskRow:
    """One trainee on the responsible person's start page: the items waiting for them."""

    enrollment: Enrollment
    summary: StageSummary
    items: list[WaitingItem]


def tasks_waiting_for(user) -> list[TaskRow]:
    """The checklist items that wait for this person (as system administrator, head of
    department or HR, or named on the item), over every active enrollment, in a fixed
    number of queries: the enrollments, their stage summaries, the open stages, their ticks.
    The trainee's and the mentor's items are on their own pages."""
    who = permissions.ticker(user, None)
    if who.user_id is None:
        return []

    def wanted(item):
        return item["responsible"] not in (
            Responsible.TRAINEE,
            Responsible.MENTOR,
        ) and permissions.responsible_for(who, item)

    enrollments = {
        e.pk: e
        for e in Enrollment.objects.filter(status=Enrollment.Status.ACTIVE)
        .exclude(trainee=user)
        .select_related("trainee", "program")
        .order_by("hire_date", "pk")
    }
    summaries = stage_summaries(enrollments)
    waiting = checklist_waiting(summaries, wanted=wanted)
    return [
        TaskRow(enrollment=enrollment, summary=summaries[pk], items=waiting[pk])
        for pk, enrollment in enrollments.items()
        if waiting.get(pk)
    ]


@dataclass
class RecentTick:
    tick: ChecklistTick
    text: str
    can_undo: bool


def ticks_made_by(user, *, limit: int = 20) -> list[RecentTick]:
    """The checklist ticks this person made last, and HR's on behalf of their role, newest
    first, each with its item's words and
    whether they may still undo it (as ``courses.permissions`` decides, by role and login), in
    three queries: the ticks, their stages' progress, and the stages' words."""
    roles = user_roles(user)
    parties = [party for party, role in Responsible.ROLES.items() if role in roles]
    ticks = list(
        ChecklistTick.objects.filter(Q(ticked_by=user) | Q(on_behalf_of__in=parties))
        .select_related("enrollment__trainee", "stage", "ticked_by")
        .order_by("-ticked_at", "-pk")[:limit]
    )
    if not ticks:
        return []
    progress = {
        (p.enrollment_id, p.stage_id): p
        for p in StageProgress.objects.filter(
            enrollment_id__in={t.enrollment_id for t in ticks},
            stage_id__in={t.stage_id for t in ticks},
        )
    }
    who = permissions.ticker(user, None)
    # Each stage's items read once, however many of its ticks are listed.
    items_of = {t.stage_id: dict(t.stage.checklist_items()) for t in ticks}
    rows = []
    for tick in ticks:
        item = items_of[tick.stage_id].get(tick.item_id)
        rows.append(
            RecentTick(
                tick=tick,
                text=item["text"] if item else "",
                can_undo=item is not None
                and permissions.may_tick(
                    who,
                    tick.enrollment,
                    item,
                    progress.get((tick.enrollment_id, tick.stage_id)),
                    tick=tick,
                ),
            )
        )
    return rows
