"""Writes of the patients app (one function per use case, transactional)."""

from patients.services.gdpr import anonymise_patient, anonymise_patients, patient_data
from patients.services.importing import ImportFileError, ImportReport, import_patients
from patients.services.priority import active_rule, create_priority_rule, recompute_priorities
from patients.services.registry import (
    DuplicateNir,
    InvalidTransition,
    change_status,
    create_patient,
    update_patient,
)

__all__ = [
    "DuplicateNir",
    "ImportFileError",
    "ImportReport",
    "InvalidTransition",
    "active_rule",
    "anonymise_patient",
    "anonymise_patients",
    "change_status",
    "create_patient",
    "create_priority_rule",
    "import_patients",
    "patient_data",
    "recompute_priorities",
    "update_patient",
]
