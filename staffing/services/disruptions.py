"""One path for everything that takes consultation time away (STYLE.md "One disruption, one path").

A cancelled permanence, an absence, a closed premises or room, a professional who stops, a
shortened permanence: each is described as a `Disruption` (which permanences go, or how one
shrinks) and ends the same way in `carry_out`, in one transaction:

1. every appointment to come (booked or proposed) that can no longer happen is cancelled with
   the disruption's reason;
2. its patient gets a new proposal at once through the scheduler's solver (same kind of care,
   nearest and soonest, the same practitioner preferred), or, when no time is free in the
   horizon, an open line in the "à rappeler" queue with the reason;
3. patients who were booked and accept SMS get one notice (a `Reminder` of purpose "moved",
   unique per consultation and channel, so never twice), sent after commit.

Steps 2 and 3 live in `staffing.services.moves`. `preview` runs the same steps without
writing, so the coordinator sees who is affected and what will happen to each before confirming.

Locking (order matters, every path takes the same): the scheduler's advisory lock first (the
nightly run and the refill take it too, and they insert into permanences), then the
permanences FOR UPDATE, then their consultations FOR UPDATE. A concurrent booking's trigger
locks the permanence FOR SHARE: it either commits first (and we cancel it here) or waits and
then finds the permanence cancelled (migration 0004).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from escorter.audit import record_system
from staffing.models import (
    UPCOMING_STATUSES,
    Absence,
    CallBack,
    Consultation,
    ConsultationStatus,
    Permanence,
    Professional,
)
from staffing.selectors.calendars import paris_datetime
from staffing.services.booking import EXPIRED_REASON, expire_proposals
from staffing.services.moves import Move, notify, plan_moves, propose, queue_call_backs
from staffing.services.scheduler.run import LOCK_KEY

HORIZON_DAYS = 28


@dataclass
class Disruption:
    """What is taken away: `cancel` (permanences to cancel), or one permanence shortened to [start, end)."""

    reason: str
    cancel: QuerySet[Permanence] | None = None
    shortened: Permanence | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass
class DisruptionResult:
    reason: str
    permanences: list[Permanence] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    expired: int = 0  # stale proposals on the lost time, withdrawn without moving anyone

    @property
    def moved(self) -> list[Move]:
        return [m for m in self.moves if m.moved]

    @property
    def queued(self) -> list[Move]:
        return [m for m in self.moves if not m.moved]

    @property
    def summary(self) -> str:
        if not self.moves:
            return "Aucun patient concerné."
        return (
            f"{len(self.moves)} patient(s) concerné(s) : {len(self.moved)} reproposé(s) sur un autre créneau, "
            f"{len(self.queued)} à rappeler par le secrétariat."
        )


# --- What each disruption takes away ------------------------------------------------------------


def _days(start_date: dt.date, end_date: dt.date) -> Q:
    """Permanences starting on one of these days (Paris time)."""
    return Q(start__gte=paris_datetime(start_date, dt.time.min)) & Q(
        start__lt=paris_datetime(end_date + dt.timedelta(days=1), dt.time.min)
    )


def for_permanence(permanence: Permanence, reason: str) -> Disruption:
    return Disruption(reason=reason, cancel=Permanence.objects.filter(pk=permanence.pk))


def for_absence(absence: Absence, *, now: dt.datetime) -> Disruption:
    planned = Permanence.objects.active().filter(_days(absence.start_date, absence.end_date), end__gt=now)
    return Disruption(
        reason=f"Absence du praticien ({absence.get_kind_display().lower()})",
        cancel=planned.filter(professional_id=absence.professional_id),
    )


def for_closure(closure, *, now: dt.datetime) -> Disruption:
    planned = Permanence.objects.active().filter(
        _days(closure.start_date, closure.end_date), end__gt=now, premises_id=closure.premises_id
    )
    if closure.room_id:
        return Disruption(reason=f"Salle fermée ({closure.reason})", cancel=planned.filter(room_id=closure.room_id))
    return Disruption(reason=f"Local fermé ({closure.reason})", cancel=planned)


def for_deactivation(professional: Professional, *, now: dt.datetime) -> Disruption:
    return Disruption(
        reason="Le praticien ne consulte plus pour l'équipe",
        cancel=Permanence.objects.active().filter(professional_id=professional.pk, end__gt=now),
    )


def for_shortening(permanence: Permanence, *, start: dt.datetime, end: dt.datetime, reason: str) -> Disruption:
    return Disruption(reason=f"Permanence raccourcie ({reason})", shortened=permanence, start=start, end=end)


# --- Preview and execution ----------------------------------------------------------------------


def _affected(permanence_ids: list[int], disruption: Disruption) -> QuerySet[Consultation]:
    lost = Q(permanence_id__in=permanence_ids)
    if disruption.shortened is not None:
        lost |= Q(permanence_id=disruption.shortened.pk) & (Q(start__lt=disruption.start) | Q(end__gt=disruption.end))
    return Consultation.objects.filter(lost, status__in=UPCOMING_STATUSES).order_by("start", "pk")


def _load(disruption: Disruption, *, lock: bool, now) -> tuple[list[Permanence], list[Consultation], list[int]]:
    permanences: list[Permanence] = []
    if disruption.cancel is not None:
        queryset = disruption.cancel.filter(status=Permanence.Status.PLANNED).order_by("pk")
        permanences = list(queryset.select_for_update() if lock else queryset)
    lost_ids = [p.pk for p in permanences]
    if disruption.shortened is not None:
        if lock:
            Permanence.objects.select_for_update().filter(pk=disruption.shortened.pk).exists()
        lost_ids.append(disruption.shortened.pk)
    consultations = _affected([p.pk for p in permanences], disruption)
    if lock:
        consultations = consultations.select_for_update(of=("self",))
    consultations = list(consultations.select_related("patient", "professional", "permanence__premises"))
    return permanences, consultations, lost_ids


def preview(disruption: Disruption, *, now: dt.datetime | None = None, horizon_days: int = HORIZON_DAYS):
    """Who is affected and what will happen to each, without writing anything."""
    now = now or timezone.now()
    permanences, consultations, lost_ids = _load(disruption, lock=False, now=now)
    moves = plan_moves(consultations, lost_ids=lost_ids, now=now, horizon_days=horizon_days)
    return DisruptionResult(
        reason=disruption.reason, permanences=permanences, moves=moves, expired=len(consultations) - len(moves)
    )


def _lock_scheduler() -> None:
    """Wait for a scheduler run in progress, but not forever: a coordinator is waiting too."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '30s'")
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        except OperationalError as exc:
            raise ValidationError(
                "Une planification est en cours : réessayez dans quelques minutes (rien n'a été modifié)."
            ) from exc
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")


