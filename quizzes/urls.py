from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("grading/", views.grading_queue, name="grading_queue"),
]
