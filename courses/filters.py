"""The filters of HR's enrollment list (django-filter)."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from people.filters import ModelChoiceFilter, PersonChoiceFilter
from people.roles import Role
from people.widgets import QuickSelect

from . import translations
from .models import Enrollment, ProgramPage, StagePage, StageProgress


def _programs(request):
    return translations.originals(ProgramPage.objects.live()).order_by("title")


def _stages(request):
    return translations.originals(StagePage.objects.live()).order_by("path")


def _mentors(request):
    return (
        get_user_model()
        .objects.filter(groups__name__in=[Role.MENTOR, Role.HEAD_OF_SALES])
        .distinct()
        .order_by("last_name", "first_name")
    )


class EnrollmentFilter(django_filters.FilterSet):
    """Program, status, current stage, active mentor and hire month (``?hire_month=2026-03``).
    A value that does not validate is shown as the field's error and filters nothing."""

    program = ModelChoiceFilter(label=_("Program"), queryset=_programs, empty_label=_("Any"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Enrollment.Status.choices, empty_label=_("Any")
    )
    stage = ModelChoiceFilter(
        label=_("Current stage"),
        queryset=_stages,
        empty_label=_("Any"),
        method="filter_current_stage",
    )
    mentor = PersonChoiceFilter(
        label=_("Mentor"),
        queryset=_mentors,
        empty_label=_("Any"),
        method="filter_mentor",
        widget=QuickSelect,  # every mentor: thousands in a large company
    )
    hire_month = django_filters.DateFilter(
        label=_("Hire month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        method="filter_hire_month",
    )

    class Meta:
        model = Enrollment
        fields = ["program", "status", "stage", "mentor", "hire_month"]

    def filter_current_stage(self, queryset, name, stage):
        current = StageProgress.objects.filter(
            enrollment=OuterRef("pk"),
            stage=stage,
            status__in=[StageProgress.Status.AVAILABLE, StageProgress.Status.IN_PROGRESS],
        )
        return queryset.filter(Exists(current))

    def filter_mentor(self, queryset, name, mentor):
        return queryset.filter(mentorships__mentor=mentor, mentorships__ended_on__isnull=True)

    def filter_hire_month(self, queryset, name, month):
        return queryset.filter(hire_date__year=month.year, hire_date__month=month.month)
