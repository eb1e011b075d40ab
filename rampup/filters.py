"""The filters of the ramp-up dashboard and of the audit history (django-filter). A value
that does not validate is shown as the field's error and filters nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from courses import selectors as course_selectors
from courses.models import Enrollment, EnrollmentEvent
from people import selectors as people_selectors
from people.filters import ModelChoiceFilter
from people.roles import Role

from .audit import Kind

# --- The ramp-up dashboard ----------------------------------------------------------------


def _programs(request):
    return course_selectors.programs_live()


def _offices(request):
    return people_selectors.offices_all()


def _hire_months():
    months = course_selectors.hire_months()
    # The value as the query string writes it (?cohort=2026-07), the label as people read it.
    return [(m.strftime("%Y-%m"), date_format(m, "YEAR_MONTH_FORMAT")) for m in months]


class DashboardFilter(django_filters.FilterSet):
    """Program, active mentor, hire cohort (``?cohort=2026-03``, a month someone was hired in),
    status and the trainee's office (their profile's). The dashboard's cache key reads the same
    parameters (dashboard.FILTER_PARAMS). Every filter is a condition of the one SQL statement
    behind the page (rampup/table.py).
    """

    program = ModelChoiceFilter(
        label=_("Program"), queryset=_programs, empty_label=_("All programs")
    )
    # A search, not a list: a company of 10,000 trainees has thousands of mentors.
    mentor = django_filters.CharFilter(
        label=_("Mentor"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name")}),
        method="filter_mentor",
    )
    cohort = django_filters.ChoiceFilter(
        label=_("Hire cohort"),
        choices=_hire_months,
        empty_label=_("All cohorts"),
        method="filter_cohort",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Enrollment.Status.choices, empty_label=_("All statuses")
    )
    office = ModelChoiceFilter(
        label=_("Office"),
        queryset=_offices,
        empty_label=_("All offices"),
        field_name="trainee__profile__office",
    )

    class Meta:
        model = Enrollment
        fields = ["program", "mentor", "cohort", "status", "office"]

    def filter_mentor(self, queryset, name, text):
        """The trainees whose current mentor's name or username holds every word of ``text``."""
        mentors = people_selectors.people_in_roles(Role.MENTOR, Role.HEAD_OF_SALES).filter(
            people_selectors.name_words_q(text)
        )
        return queryset.filter(
            mentorships__mentor__in=mentors.values("pk"), mentorships__ended_on__isnull=True
        )

    def filter_cohort(self, queryset, name, month):
        year, month = month.split("-")
        return queryset.filter(hire_date__year=int(year), hire_date__month=int(month))


# --- The audit history --------------------------------------------------------------------


def _day_start(day: date) -> datetime | None:
    """00:00 of ``day`` in the current time zone; None when that instant is beyond what a
    datetime holds in UTC (the first or last day of year 1 or 9999): no bound is needed there."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    try:
        start.astimezone(UTC)
    except OverflowError:
        return None
    return start


class AuditFilter(django_filters.FilterSet):
    """What, trainee (every word in a name or username), and the local days (both included).

    The audit history is a UNION of several tables (rampup/audit.py), which SQL cannot filter
    once united: the filters narrow each table in its common shape (``audit_kind``,
    ``audit_at``, ``audit_enrollment``) before, through ``audit_events(user, narrow=...)``.
    """

    kind = django_filters.ChoiceFilter(
        label=_("What"), choices=Kind.choices, field_name="audit_kind", empty_label=_("All")
    )
    trainee = django_filters.CharFilter(
        label=_("Trainee"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name")}),
        method="filter_trainee",
    )
    date_from = django_filters.DateFilter(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), method="filter_from"
    )
    date_to = django_filters.DateFilter(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}), method="filter_to"
    )

    def __init__(self, data=None, *, prefix=None):
        # No queryset of its own: narrow() filters each table of the history in turn.
        super().__init__(data, queryset=EnrollmentEvent.objects.none(), prefix=prefix)

    def narrow(self, branch):
        """One table of the history with the valid filters applied."""
        if not self.is_bound:
            return branch
        self.form.is_valid()  # filter_queryset reads the cleaned data of the valid fields
        return self.filter_queryset(branch)

    def filter_trainee(self, queryset, name, text):
        match = people_selectors.name_words_q(text, prefix="trainee__")
        return queryset.filter(audit_enrollment__in=course_selectors.enrollment_ids_matching(match))

    def filter_from(self, queryset, name, day):
        start = _day_start(day)
        return queryset if start is None else queryset.filter(audit_at__gte=start)

    def filter_to(self, queryset, name, day):
        end = _day_start(day + timedelta(days=1)) if day < date.max else None
        return queryset if end is None else queryset.filter(audit_at__lt=end)
