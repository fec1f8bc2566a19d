"""Menu entries of the reporting app."""

from escorter.roles import Role

NAVIGATION = [
    ("Portail financeur", "reporting:portal", (Role.FUNDER,), "bi-bar-chart"),
]
