from __future__ import annotations

import base64
import binascii
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from people.names import display_name

from .formats import FORMATS
from .models import QuestionCategory, Quiz, SurveyReview
from .services import ResponseGrade

BOOL_CHOICES = [("true", _("True")), ("false", _("False"))]


def _points_label(points: Decimal) -> str:
    return _("%(points)s pt.") % {"points": points.normalize()}


def _single_answer(item) -> bool:
    """One right answer and no partial weights: the trainee picks one (radio buttons)."""
    return sum(1 for c in item.choices if c.correct) == 1 and all(
        c.weight is None or c.weight <= 0 or c.correct for c in item.choices
    )


class AnswerForm(forms.Form):
    """One field per question of an attempt, named q<question id> (oral questions have none:
    they are asked in person)."""

    all_answers = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)

    def __init__(self, *args, sheet, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.fields_by_question = {}
        for n, item in enumerate(sheet, start=1):
            question, response = item.question, item.response
            name = f"q{question.pk}"
            label = f"{n}. {question.text}"
            help_text = _points_label(question.points)
            kind = item.kind
            if kind == "choices" and _single_answer(item):
                chosen = sorted(item.chosen_ids)
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[(str(c.pk), c.text) for c in item.choices],
                    widget=forms.RadioSelect,
                    initial=str(chosen[0]) if chosen else None,
                    help_text=f"{help_text} · " + str(_("Choose the correct answer.")),
                )
            elif kind == "choices":
                n_correct = sum(1 for c in item.choices if c.correct)
                field = forms.MultipleChoiceField(
                    label=label,
                    required=False,
                    choices=[(str(c.pk), c.text) for c in item.choices],
                    widget=forms.CheckboxSelectMultiple,
                    initial=[str(pk) for pk in item.chosen_ids],
                    help_text=f"{help_text} · "
                    + str(
                        _("Choose every correct answer.")
                        if n_correct != 1
                        else _("Choose the correct answer.")
                    ),
                )
            elif kind == "boolean":
                initial = {True: "true", False: "false"}.get(response.answer_bool)
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=BOOL_CHOICES,
                    widget=forms.RadioSelect,
                    initial=initial,
                    help_text=help_text,
                )
            elif kind == "decimal":
                unit = getattr(question, "unit", "")
                value = response.answer_decimal
                field = forms.CharField(
                    label=label,
                    required=False,
                    initial="" if value is None else f"{value.normalize():f}",
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                    help_text=f"{help_text}" + (f" · {unit}" if unit else ""),
                )
            elif kind == "short":
                field = forms.CharField(
                    label=label,
                    required=False,
                    initial=response.answer_text,
                    widget=forms.TextInput(attrs={"autocomplete": "off"}),
                    help_text=help_text,
                    max_length=settings.ANSWER_MAX_LENGTH,
                )
            elif kind == "text":
                field = forms.CharField(
                    label=label,
                    required=False,
                    initial=response.answer_text,
                    widget=forms.Textarea(attrs={"rows": 5}),
                    help_text=help_text,
                    max_length=settings.ANSWER_MAX_LENGTH,
                )
            else:
                continue
            field.disabled = disabled
            self.fields[name] = field
            self.fields_by_question[question.pk] = name

    def field_for(self, item):
        name = self.fields_by_question.get(item.question.pk)
        return self[name] if name else None


