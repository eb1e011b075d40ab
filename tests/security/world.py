"""One small company with two trainees (A and B), their mentors, every staff role and an
integration account, plus one of each object a URL can point at: the fixture of the
permission matrix, the IDOR probes and the escaping tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from wagtail.documents import get_document_model

from courses import services as course_services
from courses.blocks import Responsible
from courses.models import JobDescriptionPage, ProgramPage, StagePage
from mentors import services as mentor_services
from mentors.models import Activity, BonusRule, BonusTier, CallRecording, ImportJob, Mentorship
from people.roles import Role
from quizzes import services as quiz_services
from quizzes.models import Quiz, Recording, WrittenQuestion
from tests.conftest import make_user
from tests.courses.factories import checklist, home_page, publish

# What only trainee A, A's mentor and the staff may ever see.
A_NAME = "Zephyrova"
A_SECRET = "A-secret-answer"

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@dataclass
class World:
    program: ProgramPage
    stage1: StagePage
    stage2: StagePage
    job: JobDescriptionPage
    item_id: str
    quiz: Quiz
    question: WrittenQuestion
    document: object
    users: dict
    token: str
    enrollment_a: object
    enrollment_b: object
    mentorship_a: object
    mentorship_b: object
    attempt_a: object
    attempt_b: object
    response_a: object
    response_b: object
    activity_a: object
    activity_b: object
    statement_a: object
    statement_b: object
    import_job: object = None  # a background import HR started, still running
    # A's recorded answer and the recording of A's call (docs/coaching.md).
    recording_a: object = None
    call_recording_a: object = None

    def user(self, persona: str):
        return self.users[persona]


def build_world(
    *, secret_a: str = A_SECRET, secret_b: str = "B-secret-answer", first_name_a: str = "Alisa"
) -> World:
    today = timezone.localdate()
    hire = today - timedelta(days=20)
    hr = make_user(Role.HR, username="hr", first_name="Helga", last_name="Resources")
    users = {
        "trainee_a": make_user(
            Role.TRAINEE, username="trainee_a", first_name=first_name_a, last_name=A_NAME
        ),
        "trainee_b": make_user(Role.TRAINEE, username="trainee_b", first_name="Boris"),
        "mentor_a": make_user(Role.MENTOR, username="mentor_a", first_name="Maria"),
        "mentor_b": make_user(Role.MENTOR, username="mentor_b", first_name="Mikhail"),
        "hr": hr,
        "head_of_sales": make_user(Role.HEAD_OF_SALES, username="head_of_sales"),
        "director": make_user(Role.DIRECTOR, username="director"),
        "integration": make_user(None, username="crm_bot", first_name="", last_name=""),
    }
    users["integration"].user_permissions.add(
        Permission.objects.get(content_type__app_label="mentors", codename="add_activity")
    )
    token = Token.objects.create(user=users["integration"]).key

    quiz = Quiz.objects.create(title="Product survey", slug="product-survey", pass_mark=70)
    question = WrittenQuestion.objects.create(
        quiz=quiz, order=1, text="Describe our products", points=Decimal(5), grader_notes="Ref"
    )
    item = checklist([("Read the policies", Responsible.TRAINEE, True)])
    item_id = item["value"]["items"][0]["id"]
    program = publish(home_page(), ProgramPage(title="Sales onboarding", slug="sales"))
    stage1 = publish(
        program,
        StagePage(
            title="Introduction",
            slug="introduction",
            summary="First days.",
            body=[
                item,
                {
                    "type": "quiz",
                    "id": str(uuid.uuid4()),
                    "value": {"quiz": quiz.pk, "required": True},
                },
            ],
        ),
    )
    stage2 = publish(program, StagePage(title="Products", slug="products", body=[]))
    job = publish(
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
    document = get_document_model().objects.create(
        title="Price list", file=ContentFile(b"prices", name="prices.txt")
    )
    enrollments = {}
    for who in ("a", "b"):
        enrollments[who] = course_services.enrollment_create(
            trainee=users[f"trainee_{who}"], program=program, hire_date=hire, enrolled_by=hr
        )
    rule = BonusRule.objects.create(name="Standard", period_days=30, currency="RUB")
    BonusTier.objects.create(rule=rule, sort_order=0, name="Base", amount=Decimal("5000.00"))
    mentorships = {
        who: Mentorship.objects.create(
            enrollment=enrollments[who],
            mentor=users[f"mentor_{who}"],
            bonus_rule=rule,
            started_on=hire,
            assigned_by=hr,
        )
        for who in ("a", "b")
    }
    attempts, responses, activities, statements = {}, {}, {}, {}
    for who, secret in (("a", secret_a), ("b", secret_b)):
        trainee = users[f"trainee_{who}"]
        attempt = quiz_services.attempt_start(enrollment=enrollments[who], quiz=quiz, user=trainee)
        quiz_services.attempt_save_answers(
            attempt=attempt, user=trainee, data={f"q{question.pk}": [secret]}
        )
        attempts[who] = quiz_services.attempt_submit(attempt=attempt, user=trainee)
        responses[who] = attempts[who].responses.get()
        activities[who] = mentor_services.activity_record(
            enrollment=enrollments[who],
            kind=Activity.Kind.CALL,
            occurred_at=timezone.now() - timedelta(days=1),
            recorded_by=trainee,
            note=f"note of {who}: {secret}",
        )
        statements[who] = mentor_services.statement_compute(mentorship_id=mentorships[who].pk)
    recording_a = Recording(
        attempt=attempts["a"],
        response=responses["a"],
        kind=Recording.Kind.ANSWER,
        recorded_by=users["trainee_a"],
        content_type="audio/ogg",
        size=8,
        duration_seconds=3,
    )
    recording_a.file.save("a.ogg", ContentFile(b"OggSdata", name="a.ogg"), save=True)
    call_recording_a = CallRecording(
        activity=activities["a"],
        uploaded_by=users["trainee_a"],
        content_type="audio/ogg",
        size=8,
        duration_seconds=3,
    )
    call_recording_a.file.save("c.ogg", ContentFile(b"OggSdata", name="c.ogg"), save=True)
    return World(
        recording_a=recording_a,
        call_recording_a=call_recording_a,
        program=program,
        stage1=stage1,
        stage2=stage2,
        job=job,
        item_id=item_id,
        quiz=quiz,
        question=question,
        document=document,
        users=users,
        token=token,
        enrollment_a=enrollments["a"],
        enrollment_b=enrollments["b"],
        mentorship_a=mentorships["a"],
        mentorship_b=mentorships["b"],
        attempt_a=attempts["a"],
        attempt_b=attempts["b"],
        response_a=responses["a"],
        response_b=responses["b"],
        activity_a=activities["a"],
        activity_b=activities["b"],
        statement_a=statements["a"],
        statement_b=statements["b"],
        import_job=ImportJob.objects.create(
            kind=ImportJob.Kind.UPLOAD,
            fmt="csv",
            started_by=hr,
            status=ImportJob.Status.RUNNING,
            rows_total=10,
        ),
    )
