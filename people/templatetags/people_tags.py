from django import template

from people import formatting
from people.names import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    """``{{ user|display_name }}``: the full name, or the username; "" for no one, so that
    ``|default:"—"`` can follow."""
    return _display_name(user) if user else ""


def _places(arg) -> int | None:
    if arg in (None, ""):
        return None
    try:
        return max(0, min(int(arg), 10))
    except (TypeError, ValueError):
        return None


@register.filter
def num(value, places=None) -> str:
    """``{{ n|num }}``: «25 000» / «25,000», «0,56» / «0.56»; ``{{ v|num:1 }}`` rounds to one
    place. «—» for nothing. Never for ids: those stay ungrouped (in URLs and forms)."""
    return formatting.number(value, _places(places))


@register.filter
def money(value, currency=None) -> str:
    """``{{ s.amount|money:s.currency }}``: «25 000 ₽» / «25,000 ₽»; kopecks only when there
    are some. The default currency when none is given."""
    return formatting.money(value, currency or None)


@register.filter
def percent(value, places=None) -> str:
    """``{{ attempt.percent|percent }}``, a percentage in points (0-100): «74 %» / «74%»."""
    return formatting.percent(value, _places(places))
