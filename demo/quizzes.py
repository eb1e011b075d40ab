"""The demo's quizzes: the product survey on the Kestrel MF-4200 (the flagship of the Kestrel
office equipment line the demo company distributes) and the role-play certification, placed in
the "sales-training" stage, with attempts in every state for the demo trainees.

Runs after the courses and mentors seeders. Deterministic (uuid5 block ids, dates relative to
each trainee's stage progress) and idempotent (existing quizzes are left as HR may have
edited them; a trainee who has any attempt is skipped). Without the program or enrollments it
does nothing. Attempts go through the services, so scores, due dates, certification and stage
completion are real; historical notifications are removed so the inboxes show only what is
still actionable.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.http import QueryDict
from django.utils import timezone

from courses.models import Enrollment, ProgramPage, StagePage, StageProgress
from mentors.models import Mentorship
from people.models import Notification
from quizzes import selectors, services
from quizzes.models import (
    Attempt,
    Choice,
    MultipleChoiceQuestion,
    NumericQuestion,
    OralQuestion,
    Quiz,
    RubricCriterion,
    TrueFalseQuestion,
    WrittenQuestion,
)

PROGRAM_SLUG = "account-manager-onboarding"
STAGE_SLUG = "sales-training"
SURVEY_SLUG = "kestrel-mf-4200-product-survey"
CERTIFICATION_SLUG = "role-play-certification"
_NAMESPACE = uuid.UUID("0b8f3d2e-5a61-4c7e-9d14-7e2a9c6b5f01")

WRITTEN = [
    (
        "What are the main characteristics of the Kestrel MF-4200, and how does it differ "
        "from competitors' machines in its class?",
        "A3 colour MFP: print, copy, scan, fax; 42 pages a minute colour and black; "
        '1200 x 1200 dpi; duplex scanning in one pass (100 images a minute); 10.1" touch '
        "panel; up to 150,000 pages a month. Differences: the lowest cost per page in its "
        "class thanks to 28,000-page toners, one-pass duplex scanning where competitors scan "
        "twice, a 5-year warranty with our service contract, and toner and parts in stock at "
        "our warehouse (competitors order them for 3-4 weeks).",
    ),
    (
        "How is the MF-4200 packaged and delivered?",
        "One pallet, 1,200 x 800 mm, about 118 kg: the printer in a double-wall carton with "
        "foam corners, shrink-wrapped. In the box: starter toners (CMYK, 8,000 pages), drum "
        "units installed, power cable, USB cable, quick-start guide. Optional trays and the "
        "finisher come in separate cartons. Delivery to the door; unpacking and installation "
        "by our engineer if ordered with installation.",
    ),
    (
        "A customer urgently needs an MF-4200 that is out of stock. What do you offer?",
        "Check the reservation and the next arrival with logistics first. Offer: the MF-4250 "
        "(same platform, faster) from stock at the 4200's price if the head of department "
        "approves; a demo or rental machine from our service pool until theirs arrives; "
        "reserving the next delivery with a confirmed date. Never promise a date logistics "
        "has not confirmed.",
    ),
    (
        "A customer uses a Kestrel MF-3100 with a separate scanner and prints booklets in an "
        "outside print shop. Which MF-4200 options do you offer?",
        "The MF-4200 replaces both devices (one-pass duplex scanning). Offer the booklet "
        "finisher BF-40 (stapling, folding) to bring booklets in-house, the 2 x 500 sheet "
        "paper deck for larger runs, and the Wi-Fi/NFC card-reader kit if several departments "
        "share it. Their MF-3100 toner cannot be reused; offer to take the old machine for "
        "recycling.",
    ),
    (
        "What are the conditions of use of the MF-4200, and where can the client read them?",
        "Room 10-30 °C, 15-80 % humidity, a dedicated 220 V / 16 A socket, 10 cm clearance at "
        "the back and 60 cm at the front; 60-300 g/m² paper; original Kestrel consumables for "
        "the warranty to hold; recommended volume up to 15,000 pages a month. The client reads "
        "them in the user manual (in the box and on kestrel-office.example/mf4200) and in the "
        "warranty card and our service contract.",
    ),
    (
        "How soon does an MF-4200 that is in stock reach the customer?",
        "From our warehouse: next working day in the city when the application is confirmed "
        "and paid (or credit approved) by 14:00; 2-4 working days in the region by our "
        "carrier; installation within 2 working days after delivery.",
    ),
    (
        "How soon does an MF-4200 that is not in stock reach the customer?",
        "It is ordered from the distributor's central warehouse: 10-14 working days to our "
        "warehouse, then the usual next-day or regional delivery. Logistics confirms the date "
        "when the order is placed; tell the client only the confirmed date.",
    ),
]

GOOD_ANSWERS = [
    "A3 colour MFP, 42 ppm, one-pass duplex scanning, up to 150k pages a month. Cheaper per "
    "page than the competitors thanks to the big toners, and we keep toner and parts in stock.",
    "On one pallet in a carton with foam corners; starter toners and cables inside, trays "
    "and finisher in separate boxes. We deliver and can install.",
    "First ask logistics for the next arrival; offer the MF-4250 from stock if the head of "
    "department agrees, or a rental machine until theirs arrives.",
    "Replace both devices with the MF-4200 and add the BF-40 booklet finisher so they stop "
    "paying the print shop; the extra paper deck for long runs.",
    "Normal office conditions, its own socket, original consumables for the warranty; the "
    "client reads the manual in the box or on the Kestrel website and the warranty card.",
    "Next working day in the city if confirmed before 14:00, 2-4 days in the region.",
    "About two weeks from the central warehouse, then our normal delivery; logistics "
    "confirms the date.",
]
WEAK_ANSWERS = [
    "It is a fast colour printer and copier, better than the others.",
    "In a box.",
    "Tell them to wait for the next delivery.",
    "The same machine with more paper.",
    "In the manual.",
    "A few days.",
    "About a month.",
]

RUBRIC = [
    ("Needs discovery", "Asks about volumes, current devices, costs and who decides."),
    ("Product knowledge", "Explains the MF-4200 and its options accurately for this client."),
    ("Handling objections", "Answers price and competitor objections calmly, with facts."),
    ("Closing", "Asks for the order or a concrete next step with a date."),
    ("Paperwork", "Fills in the application and names the documents correctly."),
]


def _id(*parts) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def seed_survey() -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        slug=SURVEY_SLUG,
        defaults={
            "title": "Product survey: Kestrel MF-4200",
            "description": (
                "What a director would ask you about our flagship multifunction printer: what "
                "it is, how it is packaged, delivered and used, and how you price it. Written "
                "answers are graded by your mentor; the calculation and the short questions "
                "are scored at once."
            ),
            "pass_mark": 70,
            "max_attempts": 3,
            "grading_due_days": 21,
            "grading_overdue_days": 28,
        },
    )
    if not created:
        return quiz
    order = 0
    for text, notes in WRITTEN:
        order += 1
        WrittenQuestion.objects.create(
            quiz=quiz, order=order, text=text, points=Decimal(5), grader_notes=notes
        )
    order += 1
    NumericQuestion.objects.create(
        quiz=quiz,
        order=order,
        text=(
            "A B-segment client orders 12 MF-4200 at the list price of 48,500 RUB each. The "
            "volume discount is 5 % from 10 units; with 30 days of deferred payment the "
            "discount is reduced by 2 percentage points. The client pays in 30 days. What is "
            "the order total in RUB?"
        ),
        points=Decimal(5),
        correct_value=Decimal("564540"),
        tolerance=Decimal("1"),
        unit="RUB",
        explanation="12 x 48,500 = 582,000 RUB; 5 % - 2 points = 3 %; 582,000 x 0.97 = "
        "564,540 RUB.",
        grader_notes="564,540 RUB (± 1 RUB for rounding).",
    )
    order += 1
    mc = MultipleChoiceQuestion.objects.create(
        quiz=quiz,
        order=order,
        text="What is in the MF-4200's box? Choose every correct answer.",
        points=Decimal(2),
        explanation="Starter toners, drums (installed) and cables are in the box; the paper "
        "deck and the finisher are separate options.",
    )
    for i, (text, correct) in enumerate(
        [
            ("Starter toners for 8,000 pages", True),
            ("Power and USB cables", True),
            ("The 2 x 500 sheet paper deck", False),
            ("The BF-40 booklet finisher", False),
        ]
    ):
        Choice.objects.create(question=mc, text=text, correct=correct, sort_order=i)
    order += 1
    single = MultipleChoiceQuestion.objects.create(
        quiz=quiz,
        order=order,
        text="Which client is the MF-4200 made for?",
        points=Decimal(2),
        explanation="Up to 15,000 pages a month recommended (150,000 maximum): a busy "
        "office or department.",
    )
    for i, (text, correct) in enumerate(
        [
            ("A home office printing 200 pages a month", False),
            ("An office printing up to 15,000 pages a month in A4 and A3", True),
            ("A print shop printing 500,000 pages a month", False),
        ]
    ):
        Choice.objects.create(question=single, text=text, correct=correct, sort_order=i)
    order += 1
    TrueFalseQuestion.objects.create(
        quiz=quiz,
        order=order,
        text="The MF-4200 keeps its warranty when used with third-party toner.",
        correct_answer=False,
        points=Decimal(1),
        explanation="The warranty requires original Kestrel consumables.",
    )
    order += 1
    TrueFalseQuestion.objects.create(
        quiz=quiz,
        order=order,
        text="An MF-4200 in stock reaches a client in the city the next working day when "
        "the application is confirmed by 14:00.",
        correct_answer=True,
        points=Decimal(1),
    )
    return quiz


def seed_certification() -> Quiz:
    quiz, created = Quiz.objects.get_or_create(
        slug=CERTIFICATION_SLUG,
        defaults={
            "title": "Role-play certification: conclude a deal",
            "description": (
                "Your mentor plays a client who uses competitors' equipment; you find out "
                "what they need, present the MF-4200, handle their objections, agree on the "
                "deal and fill in the application. Passing it clears you for client work; "
                "you have two attempts."
            ),
            "pass_mark": 70,
            "is_certification": True,
            "max_attempts": 2,
            "grading_due_days": 7,
            "grading_overdue_days": 14,
        },
    )
    if not created:
        return quiz
    question = OralQuestion.objects.create(
        quiz=quiz,
        order=1,
        text=(
            "Role-play: the office manager of a 60-person logistics company calls about "
            "replacing two old printers and a scanner. Conclude the deal."
        ),
        points=Decimal(20),
        grader_notes="Score each criterion 0-4; 14 of 20 passes. Note what to practise.",
    )
    for i, (name, description) in enumerate(RUBRIC):
        RubricCriterion.objects.create(
            question=question,
            name=name,
            description=description,
            max_points=Decimal(4),
            sort_order=i,
        )
    return quiz


def place_in_stage(stage, quizzes) -> bool:
    """Append a required quiz block for each quiz missing from the stage; publish a revision."""
    present = {quiz_id for quiz_id, _required in selectors.quiz_blocks_raw(stage)}
    missing = [quiz for quiz in quizzes if quiz.pk not in present]
    if not missing:
        return False
    stage = stage.get_latest_revision_as_object()
    data = list(stage.body.raw_data)
    for quiz in missing:
        data.append(
            {
                "type": "quiz",
                "value": {"quiz": quiz.pk, "required": True},
                "id": _id(stage.slug, "quiz", quiz.slug),
            }
        )
    stage.body = data
    stage.save_revision().publish()
    return True


# --- Attempts -----------------------------------------------------------------------------


def _grader(ctx, enrollment):
    mentorship = (
        Mentorship.objects.filter(enrollment=enrollment).order_by("ended_on", "-pk").first()
    )
    return mentorship.mentor if mentorship else ctx.users.get("mentor1")


def _answers(quiz, *, good: bool, upto: int | None = None) -> dict:
    """Form data for the survey: good or weak answers (the first ``upto`` questions only)."""
    data = {}
    questions = list(quiz.questions.order_by("order", "pk"))[:upto]
    written_n = 0
    for question in questions:
        name = f"q{question.pk}"
        if isinstance(question, WrittenQuestion):
            data[name] = (GOOD_ANSWERS if good else WEAK_ANSWERS)[written_n]
            written_n += 1
        elif isinstance(question, NumericQuestion):
            data[name] = "564540" if good else "553110"
        elif isinstance(question, MultipleChoiceQuestion):
            choices = list(question.choices.all())
            picked = [c for c in choices if c.correct] if good else choices[:1]
            data[name] = [str(c.pk) for c in picked]
        elif isinstance(question, TrueFalseQuestion):
            right = question.correct_answer if good else not question.correct_answer
            data[name] = "true" if right else "false"
    return data


def _take(enrollment, quiz, data, at: datetime, *, submit=True):
    trainee = enrollment.trainee
    attempt = services.attempt_start(enrollment=enrollment, quiz=quiz, user=trainee, now=at)
    form = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            form.setlist(key, value)
        else:
            form[key] = value
    services.attempt_save_answers(
        attempt=attempt, user=trainee, data=form, now=at + timedelta(minutes=35)
    )
    if submit:
        services.attempt_submit(attempt=attempt, user=trainee, now=at + timedelta(minutes=50))
    attempt.refresh_from_db()
    return attempt


def _grade(attempt, grader, at: datetime, *, share: Decimal, feedback: str):
    """Score every manual response at ``share`` of its maximum (per rubric criterion)."""
    services.attempt_lease_acquire(attempt=attempt, user=grader, now=at)
    grades = {}
    for item in selectors.attempt_sheet(attempt):
        if not item.is_manual:
            continue
        if item.criteria:
            grades[item.response.pk] = services.ResponseGrade(
                criteria={
                    c.pk: (c.max_points * share).quantize(Decimal("1")) for c in item.criteria
                },
                feedback=feedback,
            )
        else:
            grades[item.response.pk] = services.ResponseGrade(
                points=(item.question.points * share).quantize(Decimal("1")), feedback=feedback
            )
    services.attempt_grade(
        attempt=attempt, grader=grader, grades=grades, finish=True, now=at + timedelta(minutes=20)
    )


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _point_in(start: datetime, end: datetime, fraction: float, hour: int) -> datetime:
    day = timezone.localdate(start + (end - start) * fraction)
    return _at(day, hour)


def seed_attempts(ctx, program, stage, survey, certification) -> None:
    enrollments = list(
        Enrollment.objects.filter(program=program)
        .select_related("trainee")
        .order_by("hire_date", "pk")
    )
    progress = {
        p.enrollment_id: p
        for p in StageProgress.objects.filter(stage=stage, enrollment__in=enrollments)
    }
    if Attempt.objects.filter(enrollment__in=enrollments).exists():
        return
    now = timezone.now()
    completed = [
        e
        for e in enrollments
        if e.status != Enrollment.Status.DROPPED
        and progress.get(e.pk)
        and progress[e.pk].status == "completed"
    ]
    current = [
        e
        for e in enrollments
        if e.status == Enrollment.Status.ACTIVE
        and progress.get(e.pk)
        and progress[e.pk].status in ("available", "in_progress")
    ]
    for n, enrollment in enumerate(completed):
        prog = progress[enrollment.pk]
        start, end = prog.available_at or now, prog.completed_at or now
        grader = _grader(ctx, enrollment)
        if n == 1:
            # First survey attempt failed, the second passed.
            first = _take(
                enrollment, survey, _answers(survey, good=False), _point_in(start, end, 0.2, 10)
            )
            _grade(
                first,
                grader,
                _point_in(start, end, 0.3, 16),
                share=Decimal("0.4"),
                feedback="Too short: give the figures and name the options.",
            )
        attempt = _take(
            enrollment, survey, _answers(survey, good=True), _point_in(start, end, 0.45, 10)
        )
        _grade(
            attempt,
            grader,
            _point_in(start, end, 0.6, 16),
            share=Decimal("0.8"),
            feedback="Good; add delivery terms by region next time.",
        )
        if n == 2:
            # The certification failed once; the second and last attempt passed.
            first = _take(enrollment, certification, {}, _point_in(start, end, 0.65, 11))
            _grade(
                first,
                grader,
                _point_in(start, end, 0.66, 12),
                share=Decimal("0.5"),
                feedback="Closing came too late; practise asking for the order.",
            )
        cert = _take(enrollment, certification, {}, _point_in(start, end, 0.85, 11))
        _grade(
            cert,
            grader,
            _point_in(start, end, 0.86, 12),
            share=Decimal("0.75"),
            feedback="Confident; the application was complete.",
        )
    today = timezone.localdate()
    for n, enrollment in enumerate(current[:3]):
        opened = progress[enrollment.pk].available_at or now
        earliest = timezone.localdate(opened) + timedelta(days=1)
        if n == 0:
            # The survey waits past its due date, and the role-play certification (graded
            # within a week, overdue after two) is overdue: escalated to HR and directors.
            day = max(earliest, today - timedelta(days=30))
            _take(enrollment, survey, _answers(survey, good=True), _at(day, 11))
            cert_day = max(
                earliest + timedelta(days=3),
                today - timedelta(days=certification.grading_overdue_days + 2),
            )
            _take(enrollment, certification, {}, _at(min(cert_day, today), 15))
        elif n == 1:
            # Due in two days.
            day = max(earliest, today - timedelta(days=survey.grading_due_days - 2))
            _take(enrollment, survey, _answers(survey, good=True), _at(day, 11))
        else:
            day = min(max(earliest, today - timedelta(days=1)), today)
            _take(
                enrollment, survey, _answers(survey, good=True, upto=3), _at(day, 9), submit=False
            )


def seed(ctx) -> None:
    program = ProgramPage.objects.filter(slug=PROGRAM_SLUG).first()
    if program is None:
        return
    stage = StagePage.objects.child_of(program).filter(slug=STAGE_SLUG).first()
    if stage is None or not Enrollment.objects.filter(program=program).exists():
        return
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    new_quizzes = 2 - Quiz.objects.filter(slug__in=[SURVEY_SLUG, CERTIFICATION_SLUG]).count()
    survey = seed_survey()
    certification = seed_certification()
    if new_quizzes:
        ctx.count("quizzes", new_quizzes)
    if place_in_stage(stage, [survey, certification]):
        ctx.count("pages")
        stage.refresh_from_db()
    existing = Attempt.objects.count()
    seed_attempts(ctx, program, stage, survey, certification)
    if Attempt.objects.count() > existing:
        ctx.count("attempts", Attempt.objects.count() - existing)
    # Keep only what is still actionable: graders' notices of attempts awaiting grading.
    awaiting = [
        f"/grading/{pk}/" for pk in Attempt.objects.awaiting_grading().values_list("pk", flat=True)
    ]
    Notification.objects.filter(pk__gt=before).exclude(url__in=awaiting).delete()
