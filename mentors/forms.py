from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import Enrollment
from people.forms import ModelChoiceField, PersonChoiceField
from people.names import display_name

from . import permissions, rule_changes, selectors
from .models import Activity, BonusRule, CallReview
from .provenance import PROVENANCE_CHOICES
from .validation import DECISION_MAKER_KINDS, NOTE_MAX_LENGTH


class EnrollmentChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        hired = date_format(obj.hire_date, "SHORT_DATE_FORMAT")
        return f"{display_name(obj.trainee)} · {obj.program.title} · {hired}"


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("What"), choices=Activity.Kind.choices)
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("Your local time."),
    )
    amount = forms.DecimalField(
        label=_("Contract amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("Contracts only."),
    )
    decision_maker_reached = forms.BooleanField(
        label=_("Decision-maker (ЛПР) reached"),
        required=False,
        help_text=_("Calls and meetings only."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX_LENGTH,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean(self):
        data = super().clean()
        if data.get("amount") is not None and data.get("kind") != Activity.Kind.CONTRACT:
            self.add_error("amount", _("Only a contract has an amount."))
        if data.get("decision_maker_reached") and data.get("kind") not in DECISION_MAKER_KINDS:
            self.add_error(
                "decision_maker_reached",
                _("Only a call or a meeting records whether the decision-maker was reached."),
            )
        return data


class ApprovalNoteForm(forms.Form):
    """The optional "why" given with an approval; the same note goes on every statement
    approved by that action."""

    note = forms.CharField(
        label=_("Approval note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={"placeholder": _("Why (optional), e.g. checked against the CRM")}
        ),
    )


class MentorshipAssignForm(forms.Form):
    enrollment = EnrollmentChoiceField(label=_("Trainee"), queryset=None)
    mentor = PersonChoiceField(label=_("Mentor"), queryset=None)
    started_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    bonus_rule = forms.ModelChoiceField(label=_("Bonus rule"), queryset=BonusRule.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrollment"].queryset = (
            Enrollment.objects.open().select_related("trainee", "program").order_by("-hire_date")
        )
        self.fields["mentor"].queryset = selectors.mentor_choices()
        if not self.is_bound:
            self.initial.setdefault("started_on", timezone.localdate())
            rule = BonusRule.objects.order_by("name").first()
            if rule is not None:
                self.initial.setdefault("bonus_rule", rule.pk)


class MentorshipEndForm(forms.Form):
    ended_on = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("ended_on", timezone.localdate())


# The upload's formats (mentors/jobs.py READERS), as the format choice names them.
FORMAT_LABELS = {
    "csv": _("CSV (our columns; Excel's semicolons and Windows-1251 too)"),
    "asterisk": _("Asterisk / FreePBX call records (Master.csv)"),
    "ics": _("Calendar (.ics): meetings"),
}


class ActivityImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8; the first line names the columns, in English or in Russian (see “File "
            "format” below). Times in ISO 8601 with a UTC offset."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    partial = forms.BooleanField(
        label=_("Save the valid rows even if some rows are invalid"), required=False
    )

    def clean_fmt(self):
        return self.cleaned_data.get("fmt") or self.fields["fmt"].choices[0][0]

    def __init__(self, *args, formats=("csv",), **kwargs):
        super().__init__(*args, **kwargs)
        if len(formats) > 1:  # a choice only once there is one (mentors/jobs.py READERS)
            self.fields["fmt"] = forms.ChoiceField(
                label=_("File format"),
                choices=[(name, FORMAT_LABELS.get(name, name)) for name in formats],
                initial=formats[0],
                required=False,  # a post without one is the first format's (CSV)
            )
            self.fields["file"].widget.attrs.pop("accept", None)
            self.fields["file"].label = _("File")
            self.fields["file"].help_text = _(
                "In the format chosen above. A CSV file: UTF-8 or Windows-1251, comma, "
                "semicolon or tab; the first line names the columns, in English or in Russian "
                "(see “File format” below); times without an offset are the company's."
            )
            self.order_fields(["fmt", "file", "partial"])


class BonusRuleAdminForm(WagtailAdminModelForm):
    """The admin's bonus rule form: the provenances as checkboxes, the reason for the change
    required, and the change recorded as a rule version (mentors/rule_changes.py) by a role
    that may change rules, in the same transaction as the rule and its tiers."""

    counted_provenances = forms.MultipleChoiceField(
        label=_("Provenances that count"),
        choices=PROVENANCE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Activity that arrived in one of these ways counts toward the bonus."),
    )
    confirmation_required = forms.MultipleChoiceField(
        label=_("Provenances that need confirmation"),
        choices=PROVENANCE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Of those, activity typed in one of these ways counts only once someone else "
            "(HR or the head of sales, never the trainee or their mentor) has confirmed it."
        ),
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the rule's new version; the approvers see it."),
    )

    def clean(self):
        cleaned = super().clean()
        if not permissions.may_edit_bonus_rules(self.for_user):
            raise forms.ValidationError(_("Only a director changes the bonus rules."))
        return cleaned

    def save(self, commit=True):
        with transaction.atomic():
            rule = super().save(commit=commit)
            if commit:
                rule_changes.bonus_rule_version_record(
                    rule=rule, user=self.for_user, reason=self.cleaned_data["change_reason"]
                )
        return rule


class ConfirmActivitiesForm(forms.Form):
    activity = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [(pk, pk) for pk in ids]


class CallScorecardForm(forms.Form):
    """The call scorecard: each point of the method 0 (missed), 1 (partly) or 2 (done well)."""

    SCORES = (("0", _("0 — missed")), ("1", _("1 — partly")), ("2", _("2 — done well")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CallReview.CRITERIA:
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=self.SCORES, coerce=int, widget=forms.RadioSelect
            )
        self.fields["comment"] = forms.CharField(
            label=_("Comment for the trainee"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=settings.ANSWER_MAX_LENGTH,
        )

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _label in CallReview.CRITERIA}

    def error_text(self) -> str:
        return " ".join(
            f"{self.fields[name].label}: {' '.join(errors)}"
            if name in self.fields
            else " ".join(errors)
            for name, errors in self.errors.items()
        )


class CallReviewOverrideForm(CallScorecardForm):
    """HR's or a director's change of a saved call review: the scorecard and the reason."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label=_("Reason for the change"),
            widget=forms.Textarea(attrs={"rows": 2}),
            max_length=settings.ANSWER_MAX_LENGTH,
        )


class PersonWithEmailField(PersonChoiceField):
    """A person by full name and e-mail: the e-mail is what the activity import matches."""

    def label_from_instance(self, obj):
        name = display_name(obj)
        return f"{name} <{obj.email}>" if obj.email else name


class IdentityMappingAdminForm(WagtailAdminModelForm):
    """Activity sources > Identity mappings: the person chosen among the active accounts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        self.fields["person"] = PersonWithEmailField(
            queryset=get_user_model()
            .objects.filter(is_active=True)
            .order_by("last_name", "first_name", "email"),
            label=field.label,
            help_text=field.help_text,
        )
