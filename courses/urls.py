from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("onboarding/", views.my_onboarding, name="my_onboarding"),
    path("enrollments/", views.enrollments, name="enrollments"),
]