class GradeForm(forms.Form):
    """The grader's inputs for one manual response: points (or per-criterion scores) and
    feedback."""

    def __init__(self, *args, item, disabled=False, oral=False, **kwargs):
        kwargs.setdefault("prefix", f"r{item.response.pk}")
        super().__init__(*args, **kwargs)
        self.item = item
        self.oral = oral
        if oral:
            self.fields["answer"] = forms.CharField(
                label=_("The trainee's answer, as given"),
                required=False,
                max_length=settings.ANSWER_MAX_LENGTH,
                initial=item.response.answer_text,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if item.criteria:
            for criterion in item.criteria:
                self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                    label=f"{criterion.name} (0–{criterion.max_points.normalize()})",
                    required=False,
                    min_value=Decimal(0),
                    max_value=criterion.max_points,
                    decimal_places=2,
                    initial=item.scores.get(criterion.pk),
                    help_text=criterion.description,
                    widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
                )
        else:
            self.fields["points"] = forms.DecimalField(
                label=_("Points (0–%(max)s)") % {"max": item.question.points.normalize()},
                required=False,
                min_value=Decimal(0),
                max_value=item.question.points,
                decimal_places=2,
                initial=item.response.awarded_points,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
        self.fields["feedback"] = forms.CharField(
            label=_("Feedback to the trainee"),
            required=False,
            initial=item.response.feedback,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        for field in self.fields.values():
            field.disabled = disabled

    def grade(self) -> ResponseGrade:
        data = self.cleaned_data
        return ResponseGrade(
            points=data.get("points"),
            criteria={
                criterion.pk: data.get(f"c{criterion.pk}") for criterion in self.item.criteria
            },
            feedback=data.get("feedback", ""),
            answer=data.get("answer") if self.oral else None,
        )


class OverrideForm(GradeForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the attempt's history and shown to graders."),
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, item=item, prefix="override", **kwargs)
        reason = self.fields.pop("reason")
        if item.is_manual and item.criteria:
            for criterion in item.criteria:
                self.fields[f"c{criterion.pk}"].required = True
        else:
            # An automatic question, or a manual one without a rubric: new points directly.
            for name in [n for n in self.fields if n != "feedback"]:
                self.fields.pop(name)
            feedback = self.fields.pop("feedback")
            self.fields["points"] = forms.DecimalField(
                label=_("New points (0–%(max)s)") % {"max": item.question.points.normalize()},
                min_value=Decimal(0),
                max_value=item.question.points,
                decimal_places=2,
                initial=item.response.awarded_points,
            )
            self.fields["feedback"] = feedback
        self.fields["reason"] = reason

    def grade(self) -> ResponseGrade:
        if self.item.is_manual and self.item.criteria:
            return super().grade()
        return ResponseGrade(
            points=self.cleaned_data["points"], feedback=self.cleaned_data.get("feedback", "")
        )


class ExtraAttemptForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the trainee gets one more attempt; kept with the attempt history."),
    )


# --- Question bank import and export (the Wagtail admin) -----------------------------------

IMPORT_MAX_BYTES = 2 * 1024 * 1024
ENCODINGS = [
    ("", _("Detect (UTF-8, else Windows-1251 or Windows-1252)")),
    ("utf-8", "UTF-8"),
    ("cp1251", _("Windows-1251 (Cyrillic)")),
    ("cp1252", _("Windows-1252 (Western European)")),
]


def _format_choices():
    return [(key, label) for key, label in FORMATS.items()]


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A GIFT or Aiken text file, or a Moodle XML export, of at most 2 MB. Nothing is "
            "saved until you confirm on the next page."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=_format_choices,
        help_text=_(
            "GIFT and Aiken files are usually .txt; Moodle XML files end in .xml. See "
            "docs/quizzes.md for what each format can hold."
        ),
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=500,
        help_text=_(
            "The question bank category to import into, such as Product/Pricing (a slash "
            "separates levels). It is created if it does not exist; categories named in the "
            "file go under it."
        ),
    )
    quiz = forms.ModelChoiceField(
        label=_("Also add to quiz"),
        queryset=Quiz.objects.all(),
        required=False,
        help_text=_("Optional: the questions are also added at the end of this quiz."),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=ENCODINGS,
        required=False,
        help_text=_("Leave on Detect unless the preview shows garbled letters."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload

    def clean_category(self):
        value = "/".join(p.strip() for p in self.cleaned_data["category"].split("/") if p.strip())
        if not value:
            raise forms.ValidationError(_("Enter a category name."))
        return value


class QuestionImportConfirmForm(forms.Form):
    """The previewed file travels back in a hidden field, so the preview saves nothing."""

    payload = forms.CharField(widget=forms.HiddenInput)
    format = forms.ChoiceField(choices=_format_choices, widget=forms.HiddenInput)
    category = forms.CharField(max_length=500, widget=forms.HiddenInput)
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.all(), required=False, widget=forms.HiddenInput
    )
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False, widget=forms.HiddenInput)

    def clean_payload(self):
        try:
            data = base64.b64decode(self.cleaned_data["payload"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(_("The file was damaged; upload it again.")) from exc
        if len(data) > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return data


class QuestionExportForm(forms.Form):
    quiz = forms.ModelChoiceField(
        label=_("Quiz"),
        queryset=Quiz.objects.all(),
        required=False,
        help_text=_("Export this quiz's questions…"),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=QuestionCategory.objects.select_related("parent"),
        required=False,
        help_text=_("…or this category's, with its sub-categories."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=_format_choices)

    def clean(self):
        data = super().clean()
        if bool(data.get("quiz")) == bool(data.get("category")):
            raise forms.ValidationError(_("Choose either a quiz or a category."))
        return data


class RolePlayForm(forms.Form):
    """Book a role-play: when, where and who grades (the graders of this trainee)."""

    scheduled_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_("Local time."),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    grader = forms.ModelChoiceField(label=_("Grader"), queryset=None)

    def __init__(self, *args, graders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grader"].queryset = graders
        self.fields["grader"].label_from_instance = display_name


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=SurveyReview.Decision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you send the grading back."),
    )
