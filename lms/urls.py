from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import audit_views, director_views, views

accounts = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include(accounts)),
    path("welcome/", views.no_role, name="no_role"),
    path("ramp-up/", director_views.ramp_dashboard, name="dashboard"),
    path(
        "ramp-up/export.csv",
        director_views.ramp_dashboard_export,
        {"fmt": "csv"},
        name="dashboard_export_csv",
    ),
    path(
        "ramp-up/export.xlsx",
        director_views.ramp_dashboard_export,
        {"fmt": "xlsx"},
        name="dashboard_export_xlsx",
    ),
    path("ramp-up/me/", director_views.my_ramp, name="my_ramp"),
    path("ramp-up/<int:pk>/", director_views.ramp_drilldown, name="ramp_drilldown"),
    path("ramp-up/<int:pk>/sign-off/", director_views.ramp_sign_off, name="ramp_sign_off"),
    path("audit/", audit_views.audit_history, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
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

# Wagtail serves the program's pages under /learn/.
urlpatterns += [path("learn/", include(wagtail_urls))]
