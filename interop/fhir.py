"""FHIR R4 JSON resources for the SAS, built as plain dicts from our models.

Codes and profiles come from the ANS "Service d'Accès aux Soins" implementation guide
(CPTS use case): see ../shared/reference/sas-fhir-ig/input/fsh/. The guide's canonical
URLs are inconsistent (http://sas.fr/… and https://interop.esante.gouv.fr/…): we use
each profile's own, as listed on its Slot search page.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.utils import timezone

from escorter.phones import phone_uri
from interop.selectors import PublishedSlot, slot_id

FHIR_VERSION = "4.0.1"
CONTENT_TYPE = "application/fhir+json; charset=utf-8"
IG_URL = "https://interop.esante.gouv.fr/ig/fhir/sas"

_IG_SD = f"{IG_URL}/StructureDefinition"
PROFILE = {
    "Bundle": f"{_IG_SD}/sas-cpts-bundle-aggregator",
    "Slot": f"{_IG_SD}/sas-cpts-slot-aggregator",
    "Schedule": "http://sas.fr/fhir/StructureDefinition/FrScheduleAgregateur",
    "Practitioner": "http://sas.fr/fhir/StructureDefinition/FrPractitionerAgregateur",
    "PractitionerRole": "http://sas.fr/fhir/StructureDefinition/FrPractitionerRoleExerciceAgregateur",
    "Location": "http://sas.fr/fhir/StructureDefinition/FrLocationAgregateur",
    "HealthcareService": f"{_IG_SD}/sas-cpts-healthcareservice-aggregator",
    "Organization": f"{_IG_SD}/sas-cpts-organization-aggregator",
    "Appointment": "http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS",
}

SYSTEM_RPPS = "urn:oid:1.2.250.1.71.4.2.1"  # national health professional identifiers (prefix 8 = RPPS)
SYSTEM_FINESS = "urn:oid:1.2.250.1.71.4.2.2"  # national structure identifiers (prefix 1 = FINESS)
SYSTEM_INS_NIR = ("urn:oid:1.2.250.1.213.1.4.8", "urn:oid:1.2.250.1.213.1.4.9", "urn:oid:1.2.250.1.213.1.4.10")
SYSTEM_IDENTIFIER_TYPE = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
SYSTEM_FR_CORE_IDENTIFIER_TYPE = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
SYSTEM_TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
SYSTEM_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SYSTEM_CATEGORIE_ETABLISSEMENT = (
    "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
)
SYSTEM_SPECIALITE = "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale"
SYSTEM_APPOINTMENT_REASON = "http://terminology.hl7.org/CodeSystem/v2-0276"
EXTENSION_SERVICE_TYPE_R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"
EXTENSION_APPOINTMENT_OPERATOR = "http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator"

CPTS_CATEGORY = "604"  # TRE_R66: Communauté Professionnelle Territoriale de Santé
GENERAL_MEDICINE = "SM54"  # TRE_R38: Médecine générale
ORGANIZATION_ID = "cpts"
HEALTHCARE_SERVICE_ID = "snp"
LOCATION_ID = "lieu"


def instant(value: dt.datetime) -> str:
    """'2026-06-12T16:40:00+02:00': Europe/Paris, seconds, offset (FHIR instant)."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def reference(resource_type: str, resource_id: str) -> dict:
    return {"reference": f"{resource_type}/{resource_id}"}


def rpps_identifier(professional) -> dict:
    return {
        "type": {"coding": [{"system": SYSTEM_IDENTIFIER_TYPE, "code": "IDNPS"}]},
        "system": SYSTEM_RPPS,
        "value": f"8{professional.rpps}",
    }


def finess_identifier(*, fr_core: bool = False) -> dict:
    system = SYSTEM_FR_CORE_IDENTIFIER_TYPE if fr_core else SYSTEM_IDENTIFIER_TYPE
    return {
        "type": {"coding": [{"system": system, "code": "IDNST"}]},
        "system": SYSTEM_FINESS,
        "value": f"1{settings.SAS_CPTS_FINESS}",
    }


def phone(number: str) -> list[dict]:
    """ContactPoint in E.164 (+33…), the form regulators' systems dial; as typed if unparsable."""
    number = (number or "").strip()
    return [{"system": "phone", "value": phone_uri(number) or number}] if number else []


# --- Slot search -------------------------------------------------------------------------


def practitioner_id(professional) -> str:
    return str(professional.pk)


def role_id(permanence) -> str:
    """One PractitionerRole (and one Schedule) per professional and premises: the Location is contained."""
    return f"{permanence.professional_id}-{permanence.premises_id}"


