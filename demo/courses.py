"""The demo program ("Account manager onboarding") and the twelve demo trainees' progress.

Deterministic (block ids are uuid5 of fixed names; the plan depends only on hire dates) and
idempotent: an existing program is left as HR may have edited it, and a trainee who already
has an enrollment in it is skipped. Progress is made through the services (ticks, signatures),
so it is real; timestamps are then moved back to plausible times after each hire date.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from courses import services
from courses.blocks import Responsible
from courses.models import (
    ChecklistTick,
    Enrollment,
    EnrollmentEvent,
    JobDescriptionPage,
    JobDescriptionSignature,
    ProgramPage,
    StagePage,
    StageProgress,
)
from people.models import HomePage

PROGRAM_SLUG = "account-manager-onboarding"
STAGE_SLUGS = ["introduction", "products-and-customers", "sales-training", "work-rhythm"]
JOB_DESCRIPTION_SLUG = "job-description"
DROPPED_TRAINEE = "trainee5"
DROP_REASON = (
    "Moved to the logistics department at her own request after the sales training; "
    "agreed with the head of sales."
)
_NAMESPACE = uuid.UUID("6f1c9a52-3d4b-4c61-9a0e-2b7f5d8e1c30")

T, SYS, HEAD, MENTOR, HR = (
    Responsible.TRAINEE,
    Responsible.SYSADMIN,
    Responsible.HEAD_OF_DEPARTMENT,
    Responsible.MENTOR,
    Responsible.HR,
)


def block_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _heading(stage, n, text):
    return {"type": "heading", "value": text, "id": block_id(stage, "heading", str(n))}


def _text(stage, n, html):
    return {"type": "text", "value": html, "id": block_id(stage, "text", str(n))}


def _callout(stage, n, tone, html):
    return {
        "type": "callout",
        "value": {"tone": tone, "text": html},
        "id": block_id(stage, "callout", str(n)),
    }


def _checklist(stage, title, items):
    return {
        "type": "checklist",
        "value": {
            "title": title,
            "items": [
                {
                    "type": "item",
                    "value": {"text": text, "responsible": who, "required": required},
                    "id": block_id(stage, "item", key),
                }
                for key, text, who, required in items
            ],
        },
        "id": block_id(stage, "checklist", title),
    }


STAGES = [
    {
        "slug": "introduction",
        "title": "Introduction to the company",
        "summary": (
            "Your first two days: who we are and how we work, the people you will work with, "
            "your accounts and software, where things are kept, and a briefing from the head "
            "of department on clients and your first tasks. You also read and sign your job "
            "description."
        ),
        "duration_days": 2,
        "requires_job_description": True,
        "body": lambda s: [
            _heading(s, 1, "Welcome"),
            _text(
                s,
                1,
                "<p>We supply equipment and consumables to businesses across the region: "
                "offices, workshops, warehouses and shops. Most of our revenue comes from "
                "clients who order again and again, so an account manager's real job is to "
                "find a client, understand what they need and keep them for years.</p>"
                "<p>These two days are for getting settled. Nobody expects you to sell yet: "
                "read, ask, meet people and make sure all your tools work.</p>",
            ),
            _heading(s, 2, "Company information and policies"),
            _text(
                s,
                2,
                "<ul><li><b>Working hours</b>: 9:00 to 18:00, lunch 13:00 to 14:00. Tell "
                "the head of department before 9:30 if you are ill or late.</li>"
                "<li><b>Client data</b> stays in the CRM and on the company's drives. Never "
                "forward client lists or price calculations to private e-mail or "
                "messengers.</li>"
                "<li><b>Discounts</b> beyond the price list are approved by the head of "
                "department, in writing (an e-mail or a CRM comment is enough).</li>"
                "<li><b>Expenses</b> (taxi to a client, samples) are refunded against a "
                "receipt handed to accounting within five working days.</li></ul>",
            ),
            _callout(
                s,
                1,
                "info",
                "<p>The internal policies are in the <b>Company</b> folder of the shared "
                "drive. Read the code of conduct and the client data policy first; the rest "
                "can wait until the end of the week.</p>",
            ),
            _heading(s, 3, "Your colleagues"),
            _text(
                s,
                3,
                "<p>You will work every day with <b>sales</b> (your team and the head of "
                "department), <b>logistics</b> (reservations, shipping, deliveries) and "
                "<b>accounting</b> (invoices, payments, contracts). Introduce yourself to "
                "each of them on the first day: a deal only closes when all three work "
                "together.</p>",
            ),
            _heading(s, 4, "Accounts, software and shared drives"),
            _text(
                s,
                4,
                "<p>The system administrator creates your accounts: e-mail and the office "
                "suite, the accounting system (you will see stock, prices and invoices) and "
                "the CRM, where every client, call and deal lives.</p>"
                "<p>The shared drives: <b>Sales</b> holds the price lists, proposal templates "
                "and presentations; <b>Contracts</b> holds agreement and application "
                "templates and signed copies; <b>Company</b> holds policies and forms. Work "
                "from these files, not from copies on your desktop: they are updated.</p>",
            ),
            _checklist(
                s,
                "Your first two days",
                [
                    ("policies", "Read the company information and internal policies", T, True),
                    ("colleagues", "Meet colleagues in sales, logistics and accounting", T, True),
                    ("email", "Create the e-mail and office suite accounts", SYS, True),
                    ("accounting", "Give access to the accounting system", SYS, True),
                    ("crm", "Get CRM access", SYS, True),
                    ("drives", "Find the price list and templates on the shared drives", T, True),
                    (
                        "briefing",
                        "Briefing on clients and first tasks with the head of department",
                        HEAD,
                        True,
                    ),
                    ("documents", "Hand in the employment documents to HR", HR, True),
                    ("phone", "Set up the work phone and headset", SYS, False),
                ],
            ),
        ],
    },
    {
        "slug": "products-and-customers",
        "title": "Products and customer base",
        "summary": (
            "The product range and how we sell, the basics of cold calling and phone "
            "etiquette; after about two days of training you start real calls and build your "
            "own customer base."
        ),
        "duration_days": 4,
        "requires_job_description": False,
        "body": lambda s: [
            _heading(s, 1, "The product range"),
            _text(
                s,
                1,
                "<p>The catalogue has five groups: office equipment, consumables, warehouse "
                "equipment, packaging, and service contracts. Learn for each group who buys "
                "it, what problem it solves and two or three best sellers. Details (every "
                "article number) you will look up in the accounting system; nobody learns "
                "them by heart.</p>",
            ),
            _heading(s, 2, "How we sell"),
            _text(
                s,
                2,
                "<p>Every deal goes the same way, and the CRM follows it: <b>lead</b> (a "
                "company that might need us) → <b>first call</b> → <b>meeting</b> or "
                "detailed call → <b>commercial proposal</b> → <b>application</b> (the "
                "client's order) → <b>contract</b> and invoice → <b>shipment</b> → "
                "<b>repeat order</b>. Your results are measured in calls, meetings, "
                "applications and contracts: log each one in the CRM the same day.</p>",
            ),
            _heading(s, 3, "Cold calls and phone etiquette"),
            _text(
                s,
                3,
                "<ul><li>Introduce yourself and the company in one sentence, then ask for "
                "the person who buys equipment or supplies.</li>"
                "<li>Ask before you tell: what do they use now, how often do they order, "
                "what annoys them about their supplier?</li>"
                "<li>Aim for a next step, not a sale: a meeting, a proposal, a sample.</li>"
                "<li>Smile, speak slowly, never interrupt, and end every call by repeating "
                "what you agreed and when you will call back.</li></ul>",
            ),
            _callout(
                s,
                1,
                "tip",
                "<p>Training is kept short on purpose: after about two days you make real "
                "calls. The first ones are the hardest; the head of department listens in "
                "and gives feedback.</p>",
            ),
            _checklist(
                s,
                "Products and first calls",
                [
                    ("catalogue", "Study the catalogue: the five product groups", T, True),
                    ("sales-system", "Learn the sales system, from lead to repeat order", T, True),
                    ("listen", "Listen to five recorded calls of experienced colleagues", T, True),
                    (
                        "script",
                        "Phone etiquette and cold-call script training",
                        HEAD,
                        True,
                    ),
                    (
                        "first-calls",
                        "Make your first 20 cold calls and log them in the CRM",
                        T,
                        True,
                    ),
                    ("base", "Add your first 10 potential clients to your customer base", T, True),
                ],
            ),
        ],
    },
    {
        "slug": "sales-training",
        "title": "Sales training with a mentor",
        "summary": (
            "Up to about four weeks with a mentor: proposals, documents, the CRM, client "
            "research, working with other departments, segmentation, prices and discounts. "
            "It ends with a product survey and a role-play certification."
        ),
        "duration_days": 20,
        "requires_job_description": False,
        "body": lambda s: [
            _text(
                s,
                1,
                "<p>An experienced account manager becomes your mentor. You meet at least "
                "twice a week: they explain, you try on real clients, and together you look "
                "at what worked. Ask them everything; helping you is part of their job and "
                "of their bonus.</p>",
            ),
            _heading(s, 1, "Commercial proposals and documents"),
            _text(
                s,
                2,
                "<p>A commercial proposal fits on one page: the client's need in their own "
                "words, what we offer, the price with the discount explained, delivery and "
                "payment terms, and a deadline. Use the templates in <b>Sales</b> on the "
                "shared drive.</p><p>The documents of a deal: the <b>agreement</b> "
                "(framework contract, signed once), the <b>application</b> (each order: "
                "articles, quantities, prices, delivery date) and the <b>report</b> (what "
                "was shipped and paid, for the client's accounting).</p>",
            ),
            _heading(s, 2, "The CRM and client research"),
            _text(
                s,
                3,
                "<p>Enter every client completely: legal name and tax number, address, the "
                "decision maker and their phone, what they buy now and from whom. A client "
                "without a next step and a date is a forgotten client.</p><p>Look for new "
                "clients in business directories, tenders, industry exhibitions and our own "
                "lost clients; keep the research in the CRM, not in a private "
                "spreadsheet.</p>",
            ),
            _heading(s, 3, "Working with other departments"),
            _text(
                s,
                4,
                "<p>Accounting issues and signs invoices and contracts; logistics reserves "
                "goods and arranges shipping. Give them complete applications early in the "
                "day, check the reservation before you promise a date, and tell the client "
                "only what logistics has confirmed.</p>",
            ),
            _heading(s, 4, "Segments, the price list and discounts"),
            _text(
                s,
                5,
                "<p>Clients are segmented A (large, regular), B (regular) and C (occasional); "
                "spend your time accordingly. Prices come from the current price list only. "
                "Discounts follow two rules: a <b>volume</b> discount by order size, and a "
                "<b>deferred payment</b> surcharge or reduced discount when the client pays "
                "later. Your mentor shows you how to calculate both.</p>",
            ),
            _callout(
                s,
                1,
                "tip",
                "<p>Products are studied <b>most profitable first</b>: service contracts and "
                "warehouse equipment before consumables. Sell what earns the company most, "
                "then fill the order with the rest.</p>",
            ),
            _callout(
                s,
                2,
                "warning",
                "<p>The stage ends with a <b>product survey</b>, graded by your mentor or "
                "HR, and a <b>role-play certification</b>: you conclude a deal with your "
                "mentor playing the client. You have at most two attempts; passing it clears "
                "you to work with clients on your own.</p>",
            ),
            _checklist(
                s,
                "Sales training",
                [
                    (
                        "meet-mentor",
                        "Meet your mentor and agree on a weekly schedule",
                        MENTOR,
                        True,
                    ),
                    ("proposal", "Prepare a commercial proposal for a real client", T, True),
                    ("docs", "Learn the agreement, application and report", T, True),
                    (
                        "crm-check",
                        "Enter client data in the CRM, checked by the mentor",
                        MENTOR,
                        True,
                    ),
                    ("research", "Research 30 potential clients and add them to the CRM", T, True),
                    ("departments", "Take one order through invoicing and shipping", T, True),
                    ("segments", "Segment your clients into A, B and C", T, True),
                    ("discounts", "Calculate volume and deferred-payment discounts", MENTOR, True),
                    ("profitable", "Study the five most profitable products first", T, True),
                ],
            ),
        ],
    },
    {
        "slug": "work-rhythm",
        "title": "Normal work rhythm",
        "summary": (
            "Real work with your own clients, under an experienced colleague or the head of "
            "department, until your results show you are ready to work independently "
            "(about six months from hire in total)."
        ),
        "duration_days": 100,
        "requires_job_description": False,
        "body": lambda s: [
            _text(
                s,
                1,
                "<p>You now work with clients like everyone else, with one difference: an "
                "experienced colleague or the head of department reviews your deals with you "
                "every week and helps you analyse difficult situations: a client who went "
                "silent, a price objection, a late payment, a lost tender.</p>",
            ),
            _heading(s, 1, "What readiness looks like"),
            _text(
                s,
                2,
                "<ul><li>You reach the monthly plan for calls and meetings without "
                "reminders.</li><li>Your proposals and applications go out without "
                "corrections.</li><li>You close contracts on your own and your clients order "
                "again.</li></ul><p>When your results show this, your mentor or a director "
                "signs you off as ready to work independently. That completes your "
                "onboarding.</p>",
            ),
            _checklist(
                s,
                "Working under supervision",
                [
                    ("weekly-review", "Agree on a weekly review of your deals", HEAD, True),
                    ("situations", "Analyse three difficult client situations", T, True),
                    ("plan", "Reach the monthly call and meeting plan twice in a row", HEAD, True),
                    ("first-contracts", "Close your first three contracts", T, True),
                    ("review", "Three-month review conversation with HR", HR, True),
                ],
            ),
        ],
    },
]

JOB_DESCRIPTION = {
    "title": "Job description: account manager",
    "general_provisions": (
        "<p>The account manager belongs to the sales department and reports to the head of "
        "department. They are hired and dismissed by order of the general director.</p>"
        "<p>The position requires secondary vocational or higher education and confident use "
        "of a computer and the phone; sales experience is welcome but not required: the "
        "company trains new account managers in its onboarding program.</p>"
        "<p>The account manager follows the company's internal policies, this job "
        "description, and the price list and discount rules in force.</p>"
    ),
    "responsibilities": (
        "<ul><li>Find potential clients and build a customer base in the CRM.</li>"
        "<li>Make calls and hold meetings with clients to identify their needs.</li>"
        "<li>Prepare commercial proposals, applications and contracts using the company's "
        "templates and the current price list.</li>"
        "<li>Enter complete and correct data on clients, calls, meetings and deals in the "
        "CRM on the day they happen.</li>"
        "<li>Coordinate invoices, contracts, reservations and shipments with accounting and "
        "logistics.</li>"
        "<li>Follow up payments and repeat orders and keep long-term relationships with "
        "clients.</li>"
        "<li>Meet the monthly plan for calls, meetings, applications and contracts.</li></ul>"
    ),
    "rights": (
        "<ul><li>Receive the information, documents and accounts needed for the work.</li>"
        "<li>Propose improvements to sales processes, templates and the price list.</li>"
        "<li>Offer discounts within the rules; request larger discounts from the head of "
        "department.</li><li>Receive training and the support of a mentor during "
        "onboarding.</li></ul>"
    ),
    "service_connections": (
        "<p>The account manager receives tasks from the head of department and reports on "
        "them; works with accounting on invoices, contracts and payments, and with logistics "
        "on reservations, shipping and deliveries; during onboarding, works with the "
        "assigned mentor and with HR.</p>"
    ),
    "responsibility": (
        "<p>The account manager is responsible for failing to perform the duties in this job "
        "description, for the accuracy of data entered in the CRM and of documents prepared "
        "for clients, for disclosing client data or commercial information, and for damage "
        "caused to the company, within the limits set by labour law.</p>"
    ),
}

# Where each trainee stands, from the oldest hire to the newest: the number of completed
# stages (the next one is in progress).
PLAN_BY_RANK = [3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 1, 0]


def _workdays_after(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_program(ctx) -> ProgramPage:
    home = HomePage.objects.first()
    program = ProgramPage.objects.filter(slug=PROGRAM_SLUG).first()
    if program is None:
        program = ProgramPage(
            title="Account manager onboarding",
            slug=PROGRAM_SLUG,
            intro=(
                "<p>Six months from your first day to working with clients on your own, in "
                "four stages. Each stage opens when the previous one is completed; this page "
                "and <b>My onboarding</b> always show where you stand and what to do next.</p>"
            ),
            ramp_up_months=6,
        )
        home.add_child(instance=program)
        program.save_revision().publish()
        ctx.count("pages")
    existing = {page.slug for page in program.get_children()}
    for spec in STAGES:
        if spec["slug"] in existing:
            continue
        stage = StagePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            duration_days=spec["duration_days"],
            requires_job_description=spec["requires_job_description"],
            body=spec["body"](spec["slug"]),
        )
        program.add_child(instance=stage)
        stage.save_revision().publish()
        ctx.count("pages")
    if JOB_DESCRIPTION_SLUG not in existing:
        job = JobDescriptionPage(slug=JOB_DESCRIPTION_SLUG, **JOB_DESCRIPTION)
        program.add_child(instance=job)
        job.save_revision().publish()
        ctx.count("pages")
    return program


def _complete_stage(enrollment, stage, hr, *, limit: int | None = None) -> None:
    """Tick the stage's required items (the first ``limit`` only) as the right people would."""
    trainee = enrollment.trainee
    if stage.requires_job_description:
        services.job_description_sign(enrollment=enrollment, user=trainee)
    items = [(item_id, item) for item_id, item in stage.checklist_items() if item["required"]]
    for item_id, item in items[:limit] if limit is not None else items:
        user = trainee if item["responsible"] == Responsible.TRAINEE else hr
        services.checklist_tick(enrollment=enrollment, stage=stage, item_id=item_id, user=user)


