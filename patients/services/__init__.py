"""Writes of the patients app (one function per use case, transactional)."""

from __future__ import annotations


def recompute_priorities(*, progress=None) -> int:
    """Recompute stored priority scores; returns how many changed.

    Placeholder until the registry lands (issue: patient registry): nothing to score yet.
    """
    if progress is not None:
        progress.step(50, "Aucun patient à recalculer pour l'instant.")
    return 0
