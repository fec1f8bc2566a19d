"""Menu entries of the sites app."""

from escorter.roles import CARE_TEAM

NAVIGATION: list = [
    ("Locaux", "sites:premises_list", CARE_TEAM, "bi-building"),
]
