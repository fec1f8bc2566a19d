"""Forms of the patients app."""

from patients.forms.registry import (
    AnonymiseForm,
    EraseForm,
    ImportForm,
    PatientForm,
    PriorityRuleForm,
    StatusChangeForm,
)

__all__ = ["AnonymiseForm", "EraseForm", "ImportForm", "PatientForm", "PriorityRuleForm", "StatusChangeForm"]
