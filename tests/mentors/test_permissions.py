"""A page offers an action exactly to those whose request its service then accepts: deleting
an activity entry, ending a mentorship, approving and marking bonuses paid."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from mentors import services
from mentors.models import Activity, BonusStatement, Mentorship
from people.roles import Role
from tests.conftest import make_user
from tests.mentors.factories import (
    add_activities,
    make_enrollment,
    make_mentorship,
    make_payroll_batch,
    make_rule,
)
from tests.personas import PERSONAS, persona

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
WHEN = datetime(2026, 1, 20, 11, tzinfo=MSK)


def _shown(client, url, marker) -> bool:
    response = client.get(url, follow=True)
    assert response.status_code in (200, 403, 404), (url, response.status_code)
    return response.status_code == 200 and marker in response.content.decode()


# --- Deleting an activity entry -----------------------------------------------------------


@pytest.mark.parametrize("entry", ["logged by the trainee", "logged by the viewer", "imported"])
@pytest.mark.parametrize("who", PERSONAS)
def test_the_delete_button_shows_exactly_where_the_delete_works(client, entry, who):
    enrollment = make_enrollment()
    user = persona(who, enrollment)
    fields = {"source": Activity.Source.MANUAL}
    if entry == "imported":
        fields = {"source": "crm", "external_id": "crm-1"}
    author = user if entry == "logged by the viewer" else enrollment.trainee
    activity = Activity.objects.create(
        enrollment=enrollment, kind="call", occurred_at=WHEN, recorded_by=author, **fields
    )
    client.force_login(user)
    url = reverse("mentors:activity_delete", args=[activity.pk])
    page = reverse("mentors:mentee_activity", args=[enrollment.pk])  # the trainee's own: a redirect
    shown = _shown(client, page, f'action="{url}"')

    client.post(url)
    deleted = not Activity.objects.filter(pk=activity.pk).exists()
    assert shown == deleted
    sees_the_log = who in ("trainee", "mentor", "hr", "head_of_sales", "director")
    author_of_a_hand_logged_entry = entry != "imported" and (
        who == "trainee" or entry == "logged by the viewer"
    )
    assert deleted == (
        sees_the_log and (who in ("hr", "head_of_sales") or author_of_a_hand_logged_entry)
    )


def test_hr_deletes_an_imported_entry_from_the_trainees_log(client, hr):
    """The template once hid Delete from HR and the head of sales, whom the service allows."""
    enrollment = make_enrollment()
    activity = Activity.objects.create(
        enrollment=enrollment, kind="meeting", occurred_at=WHEN, source="crm", external_id="x-9"
    )
    client.force_login(hr)
    page = client.get(reverse("mentors:mentee_activity", args=[enrollment.pk])).content.decode()
    url = reverse("mentors:activity_delete", args=[activity.pk])
    assert f'action="{url}"' in page
    response = client.post(url, follow=True)
    assert "The entry was deleted." in response.content.decode()
    assert not Activity.objects.filter(pk=activity.pk).exists()


# --- Ending a mentorship ------------------------------------------------------------------


@pytest.mark.parametrize("ended", [False, True], ids=["active", "ended"])
@pytest.mark.parametrize("who", ["mentor", "hr", "head_of_sales", "director"])
def test_the_end_button_shows_exactly_where_ending_works(client, ended, who):
    enrollment = make_enrollment()
    user = persona(who, enrollment)
    mentorship = (
        Mentorship.objects.get(enrollment=enrollment)
        if who == "mentor"
        else make_mentorship(enrollment=enrollment)
    )
    if ended:
        Mentorship.objects.filter(pk=mentorship.pk).update(
            ended_on=date(2026, 2, 1), end_reason="Left"
        )
    client.force_login(user)
    url = reverse("mentors:mentorship_end", args=[mentorship.pk])
    shown = _shown(client, reverse("mentors:mentorships") + "?show=all", f'href="{url}"')
    form_offered = _shown(client, url, "End the mentorship</button>")

    client.post(url, {"ended_on": "2026-03-01", "reason": "Mentor changed"})
    mentorship.refresh_from_db()
    ended_now = mentorship.ended_on == date(2026, 3, 1)
    assert shown == form_offered == ended_now == (who in ("hr", "head_of_sales") and not ended)


# --- Approving and marking bonuses paid ---------------------------------------------------

STATEMENT_STATES = {
    "provisional": {"status": BonusStatement.Status.PROVISIONAL},
    "final": {"status": BonusStatement.Status.FINAL},
    "approved": {"status": BonusStatement.Status.APPROVED, "approved_at": WHEN},
    "approved and exported": {
        "status": BonusStatement.Status.APPROVED,
        "approved_at": WHEN,
        "exported_at": WHEN,
    },
    "paid": {
        "status": BonusStatement.Status.PAID,
        "approved_at": WHEN,
        "exported_at": WHEN,
        "paid_at": WHEN,
    },
}


@pytest.mark.parametrize("action", ["approve"])
@pytest.mark.parametrize("state", STATEMENT_STATES)
@pytest.mark.parametrize(
    "who",
    [
        "the mentor",
        "hr",
        "head_of_sales",
        "director",
        # Separation of duties: the head of sales on a statement they mentor, and the director
        # who approved it (BONUS_PAYMENT_NEEDS_SECOND_PERSON).
        "head_of_sales, the mentor",
        "director, the approver",
    ],
)
def test_the_bonus_buttons_show_exactly_where_the_action_works(client, action, state, who):
    """Marking paid is per payroll batch: tests/mentors/test_payroll.py."""
    roles = {"hr": Role.HR, "head_of_sales": Role.HEAD_OF_SALES, "director": Role.DIRECTOR}
    user = make_user(roles[who.split(",")[0]]) if who != "the mentor" else None
    enrollment = make_enrollment(hire_date=date(2026, 1, 5))
    mentor = user if who == "head_of_sales, the mentor" else None
    mentorship = make_mentorship(enrollment=enrollment, rule=make_rule(), mentor=mentor)
    add_activities(enrollment, "call", 10, datetime(2026, 1, 10, 11, tzinfo=MSK))
    statement = services.statement_compute(mentorship_id=mentorship.pk)
    fields = dict(STATEMENT_STATES[state])
    if "exported_at" in fields:
        fields["payroll_batch"] = make_payroll_batch()
    if "approved_at" in fields:
        fields["approved_by"] = user if who == "director, the approver" else make_user()
    BonusStatement.objects.filter(pk=statement.pk).update(**fields)
    statement.refresh_from_db()
    client.force_login(user or mentorship.mentor)
    shown = _shown(client, reverse("mentors:bonuses"), f'name="action" value="{action}"')

    before = statement.status
    client.post(reverse("mentors:bonuses_action"), {"action": action, "statement": statement.pk})
    statement.refresh_from_db()
    done = statement.status != before
    assert shown == done
    takes_it = "final"
    allowed = {"head_of_sales", "director", "director, the approver"}
    assert done == (who in allowed and state == takes_it)
