from django.urls import path

from . import api

urlpatterns = [
    path("enrollments/", api.EnrollmentList.as_view(), name="api-enrollments"),
    path("enrollments/<int:pk>/ramp/", api.EnrollmentRamp.as_view(), name="api-enrollment-ramp"),
]
