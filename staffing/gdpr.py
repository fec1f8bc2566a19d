"""The staffing app's steps of erasure and right of access (registered in escorter.gdpr).

A person's consultations stay (dates, professional, status, orientation feed the funders'
figures); their free text and the addresses reminders were sent to go.
"""

from __future__ import annotations

from django.utils import timezone

from escorter import gdpr
from staffing.models import CallBack, Consultation, OutcomeChange, Reminder


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


@gdpr.erasure_step("staffing.consultations")
def erase_consultation_notes(*, person: gdpr.Person) -> None:
    Consultation.objects.filter(patient_id=person.patient_id).update(outcome_note="", explanation="", cancel_reason="")


@gdpr.erasure_step("staffing.reminders")
def erase_reminder_recipients(*, person: gdpr.Person) -> None:
    Reminder.objects.filter(consultation__patient_id=person.patient_id).update(recipient="", error="")


@gdpr.erasure_step("staffing.call_backs")
def erase_call_back_notes(*, person: gdpr.Person) -> None:
    """The "à rappeler" lines stay (counts of disruptions), closed and without their free text."""
    CallBack.objects.filter(patient_id=person.patient_id).update(reason=gdpr.REDACTED, outcome_note="")
    CallBack.objects.filter(patient_id=person.patient_id, status=CallBack.Status.OPEN).update(
        status=CallBack.Status.DONE, handled_at=timezone.now()
    )


@gdpr.erasure_step("staffing.outcome_changes")
def erase_outcome_change_reasons(*, person: gdpr.Person) -> None:
    OutcomeChange.objects.filter(consultation__patient_id=person.patient_id).update(reason=gdpr.REDACTED)


@gdpr.access_section("a_rappeler", "Rappels du secrétariat après une annulation")
def call_backs_section(*, person: gdpr.Person) -> list[dict]:
    return [
        {
            "depuis_le": _when(c.created_at),
            "raison": c.reason,
            "statut": c.get_status_display(),
            "traite_le": _when(c.handled_at),
            "suite": c.outcome_note,
        }
        for c in CallBack.objects.filter(patient_id=person.patient_id).order_by("created_at")
    ]


@gdpr.access_section("consultations", "Consultations")
def consultations_section(*, person: gdpr.Person) -> list[dict]:
    consultations = (
        Consultation.objects.filter(patient_id=person.patient_id)
        .select_related("professional", "permanence__premises")
        .order_by("start")
    )
    return [
        {
            "debut": _when(c.start),
            "fin": _when(c.end),
            "motif": c.get_kind_display(),
            "statut": c.get_status_display(),
            "professionnel": str(c.professional),
            "lieu": c.permanence.premises.name,
            "justification": c.explanation,
            "motif_d_annulation": c.cancel_reason,
            "arrivee": _when(c.arrived_at),
            "orientation": c.get_orientation_display(),
            "note": c.outcome_note,
        }
        for c in consultations
    ]


@gdpr.access_section("rappels", "Rappels envoyés")
def reminders_section(*, person: gdpr.Person) -> list[dict]:
    reminders = Reminder.objects.filter(consultation__patient_id=person.patient_id).order_by("created_at")
    return [
        {
            "canal": r.get_channel_display(),
            "destinataire": r.recipient,
            "statut": r.get_status_display(),
            "envoye_le": _when(r.sent_at),
        }
        for r in reminders
    ]
