"""A small server-rendered SVG chart renderer: horizontal bars, stacked columns, a line over time.

Every chart is an ``<svg role="img">`` (``role="group"`` when its marks are drill-down links, which
an image may not contain) with a ``<title>`` and a ``<desc>`` (read by screen readers), sized by its ``viewBox`` so it scales and prints; the page puts the same numbers in a
data table next to it. Text is escaped; output is well-formed XML.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from openprocure.core.formatting import format_month

_ids = itertools.count(1)
PALETTE = ("#1f5fbf", "#9bb7e0", "#1d7a3a", "#8a5a00", "#a11d2b")


@dataclass(frozen=True)
class Item:
    """One labelled value; ``url`` makes the bar a link (drill-down)."""

    label: str
    value: Decimal
    url: str | None = None


@dataclass(frozen=True)
class Series:
    """A named row of values, one per category (a layer of a stacked chart)."""

    name: str
    values: Sequence[Decimal]


#: At most this many labels under a time axis: six short month names fit a 640-unit chart drawn
#: at phone width without touching each other.
MOST_TICKS = 6


def month_ticks(
    months: Sequence[datetime.date], *, most: int = MOST_TICKS, language: str | None = None
) -> list[str]:
    """The labels under a time axis, one per month: a short month name (``Jan 26``, ``janv. 26``)
    on every Nth month so that at most ``most`` are written, counting back from the last month
    (the latest is always named); an empty string where no label is written.

    Each point and column keeps its full month in its tooltip and the data table next to the chart.
    """
    every = max(1, math.ceil(len(months) / most))
    last = len(months) - 1
    return [
        format_month(month, language=language) if (last - index) % every == 0 else ""
        for index, month in enumerate(months)
    ]


def _tick(x: float, y: int, text: str) -> str:
    """A category label centred on ``x``; nothing for an empty label."""
    if not text:
        return ""
    return f'<text class="category" x="{_number(x)}" y="{y}" text-anchor="middle">{escape(text)}</text>'


def _number(value: Decimal | float) -> str:
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _short(value: Decimal) -> str:
    """A compact amount for axis and bar labels (1.2k, 3.4M)."""
    amount = float(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            return f"{amount / limit:.1f}{suffix}"
    return f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"


def _open(
    width: int, height: int, title: str, desc: str, css_class: str, *, links: bool = False
) -> tuple[str, str]:
    ident = f"chart-{next(_ids)}"
    role = "group" if links else "img"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class={quoteattr("chart " + css_class)} '
        f'viewBox="0 0 {width} {height}" width="100%" role="{role}" '
        f'aria-labelledby="{ident}-title {ident}-desc" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
    )
    return ident, head


def _link(url: str | None, inner: str, label: str) -> str:
    if not url:
        return inner
    return f"<a href={quoteattr(url)} aria-label={quoteattr(label)}>{inner}</a>"


def bar_chart(items: Sequence[Item], *, title: str, desc: str, width: int = 640) -> SafeString:
    """Horizontal bars, longest first as given, with the label left and the value right."""
    row, label_width, value_width = 26, 220, 70
    height = max(1, len(items)) * row + 8
    _ident, svg = _open(width, height, title, desc, "bars", links=any(item.url for item in items))
    top = max((item.value for item in items), default=Decimal(0))
    room = width - label_width - value_width
    parts = [svg]
    for index, item in enumerate(items):
        y = 4 + index * row
        length = float(item.value / top) * room if top > 0 else 0.0
        label = item.label if len(item.label) <= 30 else item.label[:29] + "…"
        bar = (
            f'<g class="bar"><title>{escape(item.label)}: {escape(str(item.value))}</title>'
            f'<text class="label" x="{label_width - 6}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{_number(max(length, 1.0))}" '
            f'height="{row - 8}" fill="{PALETTE[0]}"/>'
            f'<text class="value" x="{_number(label_width + length + 4)}" y="{y + 16}">'
            f"{escape(_short(item.value))}</text></g>"
        )
        parts.append(_link(item.url, bar, f"{item.label}: {item.value}"))
    if not items:
        parts.append(f'<text class="empty" x="{width // 2}" y="20" text-anchor="middle">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def stacked_bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    urls: Sequence[str | None] = (),
    ticks: Sequence[str] | None = None,
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Vertical columns, one per category, each a stack of the series' values (with a legend).

    ``ticks`` are the labels written under the columns (see :func:`month_ticks`); by default the
    categories themselves.
    """
    labels = list(categories) if ticks is None else list(ticks)
    left, bottom, top_margin, legend = 48, 28, 10, 22
    _ident, svg = _open(width, height + legend, title, desc, "stacked", links=any(urls))
    plot_height = height - bottom - top_margin
    totals = [sum((s.values[i] for s in series), Decimal(0)) for i in range(len(categories))]
    top = max(totals, default=Decimal(0))
    step = (width - left - 8) / max(1, len(categories))
    column = max(4.0, step * 0.7)
    parts = [svg, _axis(left, top_margin, plot_height, width, top)]
    for index, name in enumerate(categories):
        x = left + index * step + (step - column) / 2
        base = float(top_margin + plot_height)
        stack = []
        for layer, values in enumerate(series):
            value = values.values[index]
            size = float(value / top) * plot_height if top > 0 else 0.0
            base -= size
            stack.append(
                f'<rect class="segment" x="{_number(x)}" y="{_number(base)}" width="{_number(column)}" '
                f'height="{_number(size)}" fill="{PALETTE[layer % len(PALETTE)]}">'
                f"<title>{escape(name)} — {escape(values.name)}: {escape(str(value))}</title></rect>"
            )
        url = urls[index] if index < len(urls) else None
        parts.append(_link(url, f'<g class="column">{"".join(stack)}</g>', name))
        parts.append(_tick(x + column / 2, height - 10, labels[index]))
    for layer, values in enumerate(series):
        x = left + layer * 200
        parts.append(
            f'<g class="legend"><rect x="{x}" y="{height + 4}" width="12" height="12" '
            f'fill="{PALETTE[layer % len(PALETTE)]}"/>'
            f'<text x="{x + 16}" y="{height + 15}">{escape(values.name)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def line_chart(
    items: Sequence[Item],
    *,
    title: str,
    desc: str,
    ticks: Sequence[str] | None = None,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """A line through one value per period, with a marker (a link when given) on each point.

    ``ticks`` are the labels written under the points (see :func:`month_ticks`); by default the
    items' labels.
    """
    labels = [item.label for item in items] if ticks is None else list(ticks)
    left, bottom, top_margin = 48, 28, 10
    _ident, svg = _open(width, height, title, desc, "line", links=any(item.url for item in items))
    plot_height = height - bottom - top_margin
    top = max((item.value for item in items), default=Decimal(0))
    # Room on both sides for the first and last period labels, which are centred on their points.
    step = (width - left - 56) / max(1, len(items) - 1)
    points = []
    for index, item in enumerate(items):
        x = left + 24 + index * step
        y = top_margin + plot_height - (float(item.value / top) * plot_height if top > 0 else 0.0)
        points.append((x, y, item))
    parts = [svg, _axis(left, top_margin, plot_height, width, top)]
    if points:
        path = " ".join(f"{_number(x)},{_number(y)}" for x, y, _item in points)
        parts.append(
            f'<polyline class="series" fill="none" stroke="{PALETTE[0]}" stroke-width="2" points="{path}"/>'
        )
    for (x, y, item), tick in zip(points, labels, strict=True):
        marker = (
            f'<circle class="point" cx="{_number(x)}" cy="{_number(y)}" r="4" fill="{PALETTE[0]}">'
            f"<title>{escape(item.label)}: {escape(str(item.value))}</title></circle>"
        )
        parts.append(_link(item.url, marker, f"{item.label}: {item.value}"))
        parts.append(_tick(x, height - 10, tick))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _axis(left: int, top_margin: int, plot_height: int, width: int, top: Decimal) -> str:
    """The base line and three horizontal guide lines labelled with amounts."""
    lines = []
    for fraction in (0, 0.5, 1):
        y = top_margin + plot_height - fraction * plot_height
        value = top * Decimal(str(fraction))
        lines.append(
            f'<line class="grid" x1="{left}" x2="{width - 4}" y1="{_number(y)}" y2="{_number(y)}" '
            f'stroke="#d9dde5"/>'
            f'<text class="tick" x="{left - 4}" y="{_number(y + 4)}" text-anchor="end">{escape(_short(value))}</text>'
        )
    return '<g class="axis">' + "".join(lines) + "</g>"
