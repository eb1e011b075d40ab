from django.utils.functional import SimpleLazyObject

from . import roles, selectors


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    return {
        "nav_items": SimpleLazyObject(lambda: roles.navigation(user)),
        "primary_role": SimpleLazyObject(lambda: roles.primary_role(user) or ""),
        "shows_admin_link": SimpleLazyObject(lambda: roles.shows_admin_link(user)),
        "unread_notifications": SimpleLazyObject(
            lambda: selectors.unread_notification_count(user=user)
        ),
    }
