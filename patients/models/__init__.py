"""Models of the patients app (one module per topic, re-exported here)."""

from patients.models.calls import Call, CallCategory, CallerKind, CallOutcome  # noqa: F401
from patients.models.counts import RegistryCount
from patients.models.imports import ImportedPatient, IssueKind, PatientImport, RowOutcome
from patients.models.priority import PriorityRule, Tier
from patients.models.registry import ImmutableUnaccent, Patient, PatientStatusChange

__all__ = [
    "ImmutableUnaccent",
    "ImportedPatient",
    "IssueKind",
    "Patient",
    "PatientImport",
    "PatientStatusChange",
    "PriorityRule",
    "RegistryCount",
    "RowOutcome",
    "Tier",
]