def _backdate(enrollment, stages, today: date) -> None:
    """Move every timestamp of the enrollment to a plausible time after the hire date."""
    now = timezone.now()
    hire = enrollment.hire_date
    enrolled_at = _at(hire - timedelta(days=3), 11, 20)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=enrolled_at)
    EnrollmentEvent.objects.filter(
        enrollment=enrollment, kind=EnrollmentEvent.Kind.ENROLLED
    ).update(at=enrolled_at)
    JobDescriptionSignature.objects.filter(enrollment=enrollment).update(
        signed_at=min(now, _at(hire, 15, 40))
    )
    progress = {p.stage_id: p for p in StageProgress.objects.filter(enrollment=enrollment)}
    start = hire
    for stage in stages:
        prog = progress.get(stage.pk)
        if prog is None or prog.status == StageProgress.Status.LOCKED:
            break
        planned_end = _workdays_after(start, max(1, stage.duration_days - 1))
        opened = min(now, _at(start, 9, 30))
        if prog.status == StageProgress.Status.COMPLETED:
            closed = min(now, _at(planned_end, 16, 45))
            end_for_ticks = closed
        else:
            closed = None
            end_for_ticks = min(now, max(opened, now - timedelta(hours=2)))
        StageProgress.objects.filter(pk=prog.pk).update(
            available_at=opened,
            started_at=opened if prog.started_at else None,
            completed_at=closed,
        )
        ticks = list(
            ChecklistTick.objects.filter(enrollment=enrollment, stage=stage).order_by("pk")
        )
        span = end_for_ticks - opened
        for i, tick in enumerate(ticks, start=1):
            ChecklistTick.objects.filter(pk=tick.pk).update(
                ticked_at=opened + span * i / (len(ticks) + 1)
            )
        if closed is not None:
            EnrollmentEvent.objects.filter(
                enrollment=enrollment, kind=EnrollmentEvent.Kind.STAGE_COMPLETED, reason=stage.title
            ).update(at=closed)
            start = _workdays_after(planned_end, 1)
        else:
            break


