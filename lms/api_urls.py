"""/api/: the OpenAPI schema, its interactive docs (served from drf-spectacular-sidecar, no
CDN) and version 1 of the API, whose endpoints each app contributes."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

v1 = [
    path("", include("mentors.api_urls")),
    path("", include("rampup.api_urls")),
    path("", include("careers.api_urls")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include(v1)),
]