def slot_resource(slot: PublishedSlot, *, booking_url: str) -> dict:
    permanence = slot.permanence
    return {
        "resourceType": "Slot",
        "id": slot.fhir_id,
        "meta": {
            "profile": [PROFILE["Slot"]],
            "security": [
                {"system": SYSTEM_TYPE_CRENEAU, "code": "SNP"},
                {"system": SYSTEM_TYPE_CRENEAU, "code": "CPTS"},
            ],
        },
        "serviceType": [
            {"coding": [{"system": SYSTEM_ACT_CODE, "code": "AMB", "display": "Consultation au cabinet"}]},
            {
                "extension": [
                    {
                        "url": EXTENSION_SERVICE_TYPE_R5,
                        "valueReference": reference("HealthcareService", HEALTHCARE_SERVICE_ID),
                    }
                ],
                "coding": [{"system": SYSTEM_CATEGORIE_ETABLISSEMENT, "code": CPTS_CATEGORY}],
            },
        ],
        "specialty": [{"coding": [{"system": SYSTEM_SPECIALITE, "code": GENERAL_MEDICINE}]}],
        "appointmentType": {"coding": [{"system": SYSTEM_APPOINTMENT_REASON, "code": "ROUTINE"}]},
        "schedule": reference("Schedule", role_id(permanence)),
        "status": "free",
        "start": instant(slot.start),
        "end": instant(slot.end),
        "comment": booking_url,
    }


def schedule_resource(permanence) -> dict:
    return {
        "resourceType": "Schedule",
        "id": role_id(permanence),
        "meta": {"profile": [PROFILE["Schedule"]]},
        "active": True,
        "actor": [
            reference("Practitioner", practitioner_id(permanence.professional)),
            reference("PractitionerRole", role_id(permanence)),
        ],
    }


def practitioner_resource(professional) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": practitioner_id(professional),
        "meta": {"profile": [PROFILE["Practitioner"]]},
        "identifier": [rpps_identifier(professional)],
        "name": [{"family": professional.last_name, "given": [professional.first_name]}],
    }


def location_resource(premises) -> dict:
    commune = premises.commune
    postal_code = premises.postal_code or (commune.postal_codes[0] if commune.postal_codes else "")
    return {
        "resourceType": "Location",
        "id": LOCATION_ID,
        "meta": {"profile": [PROFILE["Location"]]},
        "name": premises.name,
        "address": {"line": [premises.address], "city": commune.name, "postalCode": postal_code},
    }


def practitioner_role_resource(permanence) -> dict:
    return {
        "resourceType": "PractitionerRole",
        "id": role_id(permanence),
        "meta": {"profile": [PROFILE["PractitionerRole"]]},
        "contained": [location_resource(permanence.premises)],
        "practitioner": reference("Practitioner", practitioner_id(permanence.professional)),
        "organization": {"identifier": finess_identifier()},
        "location": [{"reference": f"#{LOCATION_ID}"}],
        "telecom": phone(settings.ESCORTER_TEAM_PHONE),
    }


def healthcare_service_resource() -> dict:
    return {
        "resourceType": "HealthcareService",
        "id": HEALTHCARE_SERVICE_ID,
        "meta": {"profile": [PROFILE["HealthcareService"]]},
        "providedBy": reference("Organization", ORGANIZATION_ID),
        "name": f"Soins non programmés – {settings.ESCORTER_TERRITORY_NAME}",
        "telecom": phone(settings.ESCORTER_TEAM_PHONE),
    }


def organization_resource() -> dict:
    return {
        "resourceType": "Organization",
        "id": ORGANIZATION_ID,
        "meta": {"profile": [PROFILE["Organization"]]},
        "identifier": [finess_identifier(fr_core=True)],
        "name": settings.ESCORTER_TERRITORY_NAME,
        "telecom": phone(settings.ESCORTER_TEAM_PHONE),
    }


def _entry(base: str, resource: dict, mode: str) -> dict:
    return {
        "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def slot_bundle(slots: list[PublishedSlot], *, base: str, self_url: str, booking_url: str, includes: set[str]) -> dict:
    """The searchset: the slots (mode match) and, as asked by _include, what they point to (mode include)."""
    entries = [_entry(base, slot_resource(slot, booking_url=booking_url), "match") for slot in slots]
    permanences = {role_id(s.permanence): s.permanence for s in slots}
    included: list[dict] = []
    if "Slot:schedule" in includes:
        included += [schedule_resource(p) for p in permanences.values()]
        if "Schedule:actor" in includes:
            professionals = {p.professional_id: p.professional for p in permanences.values()}
            included += [practitioner_resource(p) for p in professionals.values()]
            included += [practitioner_role_resource(p) for p in permanences.values()]
    if "Slot:service-type-reference" in includes and slots:
        # the one service every slot points to, and (as in the guide's examples) the CPTS providing it
        included += [healthcare_service_resource(), organization_resource()]
    entries += [_entry(base, resource, "include") for resource in included]
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"profile": [PROFILE["Bundle"]], "lastUpdated": instant(timezone.now())},
        "type": "searchset",
        "total": len(slots),
        "link": [{"relation": "self", "url": self_url}],
        "entry": entries,
    }


