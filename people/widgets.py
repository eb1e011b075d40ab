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
    templates, without a template render per option (about a millisecond each: the ramp-up
    dashboard's mentor filter has thousands of options at 10,000 trainees)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        # The templates' whitespace too, so the page reads the same either way.
        parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">\n"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('  <optgroup label="{}">\n', group_name))
            for option in options:
                parts.append(format_html('  <option value="{}"', str(option["value"])))
                parts.append(_attrs(option["attrs"]))
                parts.append(format_html(">{}</option>\n\n", option["label"]))
            if group_name:
                parts.append("  </optgroup>\n")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part escaped above
