"""French names of days and months for labels built in Python (templates use Django's date filter)."""

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_label(year: int, month: int) -> str:
    """`month_label(2026, 11)` -> "novembre 2026"."""
    return f"{MONTHS_FR[month - 1]} {year}"
