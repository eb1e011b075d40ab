from .models import Notification


def notifications_for(*, user, limit: int = 50):
    return Notification.objects.filter(recipient=user)[:limit]


def unread_notification_count(*, user) -> int:
    return Notification.objects.filter(recipient=user).unread().count()
