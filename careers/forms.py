from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model

from people.forms import ModelChoiceField

from .models import Level, Requirement
from .selectors import offices


class TeamFilterForm(forms.Form):
    office = ModelChoiceField(
        label=_("Office"), queryset=offices(), required=False, empty_label=_("Every office")
    )


class ProposeForm(forms.Form):
    level = ModelChoiceField(label=_("Level"), queryset=Level.objects.none())
    pay = forms.DecimalField(
        label=_("Monthly pay"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Within the level's band in the person's office."),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, levels: list[Level], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = Level.objects.filter(pk__in=[lv.pk for lv in levels])
        if levels and not self.is_bound:
            self.initial.setdefault("level", levels[0].pk)


class DecideForm(forms.Form):
    APPROVE, DECLINE = "approve", "decline"
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[(APPROVE, _("Approve")), (DECLINE, _("Decline"))]
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text=_("Required to decline."),
    )


class EvidenceForm(forms.Form):
    requirement = ModelChoiceField(label=_("Requirement"), queryset=Requirement.objects.none())
    document = ModelChoiceField(
        label=_("Document"),
        queryset=get_document_model().objects.order_by("title"),
        required=False,
        help_text=_("For a document on file: one uploaded to the admin's Documents."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        help_text=_("For a confirmation: what you saw that meets the requirement."),
    )

    def __init__(self, *args, requirements: list[Requirement], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].queryset = Requirement.objects.filter(
            pk__in=[r.pk for r in requirements]
        )
