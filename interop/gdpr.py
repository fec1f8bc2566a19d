"""The SAS connector's steps of erasure and right of access (registered in escorter.gdpr).

The consultation a SAS regulator booked stays (staffing erases its free text); what goes is
the link to the SAS's own record of the person: the appointment identifier the SAS gave it.
"""

from __future__ import annotations

from django.utils import timezone

from escorter import gdpr
from interop.models import SasAppointment


@gdpr.erasure_step("interop.sas_appointments")
def erase_sas_appointments(*, person: gdpr.Person) -> None:
    SasAppointment.objects.filter(consultation__patient_id=person.patient_id).delete()


@gdpr.access_section("rendez_vous_sas", "Rendez-vous pris par le SAS")
def sas_appointments_section(*, person: gdpr.Person) -> list[dict]:
    appointments = (
        SasAppointment.objects.filter(consultation__patient_id=person.patient_id)
        .select_related("client", "consultation")
        .order_by("created_at")
    )
    return [
        {
            "recu_le": timezone.localtime(a.created_at).strftime("%d/%m/%Y %H:%M"),
            "plateforme": a.client.name,
            "identifiant": a.identifier_value,
            "rendez_vous": timezone.localtime(a.consultation.start).strftime("%d/%m/%Y %H:%M"),
            "statut": a.consultation.get_status_display(),
        }
        for a in appointments
    ]
