from django import template

from people.names import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    """``{{ user|display_name }}``: the full name, or the username; "" for no one, so that
    ``|default:"—"`` can follow."""
    return _display_name(user) if user else ""
