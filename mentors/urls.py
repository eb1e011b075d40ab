from django.urls import path

from . import call_views, confirmation_views, import_views, views

app_name = "mentors"
urlpatterns = [
    path("activity/", views.activity, name="activity"),
    path("activity/<int:enrollment_id>/", views.mentee_activity, name="mentee_activity"),
    path("activity/entry/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activity/import/", import_views.import_activities, name="import"),
    path("activity/import/jobs/", import_views.import_jobs, name="import_jobs"),
    path("activity/import/jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path(
        "activity/import/jobs/<int:pk>/status/",
        import_views.import_job_status,
        name="import_job_status",
    ),
    path(
        "activity/import/jobs/<int:pk>/cancel/",
        import_views.import_job_cancel,
        name="import_job_cancel",
    ),
    path("activity/confirm/", confirmation_views.confirm_activities, name="confirm"),
    path("activity/calls/<int:pk>/", call_views.call_detail, name="call"),
    path("activity/calls/<int:pk>/recording/", call_views.call_file, name="call_file"),
    path("activity/calls/reviews/", call_views.call_review_queue, name="call_reviews"),
    path("mentees/", views.mentees, name="mentees"),
    path("mentorships/", views.mentorships, name="mentorships"),
    path("mentorships/<int:pk>/end/", views.mentorship_end, name="mentorship_end"),
    path("bonuses/", views.bonuses, name="bonuses"),
    path("bonuses/action/", views.bonuses_action, name="bonuses_action"),
    path("bonuses/export/", views.bonuses_export, name="bonuses_export"),
    path("bonuses/payroll/", views.payroll_batches, name="payroll_batches"),
    path(
        "bonuses/payroll/<int:number>/download/",
        views.payroll_batch_download,
        name="payroll_batch_download",
    ),
    path(
        "bonuses/payroll/<int:number>/paid/",
        views.payroll_batch_mark_paid,
        name="payroll_batch_mark_paid",
    ),
]
