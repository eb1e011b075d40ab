"""A page offers an action exactly to those whose request its service then accepts.

For each action of the courses app (sign-off, checklist tick and undo, drop and reactivate,
signing the job description) and each person around an enrollment: the page is read, the
action is posted as that person, and the form was shown if and only if the action happened.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses import services
from courses.models import Enrollment
from tests.courses.factories import enroll, finish_stage, make_program, stages_of
from tests.personas import PERSONAS, persona

pytestmark = pytest.mark.django_db

SIGN_OFF_BUTTON = "Sign off as ready"


@pytest.fixture
def program():
    return make_program(stages=2, items=2, others=1)


@pytest.fixture
def enrollment(program, hr):
    return enroll(program, by=hr)


def _shown(client, url, marker, params=None) -> bool:
    """Whether the page at ``url`` holds ``marker``; a page one may not see shows nothing."""
    response = client.get(url, params or {})
    assert response.status_code in (200, 403, 404), (url, response.status_code)
    return response.status_code == 200 and marker in response.content.decode()


# --- The readiness sign-off ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["stage page", "enrollment page"])
@pytest.mark.parametrize("tasks_open", [False, True], ids=["ready", "open tasks"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_sign_off_form_shows_exactly_where_signing_off_succeeds(
    client, program, enrollment, hr, page, tasks_open, who
):
    stage1, stage2 = stages_of(program)
    finish_stage(enrollment, stage1, hr=hr)
    if not tasks_open:
        finish_stage(enrollment, stage2, hr=hr)
    client.force_login(persona(who, enrollment))
    if page == "stage page":
        shown = _shown(client, stage2.url, SIGN_OFF_BUTTON, {"enrollment": enrollment.pk})
    else:
        url = reverse("courses:enrollment_detail", args=[enrollment.pk])
        shown = _shown(client, url, SIGN_OFF_BUTTON)

    client.post(reverse("courses:readiness_sign_off", args=[enrollment.pk]), {"note": "Ready"})
    enrollment.refresh_from_db()
    signed_off = enrollment.status == Enrollment.Status.INDEPENDENT
    assert shown == signed_off
    assert signed_off == (who in ("mentor", "director") and not tasks_open)


def test_open_tasks_leave_the_director_no_form_and_the_post_says_why(
    client, program, enrollment, hr, director
):
    stage1, stage2 = stages_of(program)
    finish_stage(enrollment, stage1, hr=hr)
    client.force_login(director)
    assert not _shown(client, stage2.url, SIGN_OFF_BUTTON, {"enrollment": enrollment.pk})
    detail = reverse("courses:enrollment_detail", args=[enrollment.pk])
    assert not _shown(client, detail, SIGN_OFF_BUTTON)
    response = client.post(
        reverse("courses:readiness_sign_off", args=[enrollment.pk]), {"note": "Ready"}, follow=True
    )
    assert "still has open tasks in the last stage: Stage 2 task 1" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE


def test_a_signed_off_trainee_is_offered_no_second_sign_off(
    client, program, enrollment, hr, director
):
    for stage in stages_of(program):
        finish_stage(enrollment, stage, hr=hr)
    services.readiness_sign_off(enrollment=enrollment, user=director, note="Ready")
    client.force_login(director)
    detail = reverse("courses:enrollment_detail", args=[enrollment.pk])
    assert not _shown(client, detail, SIGN_OFF_BUTTON)
    response = client.post(
        reverse("courses:readiness_sign_off", args=[enrollment.pk]), {"note": "Again"}, follow=True
    )
    assert "already signed off" in response.content.decode()
    assert enrollment.readiness_sign_off.note == "Ready"


# --- Checklist ticks ----------------------------------------------------------------------


def _item(stage, responsible: str, *, required=True) -> str:
    return next(
        item_id
        for item_id, item in stage.checklist_items()
        if item["responsible"] == responsible and item["required"] == required
    )


# state: (the stage, whether the item is optional, whether it is ticked, the stage completed)
CHECKLIST_STATES = {
    "open": (0, False, False, False),
    "ticked": (0, False, True, False),
    "completed": (0, False, True, True),
    "optional item of a completed stage": (0, True, False, True),
    "locked": (1, False, False, False),
}


# The program's optional items are the trainee's.
ITEMS = [
    (state, responsible)
    for state, (_index, optional, _ticked, _completed) in CHECKLIST_STATES.items()
    for responsible in (["trainee"] if optional else ["trainee", "sysadmin"])
]


@pytest.mark.parametrize(("state", "responsible"), ITEMS)
@pytest.mark.parametrize("who", ["trainee", "mentor", "hr", "director", "sysadmin"])
def test_the_tick_and_undo_buttons_show_exactly_where_the_change_is_accepted(
    client, program, enrollment, hr, state, responsible, who
):
    index, optional, ticked, completed = CHECKLIST_STATES[state]
    stage = stages_of(program)[index]
    item_id = _item(stage, responsible, required=not optional)
    if completed:
        finish_stage(enrollment, stage, hr=hr)
    elif ticked:
        ticker = enrollment.trainee if responsible == "trainee" else hr
        services.checklist_tick(enrollment=enrollment, stage=stage, item_id=item_id, user=ticker)
    assert enrollment.checklist_ticks.filter(item_id=item_id).exists() == ticked

    client.force_login(persona(who, enrollment))
    url = reverse("courses:checklist_tick", args=[enrollment.pk, stage.pk, item_id])
    # The system administrator ticks from their own start page, not the trainee's pages.
    page = reverse("courses:my_tasks") if who == "sysadmin" else stage.url
    shown = _shown(client, page, f'action="{url}"', {"enrollment": enrollment.pk})
    client.post(url, {"done": "0" if ticked else "1"})
    changed = enrollment.checklist_ticks.filter(item_id=item_id).exists() != ticked
    assert shown == changed
    # The sysadmin's items: the system administrator, and HR on their behalf (the ticked
    # state's tick was HR's, so HR may undo it); the mentor never.
    may = who == "trainee" if responsible == "trainee" else who in ("sysadmin", "hr")
    assert changed == (may and state in ("open", "ticked"))


# --- Drop and reactivate ------------------------------------------------------------------


@pytest.mark.parametrize("dropped", [False, True], ids=["active", "dropped"])
@pytest.mark.parametrize("who", PERSONAS)
def test_drop_and_reactivate_show_exactly_for_whom_they_work(client, enrollment, hr, dropped, who):
    if dropped:
        services.enrollment_drop(enrollment=enrollment, user=hr, reason="Left")
    action = "enrollment_reactivate" if dropped else "enrollment_drop"
    url = reverse(f"courses:{action}", args=[enrollment.pk])
    client.force_login(persona(who, enrollment))
    detail = reverse("courses:enrollment_detail", args=[enrollment.pk])
    shown = _shown(client, detail, f'action="{url}"')
    other = reverse(
        f"courses:{'enrollment_drop' if dropped else 'enrollment_reactivate'}", args=[enrollment.pk]
    )
    assert not _shown(client, detail, f'action="{other}"')

    client.post(url, {"reason": "Because"})
    enrollment.refresh_from_db()
    changed = (enrollment.status == Enrollment.Status.DROPPED) != dropped
    assert shown == changed == (who == "hr")


# --- The job description ------------------------------------------------------------------


@pytest.mark.parametrize("dropped", [False, True], ids=["active", "dropped"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_sign_button_shows_exactly_for_whom_signing_works(
    client, program, enrollment, hr, dropped, who
):
    if dropped:
        services.enrollment_drop(enrollment=enrollment, user=hr, reason="Left")
    url = reverse("courses:job_description_sign", args=[enrollment.pk])
    client.force_login(persona(who, enrollment))
    job = program.job_description()
    shown = _shown(client, job.url, f'action="{url}"', {"enrollment": enrollment.pk})
    client.post(url)
    signed = enrollment.signatures.exists()
    assert shown == signed == (who == "trainee" and not dropped)
