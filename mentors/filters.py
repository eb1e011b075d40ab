"""The filters of the activity log and of "Mentor bonuses" (django-filter). A value that
does not validate is shown as the field's error and filters nothing."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from people.filters import ModelChoiceFilter, PersonChoiceFilter
from people.offices import offices
from people.widgets import QuickSelect

from . import selectors
from .models import Activity, BonusStatement


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class ActivityFilter(django_filters.FilterSet):
    """Kind, and the local days the activity happened on (both ends included)."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Activity.Kind.choices, empty_label=_("All")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="occurred_at", lookup_expr="date__gte", widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="occurred_at", lookup_expr="date__lte", widget=_date_input()
    )

    class Meta:
        model = Activity
        fields = ["kind", "date_from", "date_to"]


def _mentors(request):
    return selectors.mentor_choices()


class StatementFilter(django_filters.FilterSet):
    """Status, mentor, the mentor's office, the statements whose window overlaps the period,
    those to review."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=BonusStatement.Status.choices, empty_label=_("All")
    )
    mentor = PersonChoiceFilter(
        label=_("Mentor"),
        field_name="mentorship__mentor",
        queryset=_mentors,
        empty_label=_("All"),
        widget=QuickSelect,  # every mentor: thousands in a large company
    )
    # The mentor's office (people.Profile.office): whose pay the statement is.
    office = ModelChoiceFilter(
        label=_("Office"),
        field_name="mentorship__mentor__profile__office",
        queryset=lambda request: offices(),
        empty_label=_("Every office"),
    )
    # The window [period_start, period_end) overlaps [period_from, period_to].
    period_from = django_filters.DateFilter(
        label=_("Period from"), field_name="period_end", lookup_expr="gt", widget=_date_input()
    )
    period_to = django_filters.DateFilter(
        label=_("Period to"), field_name="period_start", lookup_expr="lte", widget=_date_input()
    )
    needs_review = django_filters.BooleanFilter(
        label=_("Needs review only"), widget=forms.CheckboxInput, method="filter_needs_review"
    )

    class Meta:
        model = BonusStatement
        fields = ["status", "mentor", "office", "period_from", "period_to", "needs_review"]

    def filter_needs_review(self, queryset, name, ticked):
        # Unticked shows every statement, not only those that need no review.
        return queryset.filter(needs_review=True) if ticked else queryset
