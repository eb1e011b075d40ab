"""Server-side SVG charts (pygal): readable in a browser, a screenshot and a printout.

No JavaScript and no external assets: pygal's tooltip script (served from a CDN) is turned off.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from people.formatting import percent

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2430",
    foreground_strong="#1d2430",
    foreground_subtle="#c9d1dc",
    opacity="1",
    opacity_hover="1",
    colors=(
        "#8a94a6",
        "#1f5fbf",
        "#c2410c",
        "#15803d",
        "#7c3aed",
        "#b45309",
        "#0e7490",
        "#be185d",
        "#4d7c0f",
        "#1e3a8a",
        "#9f1239",
        "#065f46",
    ),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    stroke_width=3,
)


def _config(**options):
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "show_y_guides": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "truncate_legend": 40,
        "width": 900,
        "height": 440,
        "margin_bottom": 36,
        "explicit_size": False,
        "no_data_text": _("No complete months yet"),
        **options,
    }


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def _render(chart) -> str:
    # pygal always writes a <script> holding its tooltip configuration; without the tooltip
    # script it does nothing, and the Content Security Policy would refuse it anyway.
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _percent(value: Decimal | None) -> float | None:
    # pygal plots floats; figures are converted only at this drawing boundary.
    return None if value is None else round(float(value) * 100, 1)


def ramp_curve(
    *, plan, series: list[tuple[str, dict[int, Decimal]]], months: int, title: str
) -> str:
    """The plan curve (% of the full targets expected) against achieved % by month since hire."""
    highest = max([_percent(v) or 0 for _label, values in series for v in values.values()] + [100])
    chart = pygal.Line(
        **_config(
            title=title,
            x_title=_("Month since hire"),
            y_title=_("Share of the full monthly targets, %"),
            range=(0, max(120, 20 * (int(highest) // 20 + 1))),
            allow_interruptions=True,
            dots_size=4,
            # The y axis and the values as the reader writes them: «40 %» in Russian.
            value_formatter=lambda v: percent(v, 0),
        )
    )
    chart.x_labels = [str(k) for k in range(1, months + 1)]
    chart.add(
        _("Plan"),
        [float(plan.percentage(k)) if plan else None for k in range(1, months + 1)],
        stroke_style={"width": 4, "dasharray": "8, 6"},
    )
    for label, values in series:
        chart.add(label, [_percent(values.get(k)) for k in range(1, months + 1)])
    return _render(chart)
