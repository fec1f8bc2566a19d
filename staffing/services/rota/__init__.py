"""Writes of the rota: rules, generation of permanences, manual permanences, cancellation, absences.

Parts: `recurrence` (the dates a rule recurs on), `generation` (rules into permanences),
`permanences` (one permanence: conflicts, creation, cancellation, absences). The use cases
the views, tasks and demo call are re-exported here.
"""

from staffing.services.rota.generation import (
    DEFAULT_WEEKS,
    GenerationReport,
    deactivate_rule,
    generate_permanences,
    preview_rule,
    save_rule,
)
from staffing.services.rota.permanences import (
    PermanenceConflict,
    cancel_permanence,
    create_permanence,
    describe,
    record_absence,
)
from staffing.services.rota.recurrence import Occurrence, rule_dates

__all__ = [
    "DEFAULT_WEEKS",
    "GenerationReport",
    "Occurrence",
    "PermanenceConflict",
    "cancel_permanence",
    "create_permanence",
    "deactivate_rule",
    "describe",
    "generate_permanences",
    "preview_rule",
    "record_absence",
    "rule_dates",
    "save_rule",
]
