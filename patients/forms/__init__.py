"""Forms of the patients app."""

from patients.forms.registry import (
    AnonymiseForm,
    ImportForm,
    PatientForm,
    PriorityRuleForm,
    StatusChangeForm,
)

__all__ = ["AnonymiseForm", "ImportForm", "PatientForm", "PriorityRuleForm", "StatusChangeForm"]
