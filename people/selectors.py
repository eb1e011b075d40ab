from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from .models import Notification, Office, Profile
from .roles import Role, has_role


def notifications_for(*, user, limit: int = 50):
    return Notification.objects.filter(recipient=user)[:limit]


def unread_notification_count(*, user) -> int:
    """Counted once per request: the signed-in user arrives with it (``signed_in_user``)."""
    counted = getattr(user, "_lms_unread", None)
    if counted is not None:
        return counted
    return Notification.objects.filter(recipient=user).unread().count()


def signed_in_user(*, user_id):
    """The user of a signed-in request, with what every page reads of them (their roles, the
    header's unread count) in the same query: one query instead of three on every page.

    Read afresh on every request, never cached: a role taken away or an account deactivated
    holds from the next request on.
    """
    user_model = get_user_model()
    memberships = user_model.groups.through.objects.filter(user_id=OuterRef("pk"))
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    flags = {
        f"_lms_role_{i}": Exists(memberships.filter(group__name=r)) for i, r in enumerate(Role)
    }
    try:
        user = user_model._default_manager.annotate(
            **flags, _lms_unread=Coalesce(Subquery(unread), 0)
        ).get(pk=user_id)
    except user_model.DoesNotExist:
        return None
    user._lms_roles = frozenset(
        r.value for i, r in enumerate(Role) if getattr(user, f"_lms_role_{i}")
    )
    return user


def people_in_roles(*roles: str):
    """Everyone holding one of ``roles``, by last and first name."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=roles)
        .distinct()
        .order_by("last_name", "first_name")
    )


def name_words_q(text: str, prefix: str = "") -> Q:
    """People whose first name, last name or username contains every word of ``text`` (any
    case): a ``Q`` over the user model, or over the user at ``prefix`` ("trainee__")."""
    match = Q()
    for word in text.split():
        match &= (
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}username__icontains": word})
        )
    return match


# Who is confined to one office when the company turns the office scope on (OFFICE_SCOPE).
UNSCOPED = None


def office_scope_of(user) -> int | None:
    """The office a director's pages are confined to, or ``UNSCOPED``.

    Off unless ``settings.OFFICE_SCOPE`` is true. Then a director (not a superuser) whose
    profile names an office sees that office's people only; a director without an office on
    their profile is a company-wide director and sees every office, as do HR and the head of
    sales. One query, only when the setting is on.
    """
    if not getattr(settings, "OFFICE_SCOPE", False):
        return UNSCOPED
    if not user.is_authenticated or user.is_superuser or not has_role(user, Role.DIRECTOR):
        return UNSCOPED
    return Profile.objects.filter(user=user).values_list("office_id", flat=True).first()


def offices_all():
    return Office.objects.order_by("name")
