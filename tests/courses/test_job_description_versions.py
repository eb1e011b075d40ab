"""Job description versions: a substantive edit starts a new version everyone signs again
(and is told of), a minor one does not; HR sees who signed which version and who still has
to; the trainee sees what changed since the version they signed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses import selectors, services
from courses.models import JobDescriptionPage, JobDescriptionVersion
from people.models import Notification
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, make_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr():
    return make_user(Role.HR)


@pytest.fixture
def program():
    return make_program(stages=1)


def job_of(program):
    return JobDescriptionPage.objects.child_of(program).get()


def publish_edit(job, hr, *, kind, summary="", responsibilities=None):
    job = JobDescriptionPage.objects.get(pk=job.pk)
    job.responsibilities = responsibilities or f"<p>{job.responsibilities} More.</p>"
    job.edit_kind = kind
    job.change_summary = summary
    job.save_revision(user=hr).publish(user=hr)
    return JobDescriptionPage.objects.get(pk=job.pk)


def test_first_publication_is_version_1(program):
    job = job_of(program)
    [version] = job.versions.all()
    assert (version.number, version.revision_id) == (1, job.live_revision_id)


def test_a_minor_edit_keeps_signatures_a_substantive_one_asks_again_and_tells(
    program, hr, django_capture_on_commit_callbacks
):
    signer = enroll(program, by=hr)
    never_signed = enroll(program, by=hr)
    job = job_of(program)
    services.job_description_sign(enrollment=signer, user=signer.trainee)
    job = publish_edit(job, hr, kind=JobDescriptionPage.EditKind.MINOR)
    assert job.versions.count() == 1
    assert selectors.has_signed_current(signer, job)  # a typo fix asks nobody to sign again
    assert selectors.overview(signer).signed_current

    with django_capture_on_commit_callbacks(execute=True):
        job = publish_edit(
            job,
            hr,
            kind=JobDescriptionPage.EditKind.SUBSTANTIVE,
            summary="Meetings are logged in the CRM the same day.",
            responsibilities="<p>Sell and log every meeting the same day.</p>",
        )
    version = job.versions.get(number=2)
    assert version.published_by == hr
    assert not selectors.has_signed_current(signer, job)
    overview = selectors.overview(signer)
    assert not overview.signed_current
    assert overview.needs_resign
    notice = Notification.objects.get(recipient=signer.trainee)
    assert "version 2" in notice.title
    assert notice.body == "Meetings are logged in the CRM the same day."
    # Nobody else is told: the one who never signed signs as before.
    assert not Notification.objects.filter(recipient=never_signed.trainee).exists()
    services.job_description_sign(enrollment=signer, user=signer.trainee)
    assert selectors.has_signed_current(signer, job)


def test_hr_sees_who_signed_which_version(client, program, hr):
    first, second, third = (enroll(program, by=hr) for _ in range(3))
    for enrollment in (first, second):
        services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)
    job = publish_edit(job_of(program), hr, kind=JobDescriptionPage.EditKind.SUBSTANTIVE)
    services.job_description_sign(enrollment=second, user=second.trainee)
    report = selectors.signature_report(program)
    states = {
        row.enrollment.pk: (row.version_signed and row.version_signed.number, row.signed_current)
        for row in report.rows
    }
    assert states == {first.pk: (1, False), second.pk: (2, True), third.pk: (None, False)}
    assert report.to_sign == 2
    client.force_login(hr)
    page = client.get(reverse("courses:job_description_signatures")).content.decode()
    assert page.count('data-testid="signature-row"') == 3
    assert "Must sign again" in page
    assert "Not signed yet" in page
    assert "Signed the current version" in page
    assert job.title in page


def test_the_report_takes_the_same_queries_for_one_trainee_or_five(
    client, hr, django_assert_num_queries
):
    for n in (1, 5):
        program = make_program(stages=1, title=f"Program {n}")
        for _ in range(n):
            e = enroll(program, by=hr)
            services.job_description_sign(enrollment=e, user=e.trainee)
        # The job description, its versions, the enrollments, their signatures.
        with django_assert_num_queries(4):
            report = selectors.signature_report(program)
        assert len(report.rows) == n


def test_the_trainee_sees_what_changed_since_signing(client, program, hr):
    enrollment = enroll(program, by=hr)
    services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)
    job = publish_edit(
        job_of(program),
        hr,
        kind=JobDescriptionPage.EditKind.SUBSTANTIVE,
        summary="Meetings are logged the same day.",
        responsibilities="<p>Sell and log every meeting.</p>",
    )
    client.force_login(enrollment.trainee)
    page = client.get(job.url).content.decode()
    assert "What changed since the version signed" in page
    assert "Meetings are logged the same day." in page
    assert "<del" in page
    assert "<ins" in page
    assert "log every meeting." in page
    assert "Sign again" in page
    client.cookies["django_language"] = "ru"
    page = client.get(job.url).content.decode()
    assert "Что изменилось" in page


def test_others_may_not_open_the_report(client, program):
    for role in (Role.TRAINEE, Role.MENTOR, Role.SYSTEM_ADMINISTRATOR):
        client.force_login(make_user(role))
        assert client.get(reverse("courses:job_description_signatures")).status_code == 403


def test_versions_are_recorded_for_scripts_too(program, hr):
    job = job_of(program)
    job.save_revision().publish()  # no user: a script; the same edit kind (substantive)
    assert list(
        JobDescriptionVersion.objects.filter(page=job).values_list("number", flat=True)
    ) == [
        1,
        2,
    ]
