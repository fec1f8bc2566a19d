"""Database helpers shared by the apps."""

from __future__ import annotations

from django.db import OperationalError, models, transaction

DEADLOCK_DETECTED = "40P01"


def is_deadlock(exc: Exception) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def constraint_name(exc: Exception) -> str:
    """The name of the constraint PostgreSQL reported for a Django IntegrityError, or ""."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") or ""


def save_retrying_deadlocks(obj: models.Model, *, attempts: int = 3) -> models.Model:
    """Save `obj` in a savepoint, again if PostgreSQL picked it as a deadlock victim.

    Two concurrent inserts that conflict on an exclusion constraint each wait for the other
    (PostgreSQL checks exclusion constraints after inserting the index entry), and one is
    aborted with a deadlock. The victim retries: by then the other row is there, so the retry
    waits for it and fails with the constraint's IntegrityError, which callers translate into
    a French message naming the conflict. IntegrityError propagates unchanged; the last
    deadlock too, after `attempts` tries.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                obj.save()
            return obj
        except OperationalError as exc:
            if not is_deadlock(exc) or attempt == attempts:
                raise
    return obj


def sql_values(values) -> str:
    """`'a', 'b'`: code values as SQL literals, for triggers whose SQL a migration builds from a
    model's status set (the values are our own constants; quotes are doubled all the same)."""
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)
