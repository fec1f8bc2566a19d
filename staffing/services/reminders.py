"""Messages to patients, each one a Reminder row: the day-before reminders (SMS through the
pluggable backend, and e-mail; SMS consent only), the notices of a disruption, and the
confirmations a secretary sends by hand.

Sent at most once per consultation and channel, even if the hourly task runs twice at
the same time or a worker dies midway:
- the Reminder row is keyed by (consultation, channel), so it is created once;
- a run sends a reminder only after claiming it with a conditional UPDATE
  (pending -> sending) that changed exactly one row, committed before sending;
- a row left in "sending" (its worker died between claim and confirmation) is never
  sent again: it is marked failed after a while for a human to check. We choose
  "at most once": a patient texted twice is worse than a reminder to re-check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from escorter.sms import SmsError, send_sms
from staffing.models import Consultation, ConsultationStatus, Permanence, Reminder
from staffing.services.booking import confirmation_text

STALE_AFTER = dt.timedelta(minutes=15)


@dataclass
class ReminderReport:
    created: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    stale: int = 0
    outside_hours: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def summary(self) -> str:
        if self.outside_hours:
            return "Hors des heures d'envoi : aucun rappel envoyé."
        return f"{self.sent} rappel(s) envoyé(s), {self.failed} échec(s), {self.skipped} sans objet."


def sending_hours() -> tuple[int, int]:
    return tuple(getattr(settings, "REMINDER_SENDING_HOURS", (9, 20)))


def in_sending_hours(now: dt.datetime) -> bool:
    first, last = sending_hours()
    return first <= timezone.localtime(now).hour < last


def tomorrow_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    return start, start + dt.timedelta(days=1)


def create_due_reminders(*, now: dt.datetime) -> int:
    """One pending row per channel for tomorrow's booked consultations of consenting patients."""
    start, end = tomorrow_bounds(now)
    consultations = Consultation.objects.filter(
        status=ConsultationStatus.BOOKED,
        permanence__status=Permanence.Status.PLANNED,
        start__gte=start,
        start__lt=end,
        patient__sms_consent=True,
        patient__anonymised_at__isnull=True,
    ).values_list("pk", "patient__phone", "patient__email")
    rows = []
    for pk, phone, email in consultations:
        if phone:
            rows.append(Reminder(consultation_id=pk, channel=Reminder.Channel.SMS, recipient=phone, created_at=now))
        if email:
            rows.append(Reminder(consultation_id=pk, channel=Reminder.Channel.EMAIL, recipient=email, created_at=now))
    if not rows:
        return 0
    existing = Reminder.objects.filter(
        consultation_id__in=[r.consultation_id for r in rows], purpose=Reminder.Purpose.DAY_BEFORE
    )
    before = existing.count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)  # the unique key drops repeats
    return existing.count() - before


def move_notice_text(consultation: Consultation) -> str:
    """The SMS of a disruption: which appointment is off, and the new time if one was found.

    No reason is given: "arrêt maladie du Dr X" is nobody's business but the team's.
    """
    start = timezone.localtime(consultation.start)
    text = f"Escorter : votre RDV du {start:%d/%m/%Y} à {start:%H:%M} avec {consultation.professional} est annulé."
    new = (
        Consultation.objects.filter(rescheduled_from=consultation, status__in=Consultation.UPCOMING_STATUSES)
        .select_related("professional", "permanence__premises__commune")
        .first()
    )
    if new is None:
        return text + " Le secrétariat vous rappelle pour un nouveau rendez-vous."
    when = timezone.localtime(new.start)
    premises = new.permanence.premises
    return (
        text + f" Nouveau RDV proposé le {when:%d/%m/%Y} à {when:%H:%M} avec {new.professional}, {premises.name}, "
        f"{premises.address} {premises.commune.name}. Le secrétariat vous appelle pour le confirmer."
    )


def _deliver(reminder: Reminder) -> str:
    consultation = reminder.consultation
    if reminder.purpose == Reminder.Purpose.MOVED:
        return send_sms(reminder.recipient, move_notice_text(consultation))
    if reminder.channel == Reminder.Channel.SMS:
        return send_sms(reminder.recipient, "Rappel – " + confirmation_text(consultation, short=True))
    start = timezone.localtime(consultation.start)
    send_mail(
        subject=f"Rappel : rendez-vous le {start:%d/%m/%Y à %H:%M}",
        message="Bonjour,\n\nNous vous rappelons votre rendez-vous :\n\n" + confirmation_text(consultation),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[reminder.recipient],
    )
    return "email"


