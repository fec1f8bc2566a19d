"""What happens to each patient of a disruption: a new proposal through the scheduler's solver
(same kind of care, nearest and soonest, the same practitioner preferred), or a line in the
"à rappeler" queue; and one SMS notice to those who were booked, sent after commit.

Called by `staffing.services.disruptions` (preview and carry_out), inside its transaction and locks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from patients.models.priority import queue_priority
from staffing.models import KIND_PROFESSIONS, CallBack, Consultation, ConsultationStatus, Permanence, Reminder
from staffing.selectors.booking import consultation_minutes, free_starts
from staffing.selectors.supply import schedulable_permanences
from staffing.services.scheduler.problem import Need, build_problem, placements
from staffing.services.scheduler.run import insert_proposals, proposal_days
from staffing.solver import solve

NO_TIME_REASON = "aucun créneau libre dans les {days} jours"


@dataclass
class Move:
    """One appointment that can no longer happen, and what happens to its patient."""

    consultation: Consultation
    permanence: Permanence | None = None
    start: dt.datetime | None = None
    new: Consultation | None = None
    call_back: CallBack | None = None
    call_back_reason: str = ""

    @property
    def patient(self):
        return self.consultation.patient

    @property
    def moved(self) -> bool:
        return self.permanence is not None

    @property
    def notified(self) -> bool:
        """An SMS goes to patients who were booked (they expect to come), with consent and a phone."""
        patient = self.consultation.patient
        return (
            self.consultation.status == ConsultationStatus.BOOKED
            and patient.sms_consent
            and bool(patient.phone)
            and patient.anonymised_at is None
        )

    @property
    def outcome(self) -> str:
        """What the coordinator reads before confirming, and the secretaries afterwards."""
        if self.moved:
            start = timezone.localtime(self.start)
            return (
                f"Nouvelle proposition le {start:%d/%m/%Y} à {start:%H:%M} avec {self.permanence.professional} "
                f"({self.permanence.premises.name})"
            )
        return f"À rappeler par le secrétariat : {self.call_back_reason}"


def plan_moves(consultations: list[Consultation], *, lost_ids: list[int], now, horizon_days: int) -> list[Move]:
    """Where each patient can go: the solver, over the time left once the lost time is gone."""
    moves = []
    for consultation in consultations:
        stale = consultation.status == ConsultationStatus.PROPOSED and consultation.expires_at <= now
        if not stale:
            moves.append(Move(consultation=consultation))
    reason = NO_TIME_REASON.format(days=horizon_days)
    for move in moves:
        move.call_back_reason = reason
    candidates = [m for m in moves if m.patient.is_active and m.consultation.start > now]
    for move in moves:
        if move not in candidates:
            move.call_back_reason = "rendez-vous déjà commencé" if move.patient.is_active else "dossier clos"
    if not candidates:
        return moves
    candidates.sort(
        key=lambda m: (-queue_priority(m.patient.priority_tier, m.patient.priority_score), m.patient.referral_date)
    )
    permanences = schedulable_permanences(
        now=now, horizon_days=horizon_days, kinds={m.consultation.kind for m in candidates}, exclude_ids=lost_ids
    )
    free = free_starts(permanences, after=now, now=now)
    permanences = [p for p in permanences if free.get(p.pk)]
    if not permanences:
        return moves
    built = build_problem(
        patients=[m.patient for m in candidates],
        needs=[Need(m.consultation.kind, step_free=m.patient.mobility_need) for m in candidates],
        last_professionals=[m.consultation.professional_id for m in candidates],
        permanences=permanences,
        free=free,
        now=now,
        professions=KIND_PROFESSIONS,
    )
    for i, permanence, start in placements(built, solve(built.problem), permanences, free):
        candidates[i].permanence, candidates[i].start = permanence, start
    return moves


def propose(moves: list[Move], *, reason: str, now) -> None:
    expires = now + dt.timedelta(days=proposal_days())
    proposals = []
    for move in (m for m in moves if m.moved):
        old, permanence = move.consultation, move.permanence
        move.new = Consultation(
            patient=old.patient,
            permanence=permanence,
            professional=permanence.professional,
            start=move.start,
            end=move.start + dt.timedelta(minutes=consultation_minutes(permanence.professional)),
            kind=old.kind,
            status=ConsultationStatus.PROPOSED,
            created_at=now,
            expires_at=expires,
            rescheduled_from=old,
            call=old.call,
            explanation=f"Reprogrammée – {reason}"[:250],
        )
        proposals.append(move.new)
    inserted = {id(c) for c in insert_proposals(proposals)}
    for move in (m for m in moves if m.moved):
        if id(move.new) not in inserted:  # the patient's own agenda or a booking took that time meanwhile
            move.new = move.permanence = move.start = None


def queue_call_backs(moves: list[Move], *, reason: str, now) -> None:
    for move in (m for m in moves if not m.moved):
        text = f"{reason} – {move.call_back_reason}"[:250]
        open_line = CallBack.objects.filter(patient=move.patient, status=CallBack.Status.OPEN).first()
        if open_line is not None:  # one line per patient: the latest reason on top
            open_line.reason, open_line.consultation, open_line.kind = text, move.consultation, move.consultation.kind
            open_line.save(update_fields=["reason", "consultation", "kind"])
            move.call_back = open_line
            continue
        move.call_back = CallBack.objects.create(
            patient=move.patient,
            consultation=move.consultation,
            kind=move.consultation.kind,
            professional=move.consultation.professional,
            reason=text,
            created_at=now,
        )


def notify(moves: list[Move], *, now) -> None:
    notices = [
        Reminder(
            consultation=m.consultation,
            channel=Reminder.Channel.SMS,
            purpose=Reminder.Purpose.MOVED,
            recipient=m.patient.phone,
            created_at=now,
        )
        for m in moves
        if m.notified
    ]
    if not notices:
        return
    Reminder.objects.bulk_create(notices, ignore_conflicts=True)  # the unique key: never twice

    def send():
        from staffing import tasks

        tasks.send_move_notices.delay(at=now.isoformat())

    transaction.on_commit(send)
