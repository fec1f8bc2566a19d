"""Reads of the patients app: the one door to a patient's file, and the waiting list."""

from patients.selectors.registry import (
    awaiting_call_by_tier,
    patient_for_user,
    patient_history,
    registry_count,
    search_patients,
    waiting_list,
    waiting_list_figures,
)

__all__ = [
    "awaiting_call_by_tier",
    "patient_for_user",
    "patient_history",
    "registry_count",
    "search_patients",
    "waiting_list",
    "waiting_list_figures",
]
