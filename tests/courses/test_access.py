"""Who sees which page, through the client: invisible things answer 404."""

from datetime import date

import pytest
from django.urls import reverse

from courses.models import Enrollment
from mentors.models import Mentorship
from people.models import Profile
from people.roles import Role
from tests.conftest import make_user
from tests.courses.factories import enroll, finish_stage, make_program, stages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return make_program(stages=2, items=2, others=1)


@pytest.fixture
def enrollment(program, hr):
    return enroll(program, by=hr)


def item_ids(stage, responsible):
    return [i for i, item in stage.checklist_items() if item["responsible"] == responsible]


def test_anonymous_visitors_are_sent_to_login(client, program, enrollment):
    stage1 = stages_of(program)[0]
    for url in (stage1.url, program.url, program.job_description().url):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_trainee_sees_an_available_stage_and_only_the_title_of_a_locked_one(
    client, program, enrollment
):
    stage1, stage2 = stages_of(program)
    client.force_login(enrollment.trainee)
    response = client.get(stage1.url)
    assert response.status_code == 200
    assert b"About stage 1" in response.content
    assert b"Stage 1 task 1" in response.content
    response = client.get(stage2.url)
    assert response.status_code == 200
    assert b"Stage 2" in response.content
    assert b"not open yet" in response.content
    assert b"About stage 2" not in response.content
    assert b"Stage 2 task 1" not in response.content


def test_people_without_a_reason_to_see_the_program_get_404(client, program, enrollment, mentor):
    stage1 = stages_of(program)[0]
    urls = [stage1.url, program.url, program.job_description().url]
    for user in (make_user(Role.TRAINEE), mentor, make_user()):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_a_trainee_cannot_see_another_trainees_progress(client, program, enrollment, hr):
    other = enroll(program, by=hr)
    stage1 = stages_of(program)[0]
    client.force_login(other.trainee)
    assert client.get(stage1.url, {"enrollment": enrollment.pk}).status_code == 404
    assert client.get(program.url, {"enrollment": enrollment.pk}).status_code == 404
    detail = reverse("courses:enrollment_detail", args=[enrollment.pk])
    assert client.get(detail).status_code == 404
    tick = reverse(
        "courses:checklist_tick",
        args=[enrollment.pk, stage1.pk, item_ids(stage1, "trainee")[0]],
    )
    assert client.post(tick, {"done": "1"}).status_code == 404
    sign = reverse("courses:job_description_sign", args=[enrollment.pk])
    assert client.post(sign).status_code == 404
    assert not enrollment.checklist_ticks.exists()
    assert not enrollment.signatures.exists()


def test_staff_and_the_active_mentor_see_every_stage_with_content(
    client, program, enrollment, hr, head_of_sales, director, mentor
):
    _stage1, stage2 = stages_of(program)
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 3))
    for user in (hr, head_of_sales, director, mentor):
        client.force_login(user)
        response = client.get(stage2.url, {"enrollment": enrollment.pk})
        assert response.status_code == 200, user
        assert b"About stage 2" in response.content
        assert b"progress" in response.content
        assert client.get(program.url).status_code == 200


def test_trainee_ticks_own_items_through_the_page(client, program, enrollment):
    stage1 = stages_of(program)[0]
    client.force_login(enrollment.trainee)
    page = client.get(stage1.url).content.decode()
    own = item_ids(stage1, "trainee")[0]
    admin = item_ids(stage1, "sysadmin")[0]
    own_url = reverse("courses:checklist_tick", args=[enrollment.pk, stage1.pk, own])
    admin_url = reverse("courses:checklist_tick", args=[enrollment.pk, stage1.pk, admin])
    assert own_url in page
    assert admin_url not in page
    response = client.post(own_url, {"done": "1", "next": stage1.url})
    assert response.status_code == 302
    assert response["Location"] == stage1.url
    assert enrollment.checklist_ticks.filter(item_id=own).exists()
    assert client.post(admin_url, {"done": "1"}).status_code == 403
    page = client.get(stage1.url).content.decode()
    assert "done by" in page


def test_hr_ticks_items_of_other_people(client, program, enrollment, hr):
    stage1 = stages_of(program)[0]
    admin = item_ids(stage1, "sysadmin")[0]
    client.force_login(hr)
    page = client.get(stage1.url, {"enrollment": enrollment.pk}).content.decode()
    url = reverse("courses:checklist_tick", args=[enrollment.pk, stage1.pk, admin])
    assert url in page
    client.post(url, {"done": "1"})
    assert enrollment.checklist_ticks.get(item_id=admin).ticked_by == hr


def test_an_outside_next_address_is_ignored(client, program, enrollment):
    stage1 = stages_of(program)[0]
    client.force_login(enrollment.trainee)
    url = reverse(
        "courses:checklist_tick", args=[enrollment.pk, stage1.pk, item_ids(stage1, "trainee")[0]]
    )
    response = client.post(url, {"done": "1", "next": "https://evil.example/"})
    assert response["Location"] == stage1.url


