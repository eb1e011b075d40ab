"""Bonus rule versions: only the roles of BONUS_RULE_EDITOR_ROLES change a rule, with a
reason, in the service and in the Wagtail admin; each change is a version with who and why;
a statement keeps the version it was computed with, and the approval page shows it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from mentors import rule_changes, services
from mentors.models import BonusRule, BonusRuleVersion, BonusStatement, BonusTier
from mentors.rule_versions import UNRECORDED_REASON

from .factories import add_activities, make_enrollment, make_mentorship, make_rule

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
TIERS = [
    {"name": "Base", "amount": Decimal("5000.00")},
    {"name": "Increased", "amount": Decimal("25000.00"), "min_call": 300, "min_application": 10},
]


@pytest.fixture(autouse=True)
def _moscow():
    with (
        override_settings(TIME_ZONE="Europe/Moscow"),
        time_machine.travel(datetime(2026, 2, 20, 12, tzinfo=MSK), tick=False),
    ):
        yield


@pytest.fixture
def rule():
    return make_rule()


@pytest.fixture
def mentorship(rule):
    enrollment = make_enrollment(hire_date=date(2026, 1, 26))
    m = make_mentorship(enrollment=enrollment, rule=rule, started_on=date(2026, 2, 1))
    add_activities(enrollment, "call", 300, datetime(2026, 2, 10, 9, tzinfo=MSK), provenance="pbx")
    add_activities(
        enrollment, "application", 10, datetime(2026, 2, 10, 9, tzinfo=MSK), provenance="crm"
    )
    return m


def test_a_director_changes_the_amounts_with_a_reason(rule, director):
    version = rule_changes.bonus_rule_change(
        rule=rule, user=director, reason="New pay scale from March", tiers=TIERS
    )
    assert version.number == 1
    assert (version.changed_by, version.reason) == (director, "New pay scale from March")
    assert version.figures["tiers"][1]["amount"] == "25000.00"
    again = rule_changes.bonus_rule_change(
        rule=rule, user=director, reason="Longer period", period_days=45
    )
    assert (again.number, again.figures["period_days"]) == (2, 45)
    # The same figures again: nothing to record.
    assert rule_changes.bonus_rule_change(rule=rule, user=director, reason="No-op") is None


def test_the_head_of_sales_and_hr_do_not_change_the_rule(rule, head_of_sales, hr, mentor):
    for user in (head_of_sales, hr, mentor):
        with pytest.raises(PermissionDenied):
            rule_changes.bonus_rule_change(rule=rule, user=user, reason="More", tiers=TIERS)
        with pytest.raises(PermissionDenied):
            rule_changes.bonus_rule_version_record(rule=rule, user=user, reason="More")
    assert not BonusRuleVersion.objects.exists()
    assert BonusTier.objects.get(rule=rule, name="Increased").amount == Decimal("15000.00")


@override_settings(BONUS_RULE_EDITOR_ROLES=["Director", "HR"])
def test_the_editor_roles_are_a_setting(rule, hr):
    assert rule_changes.bonus_rule_change(rule=rule, user=hr, reason="HR owns pay", tiers=TIERS)


def test_a_reason_is_required(rule, director):
    with pytest.raises(ValidationError):
        rule_changes.bonus_rule_change(rule=rule, user=director, reason="  ", tiers=TIERS)
    assert not BonusRuleVersion.objects.exists()


def test_a_statement_keeps_the_version_it_was_computed_with(mentorship, rule, director):
    statement = services.statement_compute(mentorship_id=mentorship.pk)
    v1 = statement.rule_version
    assert (v1.number, v1.reason, v1.changed_by) == (1, UNRECORDED_REASON, None)
    assert statement.amount == Decimal("15000.00")
    statement.status, statement.approved_at = "approved", datetime.now(MSK)
    statement.save()
    other = make_mentorship(
        enrollment=make_enrollment(hire_date=date(2026, 1, 26)),
        rule=rule,
        started_on=date(2026, 2, 1),
    )
    rule_changes.bonus_rule_change(rule=rule, user=director, reason="Raise", tiers=TIERS)
    services.statements_compute(mentorship_ids=[mentorship.pk, other.pk])
    approved = BonusStatement.objects.get(mentorship=mentorship)
    assert (approved.rule_version, approved.amount) == (v1, Decimal("15000.00"))
    assert approved.needs_review  # the new amounts would change it
    fresh = BonusStatement.objects.get(mentorship=other)
    assert fresh.rule_version.number == 2


def test_a_change_made_around_the_product_is_recorded_at_the_next_computation(
    mentorship, rule, director
):
    rule_changes.bonus_rule_change(rule=rule, user=director, reason="Start", tiers=TIERS)
    BonusTier.objects.filter(rule=rule, name="Increased").update(amount=Decimal("99000.00"))
    statement = services.statement_compute(mentorship_id=mentorship.pk)
    assert statement.amount == Decimal("99000.00")
    assert statement.rule_version.number == 2
    assert statement.rule_version.changed_by is None
    assert statement.rule_version.figures["tiers"][1]["amount"] == "99000.00"


def test_the_approval_page_shows_the_version(client, mentorship, director):
    services.statement_compute(mentorship_id=mentorship.pk)
    client.force_login(director)
    body = client.get(reverse("mentors:bonuses")).content.decode()
    assert f"Rule “{mentorship.bonus_rule.name}”, version 1" in body


# --- The Wagtail admin ----------------------------------------------------------------------


def admin_post(rule, *, reason, amount="25000.00"):
    tiers = list(rule.tiers.order_by("sort_order"))
    data = nested_form_data(
        {
            "name": rule.name,
            "currency": rule.currency,
            "period_days": rule.period_days,
            "typed_daily_limit": 30,
            "change_reason": reason,
            "tiers": inline_formset(
                [
                    {
                        "id": t.pk,
                        "name": t.name,
                        "amount": amount if t.name == "Increased" else str(t.amount),
                        "min_call": t.min_call,
                        "min_meeting": t.min_meeting,
                        "min_application": t.min_application,
                        "min_contract": t.min_contract,
                    }
                    for t in tiers
                ],
                initial=len(tiers),
                min=1,
            ),
        }
    )
    # Checkboxes: one value per ticked box (nested_form_data would number a list).
    data["counted_provenances"] = ["crm", "pbx", "file", "api", "trainee", "mentor"]
    data["confirmation_required"] = ["trainee", "mentor", "hr"]
    return data


def edit_url(rule):
    return f"/admin/snippets/mentors/bonusrule/edit/{rule.pk}/"


def test_a_director_edits_the_rule_in_the_admin_with_a_reason(client, rule, director):
    client.force_login(director)
    missing = client.post(edit_url(rule), admin_post(rule, reason=""))
    assert missing.status_code == 200  # the form again, with the error
    assert not BonusRuleVersion.objects.exists()
    assert BonusTier.objects.get(rule=rule, name="Increased").amount == Decimal("15000.00")
    response = client.post(edit_url(rule), admin_post(rule, reason="March pay scale"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert BonusTier.objects.get(rule=rule, name="Increased").amount == Decimal("25000.00")
    version = BonusRuleVersion.objects.get(rule=rule)
    assert (version.changed_by, version.reason) == (director, "March pay scale")
    rule.refresh_from_db()
    assert rule.counted_provenances == ["crm", "pbx", "file", "api", "trainee", "mentor"]
    assert version.figures["confirmation_required"] == ["trainee", "mentor", "hr"]


def test_the_head_of_sales_cannot_edit_or_create_a_rule_in_the_admin(
    client, rule, head_of_sales, hr
):
    for user in (head_of_sales, hr):
        client.force_login(user)
        response = client.post(edit_url(rule), admin_post(rule, reason="My bonus"))
        assert response.status_code == 302  # refused by the permission policy
        assert client.get("/admin/snippets/mentors/bonusrule/add/").status_code == 302
    assert BonusTier.objects.get(rule=rule, name="Increased").amount == Decimal("15000.00")
    assert not BonusRuleVersion.objects.exists()
    assert BonusRule.objects.count() == 1


def test_a_director_creates_a_rule_in_the_admin_as_version_1(client, director):
    client.force_login(director)
    data = nested_form_data(
        {
            "name": "Senior",
            "currency": "RUB",
            "period_days": 60,
            "typed_daily_limit": 10,
            "change_reason": "A rule for senior trainees",
            "tiers": inline_formset(
                [
                    {
                        "name": "Only",
                        "amount": "7000.00",
                        "min_call": 0,
                        "min_meeting": 0,
                        "min_application": 0,
                        "min_contract": 0,
                    }
                ],
                min=1,
            ),
        }
    )
    data["counted_provenances"] = ["crm", "pbx"]
    response = client.post("/admin/snippets/mentors/bonusrule/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = BonusRule.objects.get(name="Senior")
    assert rule.counted_provenances == ["crm", "pbx"]
    version = rule.versions.get()
    assert (version.number, version.changed_by, version.reason) == (
        1,
        director,
        "A rule for senior trainees",
    )
    assert version.figures["tiers"] == [
        {
            "name": "Only",
            "amount": "7000.00",
            "min_call": 0,
            "min_meeting": 0,
            "min_application": 0,
            "min_contract": 0,
        }
    ]


def test_the_approval_page_shows_who_changed_the_rule_and_why(client, mentorship, director):
    rule_changes.bonus_rule_change(
        rule=mentorship.bonus_rule, user=director, reason="March pay scale", tiers=TIERS
    )
    services.statement_compute(mentorship_id=mentorship.pk)
    client.force_login(director)
    body = client.get(reverse("mentors:bonuses")).content.decode()
    assert "version 1" in body
    assert "March pay scale" in body


def test_unknown_provenances_are_refused(rule, director):
    with pytest.raises(ValidationError):
        rule_changes.bonus_rule_change(
            rule=rule, user=director, reason="Typo", counted_provenances=["crm", "fax"]
        )
    rule.refresh_from_db()
    assert "fax" not in rule.counted_provenances
