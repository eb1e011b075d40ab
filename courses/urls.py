from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("onboarding/", views.my_onboarding, name="my_onboarding"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("enrollments/", views.enrollments, name="enrollments"),
    path("enrollments/import/", views.enrollments_import, name="enrollments_import"),
    path(
        "enrollments/job-description/",
        views.job_description_signatures,
        name="job_description_signatures",
    ),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/drop/", views.enrollment_drop, name="enrollment_drop"),
    path(
        "enrollments/<int:pk>/reactivate/",
        views.enrollment_reactivate,
        name="enrollment_reactivate",
    ),
    path(
        "enrollments/<int:enrollment_pk>/stages/<int:stage_pk>/items/<str:item_id>/",
        views.checklist_tick,
        name="checklist_tick",
    ),
    path(
        "enrollments/<int:enrollment_pk>/job-description/sign/",
        views.job_description_sign,
        name="job_description_sign",
    ),
    path(
        "enrollments/<int:enrollment_pk>/sign-off/",
        views.readiness_sign_off,
        name="readiness_sign_off",
    ),
]
