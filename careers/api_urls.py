from django.urls import path

from . import api

urlpatterns = [
    path("career/ladders/", api.LadderList.as_view(), name="api-career-ladders"),
    path("career/people/<int:pk>/", api.PersonCareer.as_view(), name="api-career-person"),
]
