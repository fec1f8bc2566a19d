"""Menu entries of the sites app."""

from escorter.roles import CARE_TEAM, Role

NAVIGATION: list = [
    ("Locaux", "sites:premises_list", CARE_TEAM, "bi-building"),
    ("Territoire", "sites:territory", (Role.COORDINATOR,), "bi-map"),
]
