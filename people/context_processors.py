from django.utils.functional import SimpleLazyObject

from . import navigation as nav
from . import permissions, roles, selectors


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    return {
        "nav_items": SimpleLazyObject(lambda: nav.navigation(user)),
        "primary_role": SimpleLazyObject(lambda: roles.primary_role(user) or ""),
        "shows_admin_link": SimpleLazyObject(lambda: permissions.shows_admin_link(user)),
        "unread_notifications": SimpleLazyObject(
            lambda: selectors.unread_notification_count(user=user)
        ),
    }
