from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from . import selectors


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request.

    Every login form (the site's, the Wagtail admin's) passes the request. A call without one
    is programmatic (tests, shell scripts) and has no address to lock, so it is left to the
    next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SignedInUserBackend(ModelBackend):
    """Django's model backend, loading each request's user with their roles and unread count
    in one query (``people.selectors.signed_in_user``)."""

    def get_user(self, user_id):
        user = selectors.signed_in_user(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
