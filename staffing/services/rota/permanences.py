"""Single permanences: conflicts named in French, manual creation, cancellation, absences.

The exclusion constraints on Permanence are the real guard against double-booking a
professional or a room; these functions only translate their errors into French.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from escorter.db import constraint_name, save_retrying_deadlocks
from sites.models import Premises, Room
from staffing.models import Absence, Permanence, Professional
from staffing.services import disruptions


class PermanenceConflict(ValidationError):
    """Another active permanence holds the same professional or room at that time."""


def describe(permanence: Permanence) -> str:
    start, end = timezone.localtime(permanence.start), timezone.localtime(permanence.end)
    room = f", {permanence.room.name}" if permanence.room_id else ""
    return (
        f"{permanence.professional} à {permanence.premises.name}{room} "
        f"le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}"
    )


def find_conflict(
    *, professional_id: int, room_id: int | None, start: dt.datetime, end: dt.datetime, exclude_pk=None
) -> Permanence | None:
    """The active permanence that would clash with this one (same person or same room), if any."""
    clash = Q(professional_id=professional_id)
    if room_id:
        clash |= Q(room_id=room_id)
    queryset = Permanence.objects.active().overlapping(start, end).filter(clash)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("professional", "premises", "room").order_by("start").first()


def conflict_message(*, professional_id, room_id, start, end, exclude_pk=None) -> str:
    other = find_conflict(professional_id=professional_id, room_id=room_id, start=start, end=end, exclude_pk=exclude_pk)
    if other is None:
        return "Ce créneau chevauche une autre permanence."
    if other.professional_id == professional_id:
        return f"Ce professionnel tient déjà une permanence sur ce créneau : {describe(other)}."
    return f"Cette salle est déjà occupée sur ce créneau : {describe(other)}."


def save_permanence(permanence: Permanence) -> None:
    """Save in a savepoint; raise PermanenceConflict naming the clashing permanence on overlap."""
    try:
        save_retrying_deadlocks(permanence)
    except IntegrityError as exc:
        if "overlap" not in constraint_name(exc):
            raise
        raise PermanenceConflict(
            conflict_message(
                professional_id=permanence.professional_id,
                room_id=permanence.room_id,
                start=permanence.start,
                end=permanence.end,
                exclude_pk=permanence.pk,
            ),
            code="overlap",
        ) from exc


# --- Single permanences -----------------------------------------------------------------


@transaction.atomic
def create_permanence(
    *,
    professional: Professional,
    premises: Premises,
    room: Room | None,
    start: dt.datetime,
    end: dt.datetime,
    kinds: list[str],
) -> Permanence:
    """A permanence outside the rota (a replacement, an extra half-day). Raises PermanenceConflict on overlap."""
    if room is not None and room.premises_id != premises.pk:
        raise ValidationError({"room": "Cette salle n'appartient pas au local choisi."})
    if start >= end:
        raise ValidationError({"end": "La fin doit suivre le début."})
    permanence = Permanence(
        professional=professional,
        premises=premises,
        room=room,
        start=start,
        end=end,
        kinds=list(kinds),
        origin=Permanence.Origin.MANUAL,
    )
    save_permanence(permanence)
    return permanence


def cancel_permanence(*, permanence: Permanence, reason: str, user, now: dt.datetime | None = None):
    """Cancel one permanence; its patients are moved or queued "à rappeler" (staffing.services.disruptions)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    if not Permanence.objects.filter(pk=permanence.pk, status=Permanence.Status.PLANNED).exists():
        raise ValidationError("Cette permanence est déjà annulée.")
    result = disruptions.carry_out(disruptions.for_permanence(permanence, reason), user=user, now=now)
    if not result.permanences:  # cancelled by someone else between the check and the lock
        raise ValidationError("Cette permanence est déjà annulée.")
    return result


# --- Absences ---------------------------------------------------------------------------


def record_absence(*, absence: Absence, user=None, now: dt.datetime | None = None):
    """Record leave or a sick day: the professional's permanences then are cancelled and their
    patients moved or queued "à rappeler" (staffing.services.disruptions)."""
    now = now or timezone.now()
    absence.full_clean()
    with transaction.atomic():
        absence.save()
        return disruptions.carry_out(disruptions.for_absence(absence, now=now), user=user, now=now)
