"""Menu entries of the staffing app."""

from escorter.roles import CARE_TEAM, STAFF, Role

NAVIGATION: list = [
    ("Mon agenda", "staffing:my_agenda", (Role.PRACTITIONER,), "bi-calendar-heart"),
    ("Tableau de service", "staffing:rota", STAFF, "bi-calendar-week"),
    ("Calendrier", "staffing:territory_month", CARE_TEAM, "bi-calendar3"),
    # booking
    ("Ma journée", "staffing:practitioner_day", (Role.PRACTITIONER,), "bi-clipboard2-pulse"),
    ("Journée", "staffing:secretary_day", STAFF, "bi-calendar-day"),
    ("Planification", "staffing:scheduler", STAFF, "bi-magic"),
    ("À rappeler", "staffing:call_back_queue", STAFF, "bi-telephone-outbound"),
    ("Projection des délais", "staffing:planner", (Role.COORDINATOR,), "bi-hourglass-split"),
]
