from axes.backends import AxesStandaloneBackend


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
