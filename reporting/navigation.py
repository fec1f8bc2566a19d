"""Menu entries of the reporting app."""

from escorter.roles import Role

NAVIGATION = [
    ("Portail financeur", "reporting:portal", (Role.FUNDER,), "bi-bar-chart"),
    ("Tableau de bord", "reporting:dashboard", (Role.COORDINATOR,), "bi-graph-up"),
    ("Rapports mensuels", "reporting:report_list", (Role.COORDINATOR,), "bi-file-earmark-bar-graph"),
    ("Financements", "reporting:funding_list", (Role.COORDINATOR,), "bi-cash-coin"),
]