def send_confirmation(*, consultation: Consultation, now: dt.datetime | None = None) -> Reminder:
    """Text the patient their appointment now (the secretary's "send by SMS" button), kept as a
    Reminder row like every message the app sends. Raises SmsError; the failed row stays."""
    now = now or timezone.now()
    phone = consultation.patient.phone
    reminder = Reminder.objects.create(
        consultation=consultation,
        channel=Reminder.Channel.SMS,
        purpose=Reminder.Purpose.CONFIRMATION,
        recipient=phone,
        status=Reminder.Status.SENDING,
        created_at=now,
        claimed_at=now,
    )
    try:
        provider_id = send_sms(phone, confirmation_text(consultation, short=True))
    except (SmsError, OSError) as exc:  # as _send: a provider down or a log file unwritable
        reminder.status, reminder.error = Reminder.Status.FAILED, str(exc)[:500]
        reminder.save(update_fields=["status", "error"])
        if isinstance(exc, SmsError):
            raise
        raise SmsError(str(exc)) from exc
    reminder.status, reminder.sent_at = Reminder.Status.SENT, timezone.now()
    reminder.provider_id = str(provider_id)[:100]
    reminder.save(update_fields=["status", "sent_at", "provider_id"])
    return reminder


def send_due_reminders(*, now: dt.datetime | None = None, progress=None) -> ReminderReport:
    """Create and send the day-before reminders. Must run outside a transaction (each claim commits)."""
    now = now or timezone.now()
    report = ReminderReport(outside_hours=not in_sending_hours(now))
    if report.outside_hours:
        return report
    report.stale = Reminder.objects.filter(status=Reminder.Status.SENDING, claimed_at__lt=now - STALE_AFTER).update(
        status=Reminder.Status.FAILED, error="Envoi interrompu (worker arrêté) : vérifier avant de renvoyer."
    )
    report.created = create_due_reminders(now=now)
    start, end = tomorrow_bounds(now)
    due = Reminder.objects.filter(
        purpose=Reminder.Purpose.DAY_BEFORE,
        status=Reminder.Status.PENDING,
        consultation__start__gte=start,
        consultation__start__lt=end,
    )
    _send(list(due.values_list("pk", flat=True)), now=now, report=report, progress=progress)
    _send(_pending_notices(), now=now, report=report, progress=None)
    return report


def _pending_notices() -> list[int]:
    return list(
        Reminder.objects.filter(purpose=Reminder.Purpose.MOVED, status=Reminder.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_move_notices(*, now: dt.datetime | None = None) -> ReminderReport:
    """Send the "your appointment moved" notices a disruption left pending (in sending hours;
    otherwise the hourly reminder run sends them). Must run outside a transaction."""
    now = now or timezone.now()
    report = ReminderReport(outside_hours=not in_sending_hours(now))
    if report.outside_hours:
        return report
    _send(_pending_notices(), now=now, report=report, progress=None)
    return report


def _still_true(reminder: Reminder) -> bool:
    """A day-before reminder only for an appointment that still stands; a notice is always true."""
    if reminder.purpose == Reminder.Purpose.MOVED:
        return True
    consultation = reminder.consultation
    return (
        consultation.status == ConsultationStatus.BOOKED and consultation.permanence.status == Permanence.Status.PLANNED
    )


def _send(ids: list[int], *, now: dt.datetime, report: ReminderReport, progress) -> None:
    for n, pk in enumerate(ids, start=1):
        # the claim: only one run can move this row from pending to sending
        if not Reminder.objects.filter(pk=pk, status=Reminder.Status.PENDING).update(
            status=Reminder.Status.SENDING, claimed_at=now
        ):
            continue
        reminder = Reminder.objects.select_related(
            "consultation__patient",
            "consultation__professional",
            "consultation__permanence__premises__commune",
            "consultation__permanence__room",
        ).get(pk=pk)
        if not _still_true(reminder):
            Reminder.objects.filter(pk=pk).update(status=Reminder.Status.SKIPPED)
            report.skipped += 1
            continue
        try:
            provider_id = _deliver(reminder)
        except (SmsError, OSError) as exc:
            Reminder.objects.filter(pk=pk).update(status=Reminder.Status.FAILED, error=str(exc)[:500])
            report.failed += 1
            continue
        Reminder.objects.filter(pk=pk).update(
            status=Reminder.Status.SENT, sent_at=timezone.now(), provider_id=str(provider_id)[:100]
        )
        report.sent += 1
        if progress is not None and n % 20 == 0:
            progress.step(int(100 * n / len(ids)), f"{n} rappels traités sur {len(ids)}")
