"""Checks of the ANS SAS guide's CPTS profiles, written from their FSH sources
(../shared/reference/sas-fhir-ig/input/fsh/profiles/), on top of fhir.resources' R4B models.

Each function returns the list of violated rules (empty = conforms), so a test shows all of them.
"""

from __future__ import annotations

import re

from fhir.resources.R4B import get_fhir_model_class

TYPE_CRENEAU = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
V2_0276 = "http://terminology.hl7.org/CodeSystem/v2-0276"
SERVICE_TYPE_R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"
RPPS = "urn:oid:1.2.250.1.71.4.2.1"
FINESS = "urn:oid:1.2.250.1.71.4.2.2"


def parse(resource: dict):
    """Every response must parse with the FHIR library (R4B models): raises if it does not."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _codes(codings, system):
    return {c.get("code") for c in codings or [] if c.get("system") == system}


def slot_errors(slot: dict) -> list[str]:
    """FrSlotAgregateurCPTS (and FrSlotAgregateur)."""
    errors = []
    security = slot.get("meta", {}).get("security", [])
    if not security or _codes(security, TYPE_CRENEAU) != {c["code"] for c in security}:
        errors.append("meta.security from sas-cpts-valueset-typecreneau (required)")
    if not _codes(security, TYPE_CRENEAU) <= {"PUBLIC", "PRO", "SNP", "CPTS"}:
        errors.append("meta.security codes PUBLIC|PRO|SNP|CPTS")
    for service_type in slot.get("serviceType", []):
        extension = [e for e in service_type.get("extension", []) if e["url"] == SERVICE_TYPE_R5]
        codings = service_type.get("coding", [])
        if _codes(codings, ACT_CODE):
            if not _codes(codings, ACT_CODE) <= {"AMB", "HH", "VR"}:
                errors.append("serviceType[TypeConsultation] from sas-valueset-typeconsultation")
            if extension:
                errors.append("serviceType[TypeConsultation].extension[sas-servicetype-r5] 0..0")
        if _codes(codings, R66):
            if _codes(codings, R66) != {"604"}:
                errors.append("serviceType[referencecpts] from sas-valueset-categorieetablissement")
            if len(extension) != 1 or not extension[0].get("valueReference", {}).get("reference", "").startswith(
                "HealthcareService/"
            ):
                errors.append(
                    "serviceType[referencecpts].extension[sas-servicetype-r5] 1..1 Reference(HealthcareService)"
                )
    if not any(_codes(s.get("coding"), R66) for s in slot.get("serviceType", [])):
        errors.append("CPTS slot: serviceType 604 with its HealthcareService reference")
    reasons = slot.get("appointmentType", {}).get("coding", [])
    if not reasons or not _codes(reasons, V2_0276) or not _codes(reasons, V2_0276) <= {"ROUTINE", "WALKIN"}:
        errors.append("appointmentType.coding from sas-valueset-appointmentreason (required)")
    if not slot.get("schedule", {}).get("reference", "").startswith("Schedule/"):
        errors.append("schedule only Reference(FrScheduleAgregateur)")
    if slot.get("status") != "free":
        errors.append("status = #free (exactly)")
    for element in ("start", "end"):
        if not slot.get(element):
            errors.append(f"{element} 1..1")
    return errors


def practitioner_errors(practitioner: dict) -> list[str]:
    """FrPractitionerAgregateur."""
    identifiers = practitioner.get("identifier", [])
    errors = [] if identifiers else ["identifier 1.."]
    for identifier in identifiers:
        codings = identifier.get("type", {}).get("coding", [])
        if len(codings) != 1 or codings[0].get("code") != "IDNPS":
            errors.append("identifier.type = fr-v2-0203#IDNPS, coding ..1")
        if identifier.get("system") != RPPS:
            errors.append(f"identifier.system = {RPPS}")
        if not re.fullmatch(r"8\d{11}", identifier.get("value", "")):
            errors.append("identifier.value: RPPS with its prefix 8")
    return errors


def practitioner_role_errors(role: dict) -> list[str]:
    """FrPractitionerRoleExerciceAgregateur and the contained FrLocationAgregateur."""
    errors = []
    contained = {r.get("id"): r for r in role.get("contained", [])}
    if not contained:
        errors.append("contained 1..")
    locations = role.get("location", [])
    if len(locations) != 1:
        errors.append("location 1..1")
    else:
        location = contained.get(locations[0].get("reference", "").removeprefix("#"))
        if location is None or location.get("resourceType") != "Location":
            errors.append("location: aggregation #contained")
        else:
            address = location.get("address") or {}
            if len(address.get("line", [])) != 1:
                errors.append("Location.address.line 1..1")
            if not address.get("city"):
                errors.append("Location.address.city 1..")
            if not address.get("postalCode"):
                errors.append("Location.address.postalCode 1..")
    if not role.get("practitioner", {}).get("reference", "").startswith("Practitioner/"):
        errors.append("practitioner only Reference(FrPractitionerAgregateur)")
    organization = role.get("organization", {}).get("identifier")
    if organization is not None:
        if organization.get("system") != FINESS or _codes(
            organization.get("type", {}).get("coding"), "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
        ) != {"IDNST"}:
            errors.append("organization.identifier: IDNST, urn:oid:1.2.250.1.71.4.2.2")
    return errors


def schedule_errors(schedule: dict) -> list[str]:
    """FrScheduleAgregateur: actors referenced (Practitioner and PractitionerRole, as the guide's examples)."""
    kinds = {a.get("reference", "").split("/")[0] for a in schedule.get("actor", [])}
    return [] if {"Practitioner", "PractitionerRole"} <= kinds else ["actor: Practitioner and PractitionerRole"]


def healthcare_service_errors(service: dict) -> list[str]:
    """FrHealthcareServiceAgregateurCPTS."""
    errors = [] if service.get("id") else ["id 1..1"]
    if not service.get("providedBy", {}).get("reference", "").startswith("Organization/"):
        errors.append("providedBy 1..1 Reference(FrOrganizationAgregateurCPTS)")
    return errors


def organization_errors(organization: dict) -> list[str]:
    """FrOrganizationAgregateurCPTS, with its FINESS invariant."""
    identifiers = organization.get("identifier", [])
    if len(identifiers) != 1:
        return ["identifier 1..1"]
    identifier = identifiers[0]
    errors = []
    if _codes(
        identifier.get("type", {}).get("coding"), "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203"
    ) != {"IDNST"}:
        errors.append("identifier.type = $fr-v2-0203#IDNST")
    if identifier.get("system") != FINESS:
        errors.append(f"identifier.system = {FINESS}")
    if not re.fullmatch(r"1[0-9]{9}", identifier.get("value", "")):
        errors.append("FINESS-invariant: value.matches('^1[0-9]{9}$')")
    return errors


CHECKS = {
    "Slot": slot_errors,
    "Practitioner": practitioner_errors,
    "PractitionerRole": practitioner_role_errors,
    "Schedule": schedule_errors,
    "HealthcareService": healthcare_service_errors,
    "Organization": organization_errors,
}


def bundle_errors(bundle: dict) -> list[str]:
    """BundleAgregateurCPTS: searchset, total, one self link, fullUrl on every entry, every resource's profile."""
    errors = []
    if bundle.get("type") != "searchset":
        errors.append("type = #searchset")
    if "total" not in bundle:
        errors.append("total 1..")
    if len(bundle.get("link", [])) != 1:
        errors.append("link 1..1")
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        if not entry.get("fullUrl", "").endswith(f"{resource['resourceType']}/{resource['id']}"):
            errors.append(f"entry.fullUrl 1.. ({resource['resourceType']})")
        check = CHECKS.get(resource["resourceType"])
        errors += [f"{resource['resourceType']}/{resource['id']}: {e}" for e in (check(resource) if check else [])]
    kinds = [e["resource"]["resourceType"] for e in bundle.get("entry", [])]
    if bundle.get("total"):
        for required in ("Slot", "Schedule", "Practitioner", "PractitionerRole"):
            if required not in kinds:
                errors.append(f"entry[{required}] 1..*")
    return errors
