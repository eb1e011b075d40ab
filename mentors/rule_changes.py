"""Changing a bonus rule: only the roles in ``settings.BONUS_RULE_EDITOR_ROLES``, with a
reason, each change a new ``BonusRuleVersion`` (mentors/rule_versions.py) and the rule's
statements recomputed. The admin's form (mentors/forms.py ``BonusRuleAdminForm``) and
``bonus_rule_change`` both end in ``bonus_rule_version_record``. See docs/bonuses.md, "Rule
versions"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions, rule_versions
from .models import BonusRule, BonusRuleVersion, BonusTier
from .services import statements_schedule_recompute


@transaction.atomic
def bonus_rule_version_record(*, rule: BonusRule, user, reason: str) -> BonusRuleVersion | None:
    """After ``rule`` (and its tiers) were saved by ``user``: record a version when the
    figures differ from the latest one, and have the rule's statements recomputed. Returns
    the new version, or None when nothing changed."""
    permissions.check_edit_bonus_rules(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"change_reason": _("Say why the rule changes.")})
    figures = rule_versions.figures_of(rule, rule_versions.tiers_of(rule))
    latest = rule_versions.latest(rule.pk)
    if latest is not None and latest.figures == figures:
        return None
    version = rule_versions.create(rule, figures, user=user, reason=reason)
    statements_schedule_recompute(
        mentorship_ids=list(rule.mentorships.values_list("pk", flat=True))
    )
    return version


@transaction.atomic
def bonus_rule_change(
    *, rule: BonusRule, user, reason: str, tiers: list[dict] | None = None, **fields
) -> BonusRuleVersion | None:
    """Change a rule's fields (``fields``) and, given ``tiers`` (dicts of TIER_FIELDS), replace
    its tiers; then record the version. The editor's role is checked before anything is
    written."""
    permissions.check_edit_bonus_rules(user)
    if not (reason or "").strip():
        raise ValidationError({"change_reason": _("Say why the rule changes.")})
    rule = BonusRule.objects.select_for_update().get(pk=rule.pk)
    for name, value in fields.items():
        if name not in rule_versions.RULE_FIELDS:
            raise ValidationError(_("Unknown field: %(name)s.") % {"name": name})
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    if tiers is not None:
        BonusTier.objects.filter(rule=rule).delete()
        for order, data in enumerate(tiers):
            tier = BonusTier(rule=rule, sort_order=order, **data)
            tier.full_clean()
            tier.save()
    return bonus_rule_version_record(rule=rule, user=user, reason=reason)