def test_job_description_sign_and_sign_again(client, program, enrollment):
    job = program.job_description()
    client.force_login(enrollment.trainee)
    page = client.get(job.url).content.decode()
    assert "Sign the job description" in page
    client.post(reverse("courses:job_description_sign", args=[enrollment.pk]))
    page = client.get(job.url).content.decode()
    assert "You signed this job description on" in page
    job.rights = "<p>New rights.</p>"
    job.save_revision().publish()
    page = client.get(job.url).content.decode()
    assert "updated since you signed" in page
    assert "Sign again" in page
    home = client.get(reverse("courses:my_onboarding")).content.decode()
    assert "The job description was updated since you signed it." in home


def test_my_onboarding_shows_progress_next_action_and_mentor(client, program, enrollment, hr):
    mentor = make_user(Role.MENTOR, first_name="Sergey", last_name="Kuznetsov")
    Profile.objects.create(user=mentor, phone="+7 495 123-45-67")
    Mentorship.objects.create(enrollment=enrollment, mentor=mentor, started_on=date(2026, 11, 3))
    finish_stage(enrollment, stages_of(program)[0], hr=hr)
    client.force_login(enrollment.trainee)
    response = client.get(reverse("courses:my_onboarding"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sergey Kuznetsov" in page
    assert "+7 495 123-45-67" in page
    assert "Finish: Stage 2 task 1" in page
    assert 'aria-valuenow="50"' in page  # stage 1 of 2 done
    assert "Completed" in page
    assert "Available" in page


def test_my_onboarding_without_enrollment(client, trainee, hr):
    client.force_login(trainee)
    assert b"not enrolled" in client.get(reverse("courses:my_onboarding")).content
    client.force_login(hr)
    assert client.get(reverse("courses:my_onboarding")).status_code == 403


def test_enrollments_list_is_for_hr_head_of_sales_and_directors(
    client, program, enrollment, trainee, mentor, hr, head_of_sales, director
):
    url = reverse("courses:enrollments")
    for user in (trainee, mentor):
        client.force_login(user)
        assert client.get(url).status_code == 403
    for user in (hr, head_of_sales, director):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert enrollment.trainee.get_full_name().encode() in response.content
    client.force_login(head_of_sales)
    detail = client.get(reverse("courses:enrollment_detail", args=[enrollment.pk]))
    assert b"Drop the enrollment" not in detail.content
    drop = reverse("courses:enrollment_drop", args=[enrollment.pk])
    assert client.post(drop, {"reason": "No"}).status_code == 403


def test_enrollments_filters(client, program, hr):
    early = enroll(program, hire_date=date(2026, 9, 1), by=hr)
    late = enroll(program, hire_date=date(2026, 11, 2), by=hr)
    finish_stage(early, stages_of(program)[0], hr=hr)
    mentor = make_user(Role.MENTOR)
    Mentorship.objects.create(enrollment=late, mentor=mentor, started_on=date(2026, 11, 3))
    client.force_login(hr)
    url = reverse("courses:enrollments")

    def names(**params):
        rows = client.get(url, params).context["rows"]
        return {row.enrollment.pk for row in rows}

    assert names() == {early.pk, late.pk}
    assert names(hire_month="2026-09") == {early.pk}
    assert names(stage=stages_of(program)[1].pk) == {early.pk}
    assert names(mentor=mentor.pk) == {late.pk}
    assert names(program=program.pk, status="active") == {early.pk, late.pk}
    assert names(status="dropped") == set()


def test_hr_drops_and_reactivates_with_a_reason(client, enrollment, hr):
    client.force_login(hr)
    drop = reverse("courses:enrollment_drop", args=[enrollment.pk])
    client.post(drop, {"reason": ""})
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE
    client.post(drop, {"reason": "Did not come back after sick leave"})
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.DROPPED
    page = client.get(reverse("courses:enrollment_detail", args=[enrollment.pk])).content
    assert b"Did not come back after sick leave" in page
    client.post(reverse("courses:enrollment_reactivate", args=[enrollment.pk]), {"reason": "Back"})
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_readiness_sign_off_form_on_the_last_stage(client, program, enrollment, hr, director):
    stage1, stage2 = stages_of(program)
    finish_stage(enrollment, stage1, hr=hr)
    finish_stage(enrollment, stage2, hr=hr)
    client.force_login(enrollment.trainee)
    assert b"Sign off as ready" not in client.get(stage2.url).content
    client.force_login(director)
    page = client.get(stage2.url, {"enrollment": enrollment.pk}).content
    assert b"Sign off as ready" in page
    client.post(reverse("courses:readiness_sign_off", args=[enrollment.pk]), {"note": "Plan met."})
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.INDEPENDENT
