"""Reads of the program, enrollments and progress, scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from lms import roles

from . import requirements
from .models import (
    ChecklistTick,
    Enrollment,
    JobDescriptionPage,
    JobDescriptionSignature,
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
    if roles.sees_all_trainees(user):
        return qs
    from mentors.models import Mentorship

    mentee = Mentorship.objects.active().filter(enrollment=OuterRef("pk"), mentor=user)
    return qs.filter(Q(trainee=user) | Exists(mentee))


def is_active_mentor_of(user, enrollment) -> bool:
    from mentors.models import Mentorship

    return Mentorship.objects.active().filter(enrollment=enrollment, mentor=user).exists()


def current_enrollment(user) -> Enrollment | None:
    """The trainee's open enrollment (the newest, should there be several programs)."""
    return (
        Enrollment.objects.open()
        .filter(trainee=user)
        .select_related("program")
        .order_by("-hire_date", "-pk")
        .first()
    )


def program_stages(program) -> list[StagePage]:
    return list(StagePage.objects.child_of(program).live().order_by("path"))


def job_description_of(program) -> JobDescriptionPage | None:
    return JobDescriptionPage.objects.child_of(program).live().first()


def has_signed_current(enrollment, job: JobDescriptionPage | None) -> bool:
    if job is None:
        return True
    return JobDescriptionSignature.objects.filter(
        enrollment=enrollment, page=job, revision_id=job.live_revision_id
    ).exists()


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
    from django.utils.translation import gettext as _

    return _("The job description was updated: read it and sign again")


def overview(enrollment: Enrollment, *, today: date | None = None) -> Overview:
    """Everything "My onboarding" shows, in a number of queries independent of stage count."""
    today = today or timezone.localdate()
    stages = program_stages(enrollment.program)
    progress = {p.stage_id: p for p in StageProgress.objects.filter(enrollment=enrollment)}
    ticked = set(
        ChecklistTick.objects.filter(enrollment=enrollment).values_list("stage_id", "item_id")
    )
    job = job_description_of(enrollment.program)
    signed_current = has_signed_current(enrollment, job)
    signed_any = last_signature(enrollment, job) is not None
    signed_off = ReadinessSignOff.objects.filter(enrollment=enrollment).exists()
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
    )


def enrollment_list(user, *, filters: dict | None = None):
    """HR's enrollment list with the current stage and mentor, in a fixed number of queries."""
    from mentors.models import Mentorship

    qs = (
        enrollments_visible_to(user)
        .select_related("trainee", "program")
        .prefetch_related(
            Prefetch(
                "progress",
                queryset=StageProgress.objects.select_related("stage").order_by("stage__path"),
                to_attr="progress_list",
            ),
            Prefetch(
                "mentorships",
                queryset=Mentorship.objects.active().select_related("mentor"),
                to_attr="active_mentorships",
            ),
        )
        .order_by("-hire_date", "trainee__last_name")
    )
    filters = filters or {}
    if filters.get("program"):
        qs = qs.filter(program_id=filters["program"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("mentor"):
        qs = qs.filter(mentorships__mentor_id=filters["mentor"], mentorships__ended_on__isnull=True)
    if filters.get("hire_month"):
        year, month = filters["hire_month"]
        qs = qs.filter(hire_date__year=year, hire_date__month=month)
    if filters.get("stage"):
        current = StageProgress.objects.filter(
            enrollment=OuterRef("pk"),
            stage_id=filters["stage"],
            status__in=[StageProgress.Status.AVAILABLE, StageProgress.Status.IN_PROGRESS],
        )
        qs = qs.filter(Exists(current))
    return qs
