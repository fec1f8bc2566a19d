"""Menu entries of the SAS connector."""

from escorter.roles import Role

NAVIGATION: list = [
    ("Publication au SAS", "interop:publication", (Role.COORDINATOR,), "bi-broadcast"),
]
