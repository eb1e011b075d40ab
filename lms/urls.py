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
    path("", include("careers.urls")),
    path("api/", include("lms.api_urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the program's pages under /learn/, each at its original's address in every
# language: Wagtail's own patterns (the password and login pages of restricted pages), with
# its page view, last as in Wagtail, replaced by people.views.serve_page.
urlpatterns += [
    path(
        "learn/",
        include(
            [
                *(p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"),
                re_path(r"^((?:[\w\-]+/)*)$", people_views.serve_page, name="wagtail_serve"),
            ]
        ),
    )
]
