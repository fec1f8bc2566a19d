"""Small server-side SVG charts for the PDF (WeasyPrint draws SVG natively; no JavaScript)."""

from __future__ import annotations

import math
from html import escape

from escorter.palette import SERIES_COLOURS, TIER_COLOURS
from reporting.tables import ProtectedTable

PALETTE = SERIES_COLOURS
LABEL_CHARS = 28  # longer category labels are shortened with "…"


def _colour(name: str, k: int) -> str:
    """The app's tier colours for P1/P2/P3 series (same as the badges), the palette otherwise."""
    tier = name.strip().split(" ")[0]
    return TIER_COLOURS.get(tier) or PALETTE[k % len(PALETTE)]


FONT = "font-family='DejaVu Sans, sans-serif'"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return candidate
    return 10 ** (exponent + 1)


def _fmt(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:g}".replace(".", ",")


def bar_chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    stacked: bool = False,
    width: int = 680,
    height: int = 240,
    percent: bool = False,
) -> str:
    """Grouped (or stacked) vertical bars; a None value (masked) draws nothing.

    The bottom margin grows with the longest category label (drawn at -40°), so none is cut.
    """
    longest = min(LABEL_CHARS, max((len(label) for label in labels), default=0))
    left, right, top, bottom = 64, 12, 12, max(40, int(16 + longest * 4.2))
    height = max(height, top + 150 + bottom)
    plot_w, plot_h = width - left - right, height - top - bottom
    if stacked:
        peak = max((sum(v or 0 for v in column) for column in zip(*[s[1] for s in series], strict=True)), default=0)
    else:
        peak = max((v or 0 for _, values in series for v in values), default=0)
    peak = _nice_max(float(peak) * (100 if percent else 1))
    scale = plot_h / peak
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height + 22 * ((len(series) + 2) // 3)}' "
        f"viewBox='0 0 {width} {height + 22 * ((len(series) + 2) // 3)}' {FONT} font-size='10'>"
    ]
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - value * scale
        parts.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#e3e6ea'/>")
        label = _fmt(value) + (" %" if percent else "")
        parts.append(f"<text x='{left - 6}' y='{y + 3:.1f}' text-anchor='end' fill='#555'>{label}</text>")
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = slot * 0.7 / (1 if stacked else max(1, len(series)))
    for i, label in enumerate(labels):
        x0 = left + i * slot + slot * 0.15
        base = top + plot_h
        for k, (_, values) in enumerate(series):
            value = values[i]
            if value is None:
                continue
            h = float(value) * (100 if percent else 1) * scale
            color = _colour(series[k][0], k)
            if stacked:
                parts.append(
                    f"<rect x='{x0:.1f}' y='{base - h:.1f}' width='{bar_w:.1f}' height='{h:.1f}' fill='{color}'/>"
                )
                base -= h
            else:
                x = x0 + k * bar_w
                parts.append(
                    f"<rect x='{x:.1f}' y='{base - h:.1f}' width='{bar_w * 0.92:.1f}' height='{h:.1f}' fill='{color}'/>"
                )
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        cx = left + i * slot + slot / 2
        parts.append(
            f"<text x='{cx:.1f}' y='{top + plot_h + 12}' text-anchor='end' fill='#333' "
            f"transform='rotate(-40 {cx:.1f} {top + plot_h + 12})'>{escape(short)}</text>"
        )
    parts.append(f"<line x1='{left}' y1='{top + plot_h}' x2='{width - right}' y2='{top + plot_h}' stroke='#888'/>")
    for k, (name, _) in enumerate(series):
        x = left + (k % 3) * (plot_w / 3)
        y = height + 6 + 22 * (k // 3)
        parts.append(f"<rect x='{x:.1f}' y='{y}' width='10' height='10' fill='{_colour(name, k)}'/>")
        parts.append(f"<text x='{x + 14:.1f}' y='{y + 9}' fill='#333'>{escape(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def line_chart(labels: list[str], series: list[tuple[str, list[float | None]]], *, width=680, height=220) -> str:
    left, right, top, bottom = 48, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = _nice_max(max((v or 0 for _, values in series for v in values), default=0))
    scale = plot_h / peak
    n = max(2, len(labels))
    step = plot_w / (n - 1)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' {FONT} font-size='10'>"]
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - value * scale
        parts.append(f"<line x1='{left}' y1='{y:.1f}' x2='{width - right}' y2='{y:.1f}' stroke='#e3e6ea'/>")
        parts.append(f"<text x='{left - 6}' y='{y + 3:.1f}' text-anchor='end' fill='#555'>{_fmt(value)}</text>")
    for k, (name, values) in enumerate(series):
        points = [
            f"{left + i * step:.1f},{top + plot_h - float(v) * scale:.1f}"
            for i, v in enumerate(values)
            if v is not None
        ]
        color = _colour(name, k)
        parts.append(f"<polyline points='{' '.join(points)}' fill='none' stroke='{color}' stroke-width='2'/>")
    for i, label in enumerate(labels):
        parts.append(
            f"<text x='{left + i * step:.1f}' y='{top + plot_h + 14}' text-anchor='middle' fill='#333'>"
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def table_chart(table: ProtectedTable) -> str:
    """The chart a protected table asks for, drawn from its displayed (masked) values only."""
    rows = table.chart_rows()
    columns = table.chart_columns()
    fmts = [table.formats[j] for j in columns]
    # charts draw counts or hours, not rates: keep the columns sharing the first column's unit
    keep = [j for j, fmt in zip(columns, fmts, strict=True) if fmt == fmts[0] and fmt not in ("pct",)]
    labels = [label for label, _ in rows]
    series = [(table.header[j], [cells[j].value for _, cells in rows]) for j in keep]
    if not rows or not series or not any(v for _, values in series for v in values):
        return ""  # nothing to draw: an empty frame would only puzzle the reader
    if table.chart == "stacked":
        # stack the columns for each row: one bar per row, one colour per column
        return bar_chart(labels, series, stacked=True)
    return bar_chart(labels, series)
