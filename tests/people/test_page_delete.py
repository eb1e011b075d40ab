"""A superuser deleting a page that kept records refer to (a signed job description, a program
with enrollments) gets a message saying why and what to do instead, in English and in
Russian, not a ProtectedError error page; a page nothing refers to is deleted as before."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Page

from courses import services as course_services
from courses.models import JobDescriptionPage, JobDescriptionSignature
from people.page_delete import protected_records
from tests.courses.factories import enroll, make_program

pytestmark = pytest.mark.django_db

MESSAGE = (
    "“%(title)s” cannot be deleted: records that must be kept refer to it "
    "(%(records)s). Unpublish the page instead: it leaves the site, and its history "
    "and the records stay."
)


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-2026-x")


@pytest.fixture
def signed(hr):
    program = make_program(stages=1)
    enrollment = enroll(program, by=hr)
    job = JobDescriptionPage.objects.child_of(program).get()
    course_services.job_description_sign(enrollment=enrollment, user=enrollment.trainee)
    return program, job


def test_a_signed_job_description_is_not_deleted_and_the_admin_says_why(client, admin, signed):
    _program, job = signed
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:delete", args=[job.pk])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "cannot be deleted" in text
    assert "Unpublish the page instead" in text
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Page.objects.filter(pk=job.pk).exists()
    assert JobDescriptionSignature.objects.filter(page_id=job.pk).exists()


def test_deleting_the_program_above_is_refused_too(client, admin, signed):
    program, job = signed
    assert protected_records(program)  # its enrollments and its job description's signatures
    client.force_login(admin)
    client.post(reverse("wagtailadmin_pages:delete", args=[program.pk]))
    assert Page.objects.filter(pk__in=[program.pk, job.pk]).count() == 2


def test_the_message_in_russian(client, admin, signed):
    _program, job = signed
    client.force_login(admin)
    with translation.override("ru"):
        response = client.get(
            reverse("wagtailadmin_pages:delete", args=[job.pk]),
            follow=True,
            HTTP_ACCEPT_LANGUAGE="ru",
        )
        # The catalogue's Russian (ru-polish.json until the lead merges it into locale/).
        expected = gettext(MESSAGE).split("(%(records)s)")[0] % {"title": job.title}
    text = response.content.decode()
    assert 'lang="ru"' in text
    assert expected in text


def test_a_page_nothing_refers_to_is_deleted(client, admin):
    program = make_program(stages=1, job_description=False)
    stage = program.get_children().get()
    assert not protected_records(stage.specific)
    client.force_login(admin)
    client.post(reverse("wagtailadmin_pages:delete", args=[stage.pk]))
    assert not Page.objects.filter(pk=stage.pk).exists()


def test_the_bulk_delete_deletes_none_when_one_is_kept(client, admin, signed):
    program, job = signed
    stage = program.get_children().exclude(pk=job.pk).get()
    client.force_login(admin)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = client.post(f"{url}?id={job.pk}&id={stage.pk}", follow=True)
    assert response.status_code == 200
    assert "cannot be deleted" in response.content.decode()
    assert Page.objects.filter(pk__in=[job.pk, stage.pk]).count() == 2
