"""Bonus rule versions: a snapshot of the figures on every change, with who and why.

The changes themselves are in ``rule_changes`` (the admin's form and code call it).
``current_versions`` gives the statement computation the version of
each rule's figures as they are, recording one (without a person, saying so) when the figures
were changed around the product, so that a statement always names figures it was computed
with. See docs/bonuses.md, "Rule versions".
"""

from __future__ import annotations

from django.db.models import Max

from .bonus import COUNTED_KINDS
from .models import BonusRule, BonusRuleVersion, BonusTier

# What a version keeps of a rule (the tiers come from its BonusTier rows).
RULE_FIELDS = (
    "name",
    "currency",
    "period_days",
    "counted_provenances",
    "confirmation_required",
    "typed_daily_limit",
)
TIER_FIELDS = ("name", "amount", *(f"min_{kind}" for kind in COUNTED_KINDS))

# The reason of a version the computation recorded for figures changed outside the product.
UNRECORDED_REASON = "Changed outside the product; recorded when a statement was computed."


def figures_of(rule: BonusRule, tiers: list[BonusTier]) -> dict:
    """The rule's figures as a version stores them (plain JSON)."""
    return {
        **{name: getattr(rule, name) for name in RULE_FIELDS},
        "tiers": [
            {name: str(t.amount) if name == "amount" else getattr(t, name) for name in TIER_FIELDS}
            for t in tiers
        ],
    }


def tiers_of(rule: BonusRule) -> list[BonusTier]:
    return list(BonusTier.objects.filter(rule=rule).order_by("sort_order", "pk"))


def latest(rule_id: int) -> BonusRuleVersion | None:
    return BonusRuleVersion.objects.filter(rule_id=rule_id).order_by("-number").first()


def create(rule: BonusRule, figures: dict, *, user, reason: str) -> BonusRuleVersion:
    # The rule's row is locked, so two changes at once number their versions in turn.
    BonusRule.objects.select_for_update().filter(pk=rule.pk).first()
    number = BonusRuleVersion.objects.filter(rule=rule).aggregate(n=Max("number"))["n"] or 0
    return BonusRuleVersion.objects.create(
        rule=rule, number=number + 1, figures=figures, changed_by=user, reason=reason
    )


def current_versions(rule_ids, tiers_by_rule: dict[int, list[BonusTier]]) -> dict[int, int]:
    """{rule id: id of the version of its figures as they are now}, for the computation (which
    has already read the tiers). Two queries; a rule whose figures differ from its latest
    version (changed in a shell or by a migration) gets a version without a person, saying so.
    """
    rules = BonusRule.objects.in_bulk(list(rule_ids))
    latest: dict[int, BonusRuleVersion] = {}
    for version in BonusRuleVersion.objects.filter(rule_id__in=list(rules)).order_by(
        "rule_id", "-number"
    ):
        latest.setdefault(version.rule_id, version)
    result = {}
    for rule_id, rule in rules.items():
        figures = figures_of(rule, tiers_by_rule.get(rule_id, []))
        version = latest.get(rule_id)
        if version is None or version.figures != figures:
            version = create(rule, figures, user=None, reason=UNRECORDED_REASON)
        result[rule_id] = version.pk
    return result