def seed(ctx) -> None:
    program = seed_program(ctx)
    hr = ctx.users["hr"]
    stages = list(StagePage.objects.child_of(program).live().order_by("path"))
    trainees = sorted(ctx.trainees, key=lambda u: (u.profile.hire_date or ctx.today, u.username))
    for rank, trainee in enumerate(trainees):
        if Enrollment.objects.filter(trainee=trainee, program=program).exists():
            continue
        hire = trainee.profile.hire_date or ctx.today
        enrollment = services.enrollment_create(
            trainee=trainee, program=program, hire_date=hire, enrolled_by=hr
        )
        ctx.count("enrollments")
        completed = PLAN_BY_RANK[min(rank, len(PLAN_BY_RANK) - 1)]
        for stage in stages[:completed]:
            _complete_stage(enrollment, stage, hr)
        if completed < len(stages):
            # Part of the current stage is done already; the newest hire is still waiting for
            # the system administrator and has not signed the job description.
            current = stages[completed]
            if completed == 0:
                for item_id, item in current.checklist_items():
                    if item["responsible"] == Responsible.SYSADMIN and item["required"]:
                        services.checklist_tick(
                            enrollment=enrollment, stage=current, item_id=item_id, user=hr
                        )
                        break
            else:
                _complete_stage(enrollment, current, hr, limit=2)
        _backdate(enrollment, stages, ctx.today)
        if trainee.username == DROPPED_TRAINEE:
            dropped_on = min(ctx.today, _workdays_after(hire, 40))
            services.enrollment_drop(
                enrollment=enrollment, user=hr, reason=DROP_REASON, on=dropped_on
            )
            EnrollmentEvent.objects.filter(
                enrollment=enrollment, kind=EnrollmentEvent.Kind.DROPPED
            ).update(at=_at(dropped_on, 17, 10))
