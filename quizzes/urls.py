from django.urls import path

from . import recording_views, views

app_name = "quizzes"
urlpatterns = [
    path("quizzes/", views.my_quizzes, name="my_quizzes"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz"),
    path("quizzes/<slug:slug>/start/", views.attempt_start, name="attempt_start"),
    path("quizzes/<slug:slug>/results/", views.quiz_results, name="quiz_results"),
    path("quizzes/<slug:slug>/preview/", views.quiz_preview, name="quiz_preview"),
    path(
        "quizzes/<slug:slug>/extra-attempt/<int:enrollment_pk>/",
        views.extra_attempt,
        name="extra_attempt",
    ),
    path(
        "quizzes/<slug:slug>/role-play/<int:enrollment_pk>/",
        views.roleplay_schedule,
        name="roleplay_schedule",
    ),
    path("quizzes/<slug:slug>/oral/<int:enrollment_pk>/", views.oral_start, name="oral_start"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("attempts/<int:pk>/review/", views.attempt_review, name="attempt_review"),
    path("attempts/<int:pk>/save/", views.attempt_save, name="attempt_save"),
    path("attempts/<int:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path(
        "attempts/<int:pk>/responses/<int:response_pk>/recording/",
        recording_views.recording_upload,
        name="recording_upload",
    ),
    path(
        "grading/<int:pk>/recording/",
        recording_views.live_recording_upload,
        name="live_recording_upload",
    ),
    path(
        "recordings/<int:pk>/comments/",
        recording_views.recording_comment,
        name="recording_comment",
    ),
    path("recordings/<int:pk>/file/", recording_views.recording_file, name="recording_file"),
    path("grading/", views.grading_queue, name="grading_queue"),
    path("grading/overdue/", views.overdue_grading, name="overdue_grading"),
    path("grading/<int:pk>/", views.grade, name="grade"),
    path(
        "grading/<int:pk>/responses/<int:response_pk>/override/",
        views.response_override,
        name="override",
    ),
]
