"""Nobody signs off or ticks for others on their own enrollment; staff accounts are not
enrolled as trainees by the CSV import without an explicit choice; signatures keep what was
signed (docs/security.md, "Separation of duties" and "History is kept")."""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from wagtail.models import Revision

from courses import csv_import, permissions, selectors, services
from courses.blocks import Responsible
from courses.models import Enrollment, JobDescriptionPage, JobDescriptionSignature, StageProgress
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, finish_stage, make_program, stages_of

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = ("email", "first_name", "last_name", "program", "hire_date")


def csv_bytes(*lines):
    return ("\n".join(",".join(line) for line in lines) + "\n").encode()


@pytest.fixture
def program():
    return make_program(stages=3, items=2, others=1, title="Account manager onboarding")


# --- Signing off and ticking oneself ------------------------------------------------------


def test_a_director_enrolled_as_a_trainee_cannot_sign_themselves_off(program, hr, client):
    director = make_user(Role.DIRECTOR)
    enrollment = enroll(program, director, by=hr)
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    overview = selectors.overview(enrollment)
    assert permissions.may_sign_off(director, enrollment, overview=overview) is False
    with pytest.raises(PermissionDenied):
        services.readiness_sign_off(enrollment=enrollment, user=director)
    client.force_login(director)
    response = client.post(reverse("courses:readiness_sign_off", args=[enrollment.pk]))
    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    # Another director signs them off.
    other = make_user(Role.DIRECTOR)
    services.readiness_sign_off(enrollment=enrollment, user=other)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.INDEPENDENT


def test_hr_enrolled_as_a_trainee_ticks_only_the_trainees_items(program, hr):
    hr_trainee = make_user(Role.HR)
    enrollment = enroll(program, hr_trainee, by=hr)
    stage = stages_of(program)[0]
    services.job_description_sign(enrollment=enrollment, user=hr_trainee)
    progress = StageProgress.objects.get(enrollment=enrollment, stage=stage)
    items = dict(stage.checklist_items())
    others = [i for i, item in items.items() if item["responsible"] != Responsible.TRAINEE]
    own = [i for i, item in items.items() if item["responsible"] == Responsible.TRAINEE]
    who = permissions.ticker(hr_trainee, enrollment)
    assert permissions.may_tick(who, enrollment, items[others[0]], progress) is False
    assert permissions.may_tick(who, enrollment, items[own[0]], progress) is True
    with pytest.raises(PermissionDenied):
        services.checklist_tick(
            enrollment=enrollment, stage=stage, item_id=others[0], user=hr_trainee
        )
    services.checklist_tick(enrollment=enrollment, stage=stage, item_id=own[0], user=hr_trainee)
    services.checklist_tick(enrollment=enrollment, stage=stage, item_id=others[0], user=hr)


# --- The enrollment CSV and staff accounts ------------------------------------------------


def test_staff_accounts_are_row_errors_unless_chosen(program, hr):
    director = make_user(Role.DIRECTOR, email="boss@example.com")
    mentor = make_user(Role.MENTOR, email="mentor@example.com")
    trainee = make_user(Role.TRAINEE, email="known@example.com")
    data = csv_bytes(
        HEADER,
        ("boss@example.com", "", "", program.slug, "2026-12-01"),
        ("mentor@example.com", "", "", program.slug, "2026-12-01"),
        ("known@example.com", "", "", program.slug, "2026-12-01"),
        ("new@example.com", "New", "Hire", program.slug, "2026-12-01"),
    )
    with pytest.raises(csv_import.ImportFailed) as failed:
        services.enrollments_import(data=data, enrolled_by=hr)
    errors = [(e.row, e.column, e.message) for e in failed.value.errors]
    assert [(row, column) for row, column, _m in errors] == [(2, "email"), (3, "email")]
    assert "staff account (Director)" in errors[0][2]
    assert "Enroll staff accounts too" in errors[0][2]
    assert "staff account (Mentor)" in errors[1][2]
    assert not Enrollment.objects.exists()
    assert not User.objects.filter(email="new@example.com").exists()

    result = services.enrollments_import(data=data, enrolled_by=hr, include_staff=True)
    assert {e.trainee for e in result.enrollments} >= {director, mentor, trainee}
    assert len(result.enrollments) == 4


def test_an_administrator_account_is_staff_too(program, hr):
    make_user(None, email="admin@example.com", is_staff=True)
    with pytest.raises(csv_import.ImportFailed) as failed:
        services.enrollments_import(
            data=csv_bytes(HEADER, ("admin@example.com", "", "", program.slug, "2026-12-01")),
            enrolled_by=hr,
        )
    assert "administrator" in failed.value.errors[0].message


def test_the_upload_page_needs_the_explicit_choice(client, program, hr):
    make_user(Role.HEAD_OF_SALES, email="head@example.com")
    url = reverse("courses:enrollments_import")
    client.force_login(hr)
    page = client.get(url).content.decode()
    assert "Enroll staff accounts too" in page

    def upload():
        return SimpleUploadedFile(
            "people.csv",
            csv_bytes(HEADER, ("head@example.com", "", "", program.slug, "2026-12-01")),
        )

    page = client.post(url, {"file": upload()}).content.decode()
    assert "Nothing was saved" in page
    assert "staff account (Head of sales)" in page
    assert not Enrollment.objects.exists()
    page = client.post(url, {"file": upload(), "include_staff": "on"}).content.decode()
    assert "1 person enrolled" in page
    assert Enrollment.objects.filter(trainee__email="head@example.com").exists()


# --- Signatures keep what was signed ------------------------------------------------------


def test_a_signature_keeps_its_revision_and_text_hash_through_purge_revisions(program, hr):
    enrollment = enroll(program, by=hr)
    job = JobDescriptionPage.objects.child_of(program).get()
    signed_revision = job.live_revision
    signature = services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)
    expected = hashlib.sha256(signed_revision.as_object().signed_text().encode()).hexdigest()
    assert signature.text_sha256 == expected
    assert "<p>Sell.</p>" in signed_revision.as_object().signed_text()

    # A new text is published, and an unsigned draft revision made in between.
    job.responsibilities = "<p>Sell more.</p>"
    job.save_revision()
    job.responsibilities = "<p>Sell much more.</p>"
    job.save_revision().publish()
    unsigned = Revision.page_revisions.filter(object_id=str(job.pk)).count()
    assert unsigned == 3

    call_command("purge_revisions", verbosity=0)
    assert Revision.objects.filter(pk=signed_revision.pk).exists()  # kept: it was signed
    assert Revision.page_revisions.filter(object_id=str(job.pk)).count() == 2  # draft purged
    signature.refresh_from_db()
    assert signature.revision_id == signed_revision.pk
    text = signature.revision.as_object().signed_text()
    assert hashlib.sha256(text.encode()).hexdigest() == signature.text_sha256
    assert "Sell much more" not in text
    with pytest.raises(ProtectedError):
        signed_revision.delete()


def test_signatures_and_sign_offs_are_not_deleted_with_the_enrollment(program, hr, director):
    enrollment = enroll(program, by=hr)
    services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)
    with pytest.raises(ProtectedError):
        enrollment.delete()
    assert JobDescriptionSignature.objects.filter(enrollment=enrollment).exists()
