"""Display helpers of the capacity planner's tables."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def wait_days(value) -> str:
    """None: no patient; negative: not reached within the horizon; else "12 j"."""
    if value is None:
        return "—"
    if value < 0:
        return "au-delà"
    return f"{value:.0f} j"


@register.simple_tag
def projection_rows(result: dict) -> list[dict]:
    """One row per tier: today's projection beside the variant's, and the change in median."""
    baseline = (result or {}).get("baseline") or {}
    variant = (result or {}).get("variant") or {}
    rows = []
    for tier, figures in (baseline.get("tiers") or {}).items():
        other = (variant.get("tiers") or {}).get(tier)
        change = None
        if other and figures.get("median_from_today") is not None and other.get("median_from_today") is not None:
            if figures["median_from_today"] >= 0 and other["median_from_today"] >= 0:
                change = other["median_from_today"] - figures["median_from_today"]
        rows.append({"tier": tier, "base": figures, "variant": other, "change": change})
    return rows


@register.filter
def projection_groups(result: dict) -> list[str]:
    """The column groups of the table: today's projection, and the variant's if any."""
    return ["baseline", "variant"] if (result or {}).get("variant") else ["baseline"]
