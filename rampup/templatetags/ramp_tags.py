from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

STATUS_LABELS = {
    "met": _("met"),
    "near": _("near"),
    "behind": _("behind"),
    "in_progress": _("in progress"),
}
LIGHT_LABELS = {"green": _("on norm"), "amber": _("close"), "red": _("off norm"), "none": _("—")}


@register.filter
def status_label(value):
    return STATUS_LABELS.get(value, value)


@register.filter
def light_label(value):
    return LIGHT_LABELS.get(value, value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def bar_width(value):
    """A fraction as a CSS width, capped to 0..100%."""
    if value is None:
        return "0%"
    return f"{max(0, min(100, round(Decimal(value) * 100)))}%"


@register.filter
def month_scores(call_scores, index):
    """(reviewed calls, average scorecard %) of a month since hire, or None."""
    return (call_scores or {}).get(index)
