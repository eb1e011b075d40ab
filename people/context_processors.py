from django.utils.functional import SimpleLazyObject, lazy

from . import navigation as nav
from . import permissions, roles, selectors


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    return {
        "nav_items": SimpleLazyObject(lambda: nav.navigation(user)),
        "primary_role": SimpleLazyObject(lambda: _role_label(roles.primary_role(user))),
        "shows_admin_link": SimpleLazyObject(lambda: permissions.shows_admin_link(user)),
        # An int that is counted only when a page shows it; lazy(int) rather than a
        # SimpleLazyObject, because plural rules do arithmetic on it (Russian's n % 10).
        "unread_notifications": lazy(lambda: selectors.unread_notification_count(user=user), int)(),
    }


def _role_label(role: str | None) -> str:
    """The role's name in the reader's language (the group keeps its English name)."""
    return str(roles.Role(role).label) if role else ""
