"""A patient's statuses and the sets the app reads them by, named once (Patient.Status and
Patient.ACTIVE_STATUSES / CLOSED_STATUSES are these)."""

from __future__ import annotations

from django.db import models


class PatientStatus(models.TextChoices):
    WAITING = "waiting", "En attente"
    IN_CARE = "in_care", "Suivi par l'équipe"
    GP_FOUND = "gp_found", "Médecin traitant trouvé"
    MOVED = "moved", "Déménagé"
    DECEASED = "deceased", "Décédé"
    DECLINED = "declined", "A refusé le suivi"


# still followed by the team: on the waiting list or in care
ACTIVE_STATUSES = (PatientStatus.WAITING, PatientStatus.IN_CARE)
# left the registry: waiting time stops counting (priority), the file may be erased (GDPR)
CLOSED_STATUSES = (PatientStatus.GP_FOUND, PatientStatus.MOVED, PatientStatus.DECEASED, PatientStatus.DECLINED)
# the badge each status wears (waiting list, patient page)
STATUS_CSS = {
    PatientStatus.WAITING: "text-bg-warning",
    PatientStatus.IN_CARE: "text-bg-info",
    PatientStatus.GP_FOUND: "text-bg-success",
    PatientStatus.MOVED: "text-bg-secondary",
    PatientStatus.DECEASED: "text-bg-dark",
    PatientStatus.DECLINED: "text-bg-light border",
}
