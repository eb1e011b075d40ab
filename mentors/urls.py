from django.urls import path

from . import views

app_name = "mentors"
urlpatterns = [
    path("mentees/", views.mentees, name="mentees"),
    path("bonuses/", views.bonuses, name="bonuses"),
]
