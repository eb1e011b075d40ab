from django import forms
from django.utils.translation import gettext_lazy as _


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
            "The first line holds the column names listed above; the hire date is written as "
            "YYYY-MM-DD."
        ),
    )

    include_staff = forms.BooleanField(
        label=_("Enroll staff accounts too"),
        required=False,
        help_text=_(
            "Lines naming a mentor, HR, the head of sales or a director are refused unless "
            "this is ticked: their quizzes are then graded, and their bonuses decided, by "
            "others."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 2**20:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
