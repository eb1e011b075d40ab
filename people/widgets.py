"""Form widgets the floors share."""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python: in order, True as a bare name, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, str(value)))
    return "".join(parts)


class QuickSelect(forms.Select):
    """A ``<select>`` rendered in Python: the HTML of Django's select.html and select_option.html
    templates (tests/people/test_widgets.py compares them), straight from the choices, without
    a template render or an option dictionary per option (about a millisecond each: the
    ramp-up dashboard's mentor filter has thousands of options at 10,000 trainees)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        values = set(self.format_value(value))
        # The templates' whitespace too, so the page reads the same either way.
        parts = [format_html('<select name="{}"', name), _attrs(attrs), ">\n"]
        state = {"selected": False}  # as Select.optgroups: only the first match is selected

        def option(option_value, label):
            option_value = "" if option_value is None else str(option_value)
            selected = not state["selected"] and option_value in values
            state["selected"] |= selected
            parts.append(
                format_html(
                    '  <option value="{}"{}>{}</option>\n\n',
                    option_value,
                    mark_safe(" selected") if selected else "",
                    label,
                )
            )

        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(format_html('  <optgroup label="{}">\n', option_value))
                for sub_value, sub_label in label:
                    option(sub_value, sub_label)
                parts.append("  </optgroup>\n")
            else:
                option(option_value, label)
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above
