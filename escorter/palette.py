"""The app's colours shared by pages, charts and the funder report (one source, AA contrast).

Each colour carries white text at 4.5:1 or more (WCAG 2.1 AA), so badges, chart bars
and PDF tables all use the same tier colours.
"""

TIER_COLOURS = {"P1": "#b42318", "P2": "#b54708", "P3": "#667085"}
# Series colours for charts after the three tiers: dark enough for white labels.
SERIES_COLOURS = ["#1f5f8b", "#2a7f7a", "#8a5a00", "#6941c6", "#3b7a1f"]
