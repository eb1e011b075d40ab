"""The real site's URLs with benchmark 5's floor in front: a view that does no work."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """A fixed response through the same middleware as every page: the floor of the load test."""
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("lms.urls")),
]
