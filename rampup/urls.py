"""The directors' pages: the ramp-up dashboard, its exports, the drill-down and the audit
history (names not namespaced, as before the move)."""

from django.urls import path

from . import audit_views, views

urlpatterns = [
    path("ramp-up/", views.ramp_dashboard, name="dashboard"),
    path(
        "ramp-up/export.csv",
        views.ramp_dashboard_export,
        {"fmt": "csv"},
        name="dashboard_export_csv",
    ),
    path(
        "ramp-up/export.xlsx",
        views.ramp_dashboard_export,
        {"fmt": "xlsx"},
        name="dashboard_export_xlsx",
    ),
    path("ramp-up/me/", views.my_ramp, name="my_ramp"),
    path("ramp-up/<int:pk>/", views.ramp_drilldown, name="ramp_drilldown"),
    path("ramp-up/<int:pk>/sign-off/", views.ramp_sign_off, name="ramp_sign_off"),
    path("audit/", audit_views.audit_history, name="audit"),
]
