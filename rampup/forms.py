from django import forms
from django.utils.translation import gettext_lazy as _


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows the trainee is ready to work on their own."),
    )
