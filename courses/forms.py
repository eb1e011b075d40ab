from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from people.roles import Role

from .models import Enrollment, ProgramPage, StagePage


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Kept in the enrollment's history."),
    )


class ReadinessSignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("What shows the trainee is ready to work independently (optional)."),
    )


class EnrollmentImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: email, first_name, last_name, program, hire_date (YYYY-MM-DD). "
            "The first line holds the column names."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 2**20:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class EnrollmentFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=ProgramPage.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *Enrollment.Status.choices], required=False
    )
    stage = forms.ModelChoiceField(
        label=_("Current stage"),
        queryset=StagePage.objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    mentor = forms.ModelChoiceField(
        label=_("Mentor"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Any"),
    )
    hire_month = forms.DateField(
        label=_("Hire month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = ProgramPage.objects.live().order_by("title")
        stages = StagePage.objects.live().order_by("path")
        self.fields["stage"].queryset = stages
        self.fields["stage"].label_from_instance = lambda stage: stage.title
        self.fields["mentor"].queryset = (
            get_user_model()
            .objects.filter(groups__name__in=[Role.MENTOR, Role.HEAD_OF_SALES])
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["mentor"].label_from_instance = lambda u: u.get_full_name() or u.username

    def selector_filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        filters = {}
        if data.get("program"):
            filters["program"] = data["program"].pk
        if data.get("status"):
            filters["status"] = data["status"]
        if data.get("stage"):
            filters["stage"] = data["stage"].pk
        if data.get("mentor"):
            filters["mentor"] = data["mentor"].pk
        if data.get("hire_month"):
            filters["hire_month"] = (data["hire_month"].year, data["hire_month"].month)
        return filters
