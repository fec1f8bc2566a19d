"""Menu entries of the patients app: (label, url name, roles, bootstrap icon)."""

from escorter.roles import STAFF, Role

NAVIGATION: list = [
    ("Liste d'attente", "patients:waiting_list", STAFF, "bi-people"),
    ("Importer une liste", "patients:import_upload", (Role.COORDINATOR,), "bi-upload"),
    ("Ligne SNP", "patients:call_list", STAFF, "bi-telephone-inbound"),
]
