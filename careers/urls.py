from django.urls import path

from . import views

app_name = "careers"
urlpatterns = [
    path("career/", views.my_career, name="my_career"),
    path("career/ladder/", views.ladder, name="ladder"),
    path("career/team/", views.team, name="team"),
    path("career/team/export/", views.team_export, name="team_export"),
    path("career/people/<int:pk>/", views.person, name="person"),
    path("career/people/<int:pk>/propose/", views.propose, name="propose"),
    path("career/people/<int:pk>/decide/", views.decide, name="decide"),
    path("career/people/<int:pk>/evidence/", views.evidence, name="evidence"),
]
