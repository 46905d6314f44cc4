"""An SVG bar chart of rebuild times, written by hand (no chart library, nothing fetched).

Input: rows of (scenario title, network label, {variant key: seconds or None}), the variants in order, and a subtitle.
Output: SVG text: one group of horizontal bars per row (one bar per variant, labelled with its
seconds), a shared seconds axis with grid lines, and a legend.
Invariants: pure function of its input; every text is XML-escaped; an empty input or missing
values still give a valid SVG (missing bars read "n/a").
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from harness.config import Variant

VARIANT_COLORS = {"stock": "#9a9a9a", "hand-mounts": "#4a7fb5", "cachefront": "#e0772f"}
WIDTH = 980
LABEL_WIDTH = 270
RIGHT_MARGIN = 70
TOP = 78
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 16
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'


def nice_axis_maximum(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def svg_text(x: float, y: float, content: str, size: int, anchor: str = "start", fill: str = "#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(content)}</text>"
    )


def render_chart(
    rows: list[tuple[str, str, dict[str, float | None]]], variants: list[Variant], title: str, subtitle: str
) -> str:
    values = [seconds for _, _, by_variant in rows for seconds in by_variant.values() if seconds is not None]
    axis_maximum = nice_axis_maximum(max(values) if values else 1.0)
    plot_width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN
    group_height = len(variants) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    plot_height = max(1, len(rows)) * (group_height + GROUP_GAP)
    height = TOP + plot_height + 60

    def x_of(seconds: float) -> float:
        return LABEL_WIDTH + plot_width * seconds / axis_maximum

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" {FONT} font-size="17" font-weight="bold">{escape(title)}</text>',
        f'<text x="16" y="46" {FONT} font-size="12" fill="#444">{escape(subtitle)}</text>',
    ]
    legend_x = 16
    for variant in variants:
        parts.append(
            f'<rect x="{legend_x}" y="56" width="12" height="12" fill="{VARIANT_COLORS.get(variant.key, "#666")}"/>'
        )
        parts.append(f'<text x="{legend_x + 17}" y="66" {FONT} font-size="12">{escape(variant.label)}</text>')
        legend_x += 24 + 7 * len(variant.label)
    ticks = 5
    for tick in range(ticks + 1):
        seconds = axis_maximum * tick / ticks
        x = x_of(seconds)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{TOP + plot_height}" stroke="#e3e3e3"/>'
        )
        parts.append(svg_text(x, TOP + plot_height + 16, f"{seconds:g}", 11, "middle", "#444"))
    axis_title = "rebuild wall time, seconds (median)"
    parts.append(svg_text(LABEL_WIDTH + plot_width / 2, TOP + plot_height + 36, axis_title, 12, "middle"))
    for row_index, (title, network_label, by_variant) in enumerate(rows):
        group_top = TOP + row_index * (group_height + GROUP_GAP)
        label_y = group_top + group_height / 2
        parts.append(svg_text(LABEL_WIDTH - 10, label_y - 2, title, 12, "end"))
        parts.append(svg_text(LABEL_WIDTH - 10, label_y + 12, network_label, 11, "end", "#555"))
        for variant_index, variant in enumerate(variants):
            bar_top = group_top + variant_index * (BAR_HEIGHT + BAR_GAP)
            seconds = by_variant.get(variant.key)
            text_y = bar_top + BAR_HEIGHT - 3
            if seconds is None:
                parts.append(svg_text(LABEL_WIDTH + 4, text_y, "n/a", 10, fill="#888"))
                continue
            bar_width = max(1.0, x_of(seconds) - LABEL_WIDTH)
            color = VARIANT_COLORS.get(variant.key, "#666")
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{bar_top}" width="{bar_width:.1f}" height="{BAR_HEIGHT}" fill="{color}"/>'
            )
            parts.append(svg_text(LABEL_WIDTH + bar_width + 4, text_y, f"{seconds:.1f}", 10))
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" y2="{TOP + plot_height}" stroke="#888"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
