"""The one door to each nominative object of the patients app: a patient's file, a call, an import.

Built on `escorter.access.open_object`: role check, 404 for a missing id, object-level
rule, audit entry. No view reads a Patient or a Call by id any other way.
"""

from __future__ import annotations

from collections.abc import Callable

from escorter.access import open_object
from escorter.roles import CARE_TEAM, STAFF, Role, has_role
from patients.models import Call, Patient, PatientImport

# Least privilege for practitioners: they open a file only when a rule registered by an app
# above this one says they may (staffing: they hold a consultation with the patient).
# `patients` cannot import staffing, which knows consultations; without a rule, no access.
PractitionerRule = Callable[..., bool]
_practitioner_rules: list[PractitionerRule] = []


def practitioner_access_rule(rule: PractitionerRule) -> PractitionerRule:
    """Register `rule(*, user, patient_id) -> bool`; a practitioner opens a file when one says yes."""
    _practitioner_rules.append(rule)
    return rule


def practitioner_may_open(user, patient_id: int) -> bool:
    return any(rule(user=user, patient_id=patient_id) for rule in _practitioner_rules)


def patient_for_user(user, pk, *, request=None) -> Patient:
    """The patient `pk` for `user`: role check, audit entry, 404 if missing.

    Coordination and secretariat open every file; a practitioner only the files of the
    patients they hold a consultation with (practitioner_access_rule); funders never.
    """
    return open_object(
        Patient.objects.select_related("commune", "priority_rule", "created_by"),
        pk,
        user=user,
        roles=CARE_TEAM,
        not_found="Patient introuvable.",
        may_open=lambda patient: has_role(user, *STAFF) or practitioner_may_open(user, patient.pk),
        refused=(
            "Vous n'avez pas de consultation avec ce patient : son dossier est réservé à la coordination, "
            "au secrétariat et aux praticiens qui le reçoivent."
        ),
        request=request,
    )


def call_for_user(user, pk, *, request=None, audit: bool = True) -> Call:
    """The call `pk` for `user`: secretaries and coordinators only, audited (it names a patient), 404 if missing.

    `audit=False` is for the call screen's own background requests (autosave, slots panel,
    patient search): the screen itself was audited when it was opened, and those requests
    audit what they add (the search, the patient chosen), not one entry per keystroke.
    """
    return open_object(
        Call.objects.select_related("patient", "patient__commune", "commune", "handled_by"),
        pk,
        user=user,
        roles=STAFF,
        not_found="Appel introuvable.",
        request=request,
        audit=audit,
    )


def import_for_user(user, pk, *, request=None, audit: bool = True) -> PatientImport:
    """The import `pk` (its preview and report name people): coordinators only, audited, 404 if missing.

    `audit=False` for the progress poll and for actions that audit what they do themselves.
    """
    return open_object(
        PatientImport.objects.select_related("created_by"),
        pk,
        user=user,
        roles=(Role.COORDINATOR,),
        not_found="Import introuvable.",
        request=request,
        audit=audit,
    )