# --- Appointments --------------------------------------------------------------------------

APPOINTMENT_STATUS = {
    "booked": "booked",
    "proposed": "booked",
    "done": "fulfilled",
    "no_show": "noshow",
    "cancelled": "cancelled",
}


def appointment_resource(appointment) -> dict:
    """Our view of a SAS appointment: its identifier, slot, times, practitioner and status (no patient data)."""
    consultation = appointment.consultation
    resource = {
        "resourceType": "Appointment",
        "id": str(appointment.pk),
        "meta": {"profile": [PROFILE["Appointment"]]},
        "identifier": [{"system": appointment.identifier_system, "value": appointment.identifier_value}],
        "status": APPOINTMENT_STATUS.get(consultation.status, "booked"),
        "start": instant(consultation.start),
        "end": instant(consultation.end),
        "created": instant(appointment.created_at),
        "slot": [reference("Slot", slot_id(consultation.permanence_id, consultation.start))],
        "participant": [
            {
                "actor": {
                    "reference": f"Practitioner/{practitioner_id(consultation.professional)}",
                    "identifier": rpps_identifier(consultation.professional),
                },
                "status": "accepted",
            }
        ],
    }
    if consultation.is_cancelled:
        resource["cancelationReason"] = {"text": consultation.cancel_reason}
    if appointment.operator_value:
        resource["extension"] = [
            {
                "url": EXTENSION_APPOINTMENT_OPERATOR,
                "valueReference": {
                    "identifier": {"system": appointment.operator_system, "value": appointment.operator_value}
                },
            }
        ]
    return resource


# --- Errors and capabilities -----------------------------------------------------------------


def operation_outcome(message: str, *, code: str = "processing", details: list[str] | None = None) -> dict:
    """An OperationOutcome with one French message (and one issue per detail, e.g. per invalid field)."""
    issues = [{"severity": "error", "code": code, "diagnostics": message, "details": {"text": message}}]
    issues += [{"severity": "error", "code": "invalid", "diagnostics": d} for d in details or []]
    return {"resourceType": "OperationOutcome", "issue": issues}


def capability_statement(*, base: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "id": "escorter",
        "status": "active",
        "date": "2026-12-01",
        "publisher": settings.ESCORTER_TERRITORY_NAME,
        "kind": "instance",
        "instantiates": [f"{IG_URL}/CapabilityStatement/SAS-GestionnaireAgenda-CPTS"],
        "software": {"name": "Escorter"},
        "implementation": {"description": "Agenda de soins non programmés de la CPTS", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "implementationGuide": [IG_URL],
        "rest": [
            {
                "mode": "server",
                "documentation": "Créneaux de soins non programmés de la CPTS publiés au SAS, prise et annulation "
                "de rendez-vous.",
                "security": {
                    "cors": False,
                    "description": "Jeton porteur par client (en-tête Authorization: Bearer), droits par client "
                    "(slot:read, appointment:write), appels journalisés et limités en débit ; TLS obligatoire.",
                },
                "resource": [
                    {
                        "type": "Slot",
                        "supportedProfile": [PROFILE["Slot"]],
                        "interaction": [{"code": "search-type"}],
                        "searchInclude": [
                            "Slot:schedule",
                            "Schedule:actor",
                            "Slot:service-type-reference",
                            "HealthcareService:organization",
                        ],
                        "searchParam": [
                            {
                                "name": "start",
                                "definition": f"{IG_URL}/SearchParameter/slot-sp-start",
                                "type": "date",
                                "documentation": "Début du créneau : ge (début de la période) et le (fin), "
                                f"{31} jours au plus.",
                            },
                            {"name": "status", "type": "token", "documentation": "free uniquement."},
                            {
                                "name": "schedule.actor:Practitioner.identifier",
                                "type": "token",
                                "documentation": f"RPPS préfixé par 8 ({SYSTEM_RPPS}|8…), 25 au plus.",
                            },
                        ],
                    },
                    {
                        "type": "Appointment",
                        "supportedProfile": [PROFILE["Appointment"]],
                        "interaction": [{"code": "create"}, {"code": "read"}, {"code": "update"}],
                        "conditionalUpdate": True,
                        "searchParam": [{"name": "identifier", "type": "token"}],
                    },
                ],
            }
        ],
    }
