"""Reads of the patients app: the registry and the waiting list (the door to one file: patients.access)."""

from patients.selectors.registry import (
    awaiting_call_by_tier,
    patient_history,
    registry_count,
    registry_now_by_status_and_tier,
    search_patients,
    waiting_list,
    waiting_list_figures,
)

__all__ = [
    "awaiting_call_by_tier",
    "patient_history",
    "registry_count",
    "registry_now_by_status_and_tier",
    "search_patients",
    "waiting_list",
    "waiting_list_figures",
]
