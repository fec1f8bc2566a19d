"""Menu entries of the reporting app."""

from escorter.roles import STAFF, Role

NAVIGATION = [
    ("Portail financeur", "reporting:portal", (Role.FUNDER,), "bi-bar-chart"),
    # the monthly reports list is one click away from the dashboard: the menu is already long
    ("Tableau de bord", "reporting:dashboard", (Role.COORDINATOR,), "bi-graph-up"),
    ("Financements", "reporting:funding_list", (Role.COORDINATOR,), "bi-cash-coin"),
    ("Carte des besoins", "reporting:territory_map", STAFF, "bi-map"),
]
