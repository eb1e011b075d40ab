from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from people import views as people_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("people.urls")),
    path("", include("rampup.urls")),
    path("", include("courses.urls")),
    path("", include("quizzes.urls")),
    path("", include("mentors.urls")),
    path("api/", include("lms.api_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the program's pages under /learn/, each at its original's address in every
# language (people.views.serve_page; Wagtail's own pattern, the same address, stays for reverse).
urlpatterns += [
    path(
        "learn/",
        include(
            [
                re_path(r"^((?:[\w\-]+/)*)$", people_views.serve_page, name="wagtail_serve"),
                *wagtail_urls.urlpatterns,
            ]
        ),
    )
]
