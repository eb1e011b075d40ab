from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from courses.models import Enrollment, ProgramPage
from people.roles import Role


class DashboardFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=_("All programs"),
        label=_("Program"),
    )
    mentor = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("All mentors"),
        label=_("Mentor"),
    )
    cohort = forms.ChoiceField(required=False, label=_("Hire cohort"))
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("All statuses")), *Enrollment.Status.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = ProgramPage.objects.live().order_by("title")
        self.fields["mentor"].queryset = (
            get_user_model()
            .objects.filter(groups__name__in=[Role.MENTOR, Role.HEAD_OF_SALES])
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["mentor"].label_from_instance = lambda u: u.get_full_name() or u.username
        months = Enrollment.objects.dates("hire_date", "month", order="DESC")
        self.fields["cohort"].choices = [("", _("All cohorts"))] + [
            (m.strftime("%Y-%m"), m.strftime("%Y-%m")) for m in months
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        result = {}
        if data.get("program"):
            result["program"] = data["program"].pk
        if data.get("mentor"):
            result["mentor"] = data["mentor"].pk
        if data.get("status"):
            result["status"] = data["status"]
        if data.get("cohort"):
            year, month = data["cohort"].split("-")
            result["cohort"] = (int(year), int(month))
        return result


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows the trainee is ready to work on their own."),
    )
