import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What shows the trainee is ready to work on their own."),
    )


class MonthPercentagesWidget(forms.MultiWidget):
    """The ramp plan's monthly percentages as six labelled number fields (the model keeps a
    JSON list): empty fields at the end are left out, so those months use 100 %."""

    months = 6

    def __init__(self, attrs=None):
        number = {"min": 0, "max": 100, "step": "any", "inputmode": "decimal"}
        super().__init__([forms.NumberInput(attrs=number) for _n in range(self.months)], attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = []
        values = list(value) if isinstance(value, list) else []
        return (values + [None] * self.months)[: self.months]

    def value_from_datadict(self, data, files, name):
        raw = [(v or "").strip() for v in super().value_from_datadict(data, files, name)]
        while raw and not raw[-1]:
            raw.pop()
        values = []
        for item in raw:
            try:
                number = Decimal(item.replace(",", "."))
            except InvalidOperation:
                values.append(item)  # the model's clean() names the mistake
                continue
            values.append(int(number) if number == number.to_integral_value() else float(number))
        return json.dumps(values)

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        rows = []
        for n, widget in enumerate(context["widget"]["subwidgets"], start=1):
            sub = self.widgets[n - 1]
            field = sub.render(widget["name"], widget["value"], widget["attrs"], renderer)
            rows.append(
                format_html(
                    '<label class="month-percentage" for="{}">{} {}&nbsp;%</label>',
                    widget["attrs"].get("id", ""),
                    _("Month %(n)s") % {"n": n},
                    field,
                )
            )
        return format_html(
            '<div class="month-percentages">{}</div>',
            format_html_join(" ", "{}", ((r,) for r in rows)),
        )
