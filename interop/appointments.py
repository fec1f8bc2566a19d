"""Reading the Appointment resources the SAS sends: structure checked by fhir.resources (R4B models),
then the elements the SAS profile (FrAppointmentSAS) and our booking need.

Structure errors answer 400, missing or unusable business elements 422, both with the
French reason and one issue per faulty element.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from fhir.resources.R4B.appointment import Appointment
from pydantic import ValidationError as ModelError

from interop.api import FhirError
from interop.fhir import SYSTEM_INS_NIR
from patients.normalise import clean_nir, clean_phone

MAX_DETAILS = 10


@dataclass
class Identity:
    last_name: str
    first_names: str
    birth_date: dt.date
    sex: str = ""
    nir: str = ""
    phone: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass
class SasRequest:
    identifier_system: str
    identifier_value: str
    status: str
    slot_id: str
    identity: Identity | None
    operator_system: str = ""
    operator_value: str = ""


def _model(data: dict) -> Appointment:
    if data.get("resourceType") != "Appointment":
        raise FhirError(400, "Ressource Appointment attendue (resourceType).", code="structure")
    try:
        return Appointment.model_validate(data)
    except ModelError as exc:
        details = [
            f"{'.'.join(str(part) for part in error['loc'])} : {error['msg']}" for error in exc.errors()[:MAX_DETAILS]
        ]
        raise FhirError(400, "Ressource Appointment mal formée (FHIR R4).", code="structure", details=details)
    except (TypeError, ValueError) as exc:
        raise FhirError(400, f"Ressource Appointment mal formée : {exc}", code="structure")


def _unprocessable(message: str, details: list[str] | None = None):
    return FhirError(422, message, code="business-rule", details=details)


def _identifier(model: Appointment) -> tuple[str, str]:
    identifiers = [i for i in model.identifier or [] if i.value]
    if len(identifiers) != 1 or not identifiers[0].system:
        raise _unprocessable("Le rendez-vous doit porter un identifiant (identifier.system et identifier.value).")
    return str(identifiers[0].system), str(identifiers[0].value)[:100]


def _slot(model: Appointment) -> str:
    references = [s.reference for s in model.slot or [] if s.reference]
    if len(references) != 1 or not references[0].startswith("Slot/"):
        raise _unprocessable("Le rendez-vous doit désigner un créneau (slot.reference = « Slot/<id> »).")
    return references[0].removeprefix("Slot/")


def _operator(model: Appointment) -> tuple[str, str]:
    for extension in model.extension or []:
        reference = getattr(extension, "valueReference", None)
        identifier = getattr(reference, "identifier", None) if reference is not None else None
        if identifier is not None and identifier.value:
            return str(identifier.system or "")[:200], str(identifier.value)[:100]
    return "", ""


def _patient_resource(model: Appointment):
    patients = {p.id: p for p in model.contained or [] if p.get_resource_type() == "Patient"}
    for participant in model.participant or []:
        ref = participant.actor.reference if participant.actor is not None else None
        if ref and ref.startswith("#") and ref[1:] in patients:
            return patients[ref[1:]]
    return next(iter(patients.values()), None)


def _identity(model: Appointment) -> Identity:
    patient = _patient_resource(model)
    if patient is None:
        raise _unprocessable("Le patient doit être transmis dans une ressource Patient contenue (contained).")
    problems = []
    names = [n for n in patient.name or [] if n.family]
    official = next((n for n in names if n.use == "official"), names[0] if names else None)
    if official is None or not official.given:
        problems.append("Patient.name : nom (family) et prénom (given) obligatoires.")
    if patient.birthDate is None:
        problems.append("Patient.birthDate : date de naissance obligatoire.")
    nir = ""
    for identifier in patient.identifier or []:
        if identifier.system in SYSTEM_INS_NIR and identifier.value:
            try:
                nir = clean_nir(identifier.value)
            except ValidationError as exc:
                problems.append(f"Patient.identifier (NIR) : {exc.messages[0]}")
    phone = ""
    for telecom in patient.telecom or []:
        if telecom.system in ("phone", "sms") and telecom.value and not phone:
            try:
                phone = clean_phone(telecom.value)
            except ValidationError:
                phone = ""  # a foreign or odd number must not lose the booking: the regulator has it
    if problems:
        raise _unprocessable("Identité du patient incomplète ou invalide.", problems)
    address = (patient.address or [None])[0]
    return Identity(
        last_name=official.family.strip()[:100],
        first_names=" ".join(official.given).strip()[:150],
        birth_date=patient.birthDate,
        sex={"female": "F", "male": "M"}.get(patient.gender or "", ""),
        nir=nir,
        phone=phone,
        postal_code=(address.postalCode or "").strip() if address is not None else "",
        city=(address.city or "").strip() if address is not None else "",
    )


def parse_booking(data: dict) -> SasRequest:
    """A new appointment: identifier, slot and the patient's identity."""
    model = _model(data)
    system, value = _identifier(model)
    if model.status not in ("booked", "pending", "proposed"):
        raise _unprocessable(f"Un nouveau rendez-vous doit avoir le statut « booked » (reçu : « {model.status} »).")
    operator_system, operator_value = _operator(model)
    return SasRequest(system, value, model.status, _slot(model), _identity(model), operator_system, operator_value)


def parse_update(data: dict) -> SasRequest:
    """An update by identifier: only the status matters (the SAS cancels with status = cancelled)."""
    model = _model(data)
    system, value = _identifier(model)
    slots = [s.reference for s in model.slot or [] if s.reference]
    return SasRequest(system, value, model.status, slots[0].removeprefix("Slot/") if slots else "", None)
