"""Programs, stages and enrollments for the courses tests."""

from __future__ import annotations

import uuid
from datetime import date

from wagtail.models import Page, Site

from courses import services
from courses.blocks import Responsible
from courses.models import JobDescriptionPage, ProgramPage, StagePage
from people.models import HomePage
from people.roles import Role
from tests.conftest import make_user


def home_page() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(title="Onboarding", slug="onboarding")
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home


def checklist(items, title="Checklist"):
    """A checklist block in Wagtail's stored format; items are (text, responsible, required)
    or (text, responsible, required, the login of the one person named)."""
    return {
        "type": "checklist",
        "id": str(uuid.uuid4()),
        "value": {
            "title": title,
            "items": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "text": text,
                        "responsible": who,
                        "required": required,
                        "person": person[0] if person else "",
                    },
                }
                for text, who, required, *person in items
            ],
        },
    }


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_program(
    *,
    stages: int = 4,
    items: int = 2,
    others: int = 1,
    job_description: bool = True,
    title: str = "Onboarding program",
) -> ProgramPage:
    """A published program: ``stages`` stages, each with ``items`` required trainee items and
    ``others`` required items for the system administrator; stage 1 requires the job
    description."""
    program = publish(home_page(), ProgramPage(title=title, slug=f"program-{uuid.uuid4().hex[:8]}"))
    for n in range(1, stages + 1):
        rows = [(f"Stage {n} task {i}", Responsible.TRAINEE, True) for i in range(1, items + 1)]
        rows += [(f"Stage {n} admin {i}", Responsible.SYSADMIN, True) for i in range(1, others + 1)]
        rows.append((f"Stage {n} optional", Responsible.TRAINEE, False))
        publish(
            program,
            StagePage(
                title=f"Stage {n}",
                slug=f"stage-{n}",
                summary=f"What stage {n} is about.",
                requires_job_description=job_description and n == 1,
                body=[
                    {"type": "heading", "id": str(uuid.uuid4()), "value": f"About stage {n}"},
                    {"type": "text", "id": str(uuid.uuid4()), "value": "<p>Read this.</p>"},
                    checklist(rows),
                ],
            ),
        )
    if job_description:
        publish(
            program,
            JobDescriptionPage(
                title="Job description",
                slug="job-description",
                general_provisions="<p>General.</p>",
                responsibilities="<p>Sell.</p>",
                rights="<p>Ask.</p>",
                service_connections="<p>Accounting.</p>",
                responsibility="<p>Data.</p>",
            ),
        )
    return program


def enroll(program, trainee=None, *, hire_date=None, by=None):
    trainee = trainee or make_user(Role.TRAINEE)
    by = by or make_user(Role.HR)
    return services.enrollment_create(
        trainee=trainee, program=program, hire_date=hire_date or date(2026, 11, 2), enrolled_by=by
    )


def finish_stage(enrollment, stage, *, hr):
    """Do what the stage asks (sign, tick every required item) as the right people."""
    trainee = enrollment.trainee
    if stage.requires_job_description:
        services.job_description_sign(enrollment=enrollment, user=trainee)
    for item_id, item in stage.checklist_items():
        if not item["required"]:
            continue
        user = trainee if item["responsible"] == Responsible.TRAINEE else hr
        services.checklist_tick(enrollment=enrollment, stage=stage, item_id=item_id, user=user)


def stages_of(program):
    return list(StagePage.objects.child_of(program).live().order_by("path"))


def seed_courses_demo():
    """The demo company's people and the program (lms + courses seeders), as seed_demo runs
    them, without the other apps' demo data."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from demo import courses as courses_demo
    from demo import people as demo

    ctx = demo.DemoContext(today=timezone.localdate(), rng=random.Random(2026))
    with transaction.atomic():
        demo.seed(ctx)
        courses_demo.seed(ctx)
    return ctx
