from django.urls import path

from . import api

urlpatterns = [
    path("activities/", api.ActivityListCreate.as_view(), name="api-activities"),
    path("bonus-rules/", api.BonusRuleList.as_view(), name="api-bonus-rules"),
    path("bonus-statements/", api.BonusStatementList.as_view(), name="api-bonus-statements"),
]
