"""The dashboard's charts: server-rendered SVG from pygal (pages work without JavaScript;
no CDN, the package comes from PyPI)."""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

from zones.capacity.selectors import Figure

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    colors=("#0d6efd", "#20c997"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
)


def capacity_chart(figures: Sequence[Figure]) -> str:
    """A horizontal bar per capacity type: the percentage allocated and the percentage used,
    labelled as such (CloudStack's dashboard calls both "used": apache/cloudstack#10185); a
    data: URL of the SVG, for an <img>. Drawn once per set of bars a process is asked for
    (pygal takes milliseconds; the figures change only when capacity does)."""
    return _chart(
        tuple(
            (
                figure.name,
                round(figure.allocated_fraction * 100, 2),
                round(figure.used_fraction * 100, 2),
            )
            for figure in figures
        )
    )


@functools.lru_cache(maxsize=64)
def _chart(bars: tuple[tuple[str, float, float], ...]) -> str:
    """The chart of BARS, each (name, % allocated, % used)."""
    chart = pygal.HorizontalBar(
        width=720,
        height=60 + 34 * max(len(bars), 1),
        style=_STYLE,
        range=(0, 100),
        show_legend=True,
        legend_at_bottom=True,
        disable_xml_declaration=True,
        js=[],  # no script: the SVG is a picture, the figures are in the cards beside it
        print_values=False,
        title="Region capacity (%)",
    )
    chart.x_labels = [name for name, _, _ in bars]
    chart.add("Allocated", [allocated for _, allocated, _ in bars])
    chart.add("Used", [used for _, _, used in bars])
    # A picture (the figures are in the cards beside it): pygal's tooltip script is left out,
    # and the SVG goes in as a data: image, whose own <style> the page's strict CSP
    # (style-src 'self', img-src 'self' data:) does not reach.
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
