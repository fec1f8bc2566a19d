"""Creating and editing patients, and moving them through their lifecycle."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum import luhn

from patients.models import Patient, PatientStatusChange
from patients.services.priority import active_rule

Status = Patient.Status

# from -> allowed destinations. A closed file can be reopened (GP retired again, back in
# the area, changed their mind) except after a death.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.WAITING: (Status.IN_CARE, Status.GP_FOUND, Status.MOVED, Status.DECEASED, Status.DECLINED),
    Status.IN_CARE: (Status.WAITING, Status.GP_FOUND, Status.MOVED, Status.DECEASED, Status.DECLINED),
    Status.GP_FOUND: (Status.WAITING, Status.IN_CARE, Status.MOVED, Status.DECEASED),
    Status.MOVED: (Status.WAITING, Status.IN_CARE, Status.DECEASED),
    Status.DECLINED: (Status.WAITING, Status.IN_CARE, Status.GP_FOUND, Status.MOVED, Status.DECEASED),
    Status.DECEASED: (),
}
GP_FIELDS = ("new_gp_name", "new_gp_rpps", "gp_found_date")


class InvalidTransition(ValidationError):
    pass


class DuplicateNir(ValidationError):
    pass


def _check_nir_free(patient: Patient) -> None:
    if patient.nir and Patient.objects.filter(nir=patient.nir).exclude(pk=patient.pk).exists():
        raise DuplicateNir({"nir": "Ce NIR est déjà enregistré pour un autre patient."})


def _save(patient: Patient) -> None:
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:
        if "patient_nir_unique" in str(exc):
            raise DuplicateNir({"nir": "Ce NIR est déjà enregistré pour un autre patient."}) from exc
        raise


@transaction.atomic
def create_patient(*, user, allow_unknown_commune: bool = False, **values) -> Patient:
    """A patient signalled by hand (phone call, partner) or by an external platform.

    `allow_unknown_commune`: a booking platform (the SAS) may send an address we cannot
    place; the booking must not be lost for it, the secretary completes the file.
    """
    patient = Patient(created_by=user if user is not None and user.is_authenticated else None, **values)
    patient.status = Status.WAITING
    _check_nir_free(patient)
    exclude = ["priority_rule", "search_name"]
    if allow_unknown_commune and patient.commune_id is None:
        exclude.append("commune")
    patient.full_clean(exclude=exclude)
    patient.apply_priority(active_rule())
    _save(patient)
    PatientStatusChange.objects.create(
        patient=patient,
        from_status="",
        to_status=patient.status,
        by=patient.created_by,
        note="Inscription sur la liste d'attente",
    )
    return patient


@transaction.atomic
def update_patient(*, patient: Patient, user, **values) -> Patient:
    """Edit identity, contact and criteria (status goes through change_status)."""
    values.pop("status", None)
    for name, value in values.items():
        setattr(patient, name, value)
    _check_nir_free(patient)
    patient.full_clean(exclude=["priority_rule", "search_name"])
    patient.apply_priority(active_rule())
    _save(patient)
    return patient


def _clean_rpps(value: str) -> str:
    value = "".join((value or "").split())
    if not value:
        return ""
    if not (value.isdigit() and len(value) == 11 and luhn.is_valid(value)):
        raise InvalidTransition({"new_gp_rpps": "Numéro RPPS invalide (11 chiffres, clé de Luhn)."})
    return value


@transaction.atomic
def change_status(*, patient: Patient, to_status: str, user, note: str = "", **gp_fields) -> Patient:
    """Move `patient` to `to_status` and keep a dated history row.

    Locks the patient row: a secretary and a practitioner recording "GP found" at the same
    moment produce one transition and one history row, the second one is refused.
    `gp_fields` (new_gp_name, new_gp_rpps, gp_found_date) only apply to gp_found.
    """
    unknown = set(gp_fields) - set(GP_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.anonymised_at:
        raise InvalidTransition("Ce dossier est anonymisé : son statut ne peut plus changer.")
    if to_status not in Status.values:
        raise InvalidTransition("Statut inconnu.")
    from_status = locked.status
    if to_status == from_status:
        raise InvalidTransition(f"Le patient est déjà au statut « {Status(to_status).label} ».")
    if to_status not in TRANSITIONS[from_status]:
        raise InvalidTransition(
            f"Passage impossible de « {Status(from_status).label} » à « {Status(to_status).label} »."
        )
    today = timezone.localdate()
    if to_status == Status.GP_FOUND:
        name = (gp_fields.get("new_gp_name") or "").strip()
        if not name:
            raise InvalidTransition({"new_gp_name": "Indiquez le nom du nouveau médecin traitant."})
        found = gp_fields.get("gp_found_date") or today
        if isinstance(found, str):
            found = dt.date.fromisoformat(found)
        if found > today:
            raise InvalidTransition({"gp_found_date": "La date de déclaration ne peut pas être dans le futur."})
        locked.new_gp_name, locked.new_gp_rpps, locked.gp_found_date = (
            name,
            _clean_rpps(gp_fields.get("new_gp_rpps", "")),
            found,
        )
    now = timezone.now()
    locked.status, locked.status_changed_at = to_status, now
    locked.apply_priority(active_rule(), today)
    locked.save()
    by = user if user is not None and getattr(user, "is_authenticated", False) else None
    PatientStatusChange.objects.create(
        patient=locked, from_status=from_status, to_status=to_status, at=now, by=by, note=note.strip()
    )
    # the caller's instance reflects the new state
    for name in (
        "status",
        "status_changed_at",
        "new_gp_name",
        "new_gp_rpps",
        "gp_found_date",
        *("priority_score", "priority_tier", "priority_rule_id", "priority_explanation"),
    ):
        setattr(patient, name, getattr(locked, name))
    return patient