@transaction.atomic
def carry_out(
    disruption: Disruption, *, user, now: dt.datetime | None = None, horizon_days: int = HORIZON_DAYS
) -> DisruptionResult:
    """Take the time away and hand every affected patient to a new time or to the call-back queue."""
    now = now or timezone.now()
    by = user if user is not None and getattr(user, "is_authenticated", False) else None
    _lock_scheduler()
    permanences, consultations, lost_ids = _load(disruption, lock=True, now=now)
    reason = disruption.reason[:250]
    moving = {c.pk for c in consultations if not (c.status == ConsultationStatus.PROPOSED and c.expires_at <= now)}
    Consultation.objects.filter(pk__in=[c.pk for c in consultations if c.pk in moving]).update(
        status=ConsultationStatus.CANCELLED, cancel_reason=reason, cancelled_at=now, cancelled_by=by
    )
    Consultation.objects.filter(pk__in=[c.pk for c in consultations if c.pk not in moving]).update(
        status=ConsultationStatus.CANCELLED, cancel_reason=EXPIRED_REASON, cancelled_at=now
    )
    if permanences:
        Permanence.objects.filter(pk__in=[p.pk for p in permanences]).update(
            status=Permanence.Status.CANCELLED, cancel_reason=reason, cancelled_at=now, cancelled_by=by, updated_at=now
        )
    if disruption.shortened is not None:
        Permanence.objects.filter(pk=disruption.shortened.pk).update(
            start=disruption.start, end=disruption.end, updated_at=now
        )
    expire_proposals(now=now, refill=False)  # an expired proposal still holds its range in the constraint
    moves = plan_moves(consultations, lost_ids=lost_ids, now=now, horizon_days=horizon_days)
    propose(moves, reason=reason, now=now)
    queue_call_backs(moves, reason=reason, now=now)
    notify(moves, now=now)
    for permanence in permanences:
        record_system("cancel", object_type="staffing.Permanence", object_id=permanence.pk, detail=reason, user=by)
    result = DisruptionResult(
        reason=reason, permanences=permanences, moves=moves, expired=len(consultations) - len(moves)
    )
    if disruption.shortened is not None:
        record_system(
            "update", object_type="staffing.Permanence", object_id=disruption.shortened.pk, detail=reason, user=by
        )
    return result


# --- The use cases other than cancel_permanence and record_absence (staffing.services.rota) -------


def record_closure(*, closure, user, now: dt.datetime | None = None) -> DisruptionResult:
    """Days the commune takes its premises (or a room) back: the permanences then are cancelled."""
    now = now or timezone.now()
    closure.full_clean()
    with transaction.atomic():
        closure.save()
        return carry_out(for_closure(closure, now=now), user=user, now=now)


def deactivate_professional(*, professional: Professional, user, now: dt.datetime | None = None) -> DisruptionResult:
    """A professional who stops: their future permanences are cancelled and their patients moved."""
    now = now or timezone.now()
    with transaction.atomic():
        Professional.objects.filter(pk=professional.pk).update(active=False)
        professional.active = False
        return carry_out(for_deactivation(professional, now=now), user=user, now=now)


def shorten_permanence(
    *, permanence: Permanence, start: dt.datetime, end: dt.datetime, reason: str, user, now: dt.datetime | None = None
) -> DisruptionResult:
    """Start later or end earlier (a practitioner must leave at 11:00): appointments outside are moved."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif."})
    if not (permanence.start <= start < end <= permanence.end) or (start, end) == (permanence.start, permanence.end):
        raise ValidationError("Les nouveaux horaires doivent être compris dans la permanence et la raccourcir.")
    if not permanence.is_active:
        raise ValidationError("Cette permanence est annulée.")
    return carry_out(for_shortening(permanence, start=start, end=end, reason=reason), user=user, now=now)


def close_call_back(*, call_back: CallBack, note: str, user, now: dt.datetime | None = None) -> CallBack:
    """A secretary called the patient back: what was agreed ends the line."""
    now = now or timezone.now()
    by = user if user is not None and getattr(user, "is_authenticated", False) else None
    CallBack.objects.filter(pk=call_back.pk, status=CallBack.Status.OPEN).update(
        status=CallBack.Status.DONE, handled_at=now, handled_by=by, outcome_note=(note or "").strip()[:250]
    )
    call_back.refresh_from_db()
    return call_back
