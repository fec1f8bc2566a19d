"""Consultations (booked, proposed by the scheduler, done…) and the reminders sent before them."""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils import timezone

from escorter.fields import recorded_by
from staffing.models.people import ConsultationKind, Profession, Professional
from staffing.models.rota import Permanence, TsTzRange

# Which professions may hold which kind of consultation: the one place booking, the scheduler,
# the refill of freed time and the re-proposal after a disruption all read. The IPA follows
# stable chronic (ALD) patients and does prevention; a nurse does prevention; a first visit
# and same-day care need a GP.
KIND_PROFESSIONS: dict[str, tuple[str, ...]] = {
    ConsultationKind.FIRST_VISIT: (Profession.GP,),
    ConsultationKind.FOLLOW_UP: (Profession.GP, Profession.IPA),
    ConsultationKind.PREVENTION: (Profession.IPA, Profession.NURSE, Profession.GP),
    ConsultationKind.SNP: (Profession.GP,),
    ConsultationKind.TELECONSULTATION: (Profession.GP, Profession.IPA),
}


class ConsultationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposée"
    BOOKED = "booked", "Réservée"
    DONE = "done", "Réalisée"
    NO_SHOW = "no_show", "Absent(e)"
    CANCELLED = "cancelled", "Annulée"


# The status sets, named once. Python code reads them here (or as `Consultation.<NAME>`),
# templates through the `is_*` properties below, and the database triggers through the
# migrations that build their SQL from them (staffing 0004 and 0008; tests/staffing/
# test_status_sets.py checks the installed triggers still agree). Changing a set needs a
# migration that recreates those triggers.
#
# Statuses that hold the professional's and the patient's time: only a cancellation frees it.
ACTIVE_STATUSES = (
    ConsultationStatus.PROPOSED,
    ConsultationStatus.BOOKED,
    ConsultationStatus.DONE,
    ConsultationStatus.NO_SHOW,
)
ACTIVE_Q = Q(status__in=[s.value for s in ACTIVE_STATUSES])
# Statuses that give the patient an appointment to come: a patient holding one is not
# "waiting to be called" (Patient.next_consultation_at, kept by the trigger of migration 0004).
# They are also what a disruption cancels and moves (staffing.services.disruptions).
UPCOMING_STATUSES = (ConsultationStatus.PROPOSED, ConsultationStatus.BOOKED)
# Statuses of an appointment the patient was really given (not merely proposed by the
# scheduler): the day's lists, a practitioner's access to a patient's file, the SAS bookings.
HELD_STATUSES = (ConsultationStatus.BOOKED, ConsultationStatus.DONE, ConsultationStatus.NO_SHOW)
# Statuses of a consultation whose outcome is recorded (seen or absent).
OUTCOME_STATUSES = (ConsultationStatus.DONE, ConsultationStatus.NO_SHOW)


class BookingSource(models.TextChoices):
    TEAM = "team", "Équipe"
    SAS = "sas", "SAS"


class Orientation(models.TextChoices):
    NONE = "", "Aucune"
    GP_TEAM = "gp_team", "Suivi par l'équipe"
    SPECIALIST = "specialist", "Spécialiste"
    HOSPITAL = "hospital", "Hôpital / urgences"
    PARAMEDICAL = "paramedical", "Paramédical (IDE, kiné…)"
    SOCIAL = "social", "Accompagnement social"
    OTHER = "other", "Autre"


class ConsultationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ACTIVE_Q)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def occupying(self, now=None):
        """Consultations that hold time at `now`: booked, done, no-show, and proposals that have not
        expired (a secretary may be calling the patient). Booking, the rota and the SAS read it."""
        return self.filter(
            Q(status__in=HELD_STATUSES) | Q(status=ConsultationStatus.PROPOSED, expires_at__gt=now or timezone.now())
        )

    def live_proposals(self, now=None):
        return self.filter(status=ConsultationStatus.PROPOSED, expires_at__gt=now or timezone.now())


class Consultation(models.Model):
    """One patient seen (or to be seen) by one professional during one permanence.

    The database guards "no two at once" for the professional and for the patient
    (half-open ranges, active statuses only) and, by trigger (migration), that the
    consultation lies inside its permanence and belongs to its professional.
    """

    Status = ConsultationStatus
    Source = BookingSource
    ACTIVE_STATUSES = ACTIVE_STATUSES
    UPCOMING_STATUSES = UPCOMING_STATUSES
    HELD_STATUSES = HELD_STATUSES
    OUTCOME_STATUSES = OUTCOME_STATUSES

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consultations", verbose_name="patient"
    )
    permanence = models.ForeignKey(
        Permanence, on_delete=models.PROTECT, related_name="consultations", verbose_name="permanence"
    )
    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="consultations", verbose_name="professionnel"
    )
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    kind = models.CharField("motif", max_length=20, choices=ConsultationKind.choices)
    status = models.CharField("statut", max_length=10, choices=ConsultationStatus.choices, db_index=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    created_by = recorded_by("créée par")
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    confirmed_by = recorded_by("confirmée par")
    # who booked it: the team (secretaries, scheduler) or an external platform (the SAS, through interop)
    source = models.CharField("réservée par", max_length=10, choices=BookingSource.choices, default=BookingSource.TEAM)
    # the unscheduled-care call it was booked from, if any (patients.Call)
    call = models.ForeignKey(
        "patients.Call",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations",
        verbose_name="appel d'origine",
    )
    # scheduler proposals
    expires_at = models.DateTimeField("proposition valable jusqu'au", null=True, blank=True)
    explanation = models.CharField("justification", max_length=250, blank=True)
    # cancellation and moves
    cancel_reason = models.CharField("motif d'annulation", max_length=250, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = recorded_by("annulée par")
    rescheduled_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_to",
        verbose_name="déplacée depuis",
    )
    # the day itself
    arrived_at = models.DateTimeField("arrivée à", null=True, blank=True)
    outcome_recorded_at = models.DateTimeField("compte rendu saisi le", null=True, blank=True)
    outcome_recorded_by = recorded_by("compte rendu saisi par")
    orientation = models.CharField("orientation", max_length=15, choices=Orientation.choices, blank=True)
    gp_found = models.BooleanField("médecin traitant trouvé", default=False)
    next_appointment_needed = models.BooleanField("nouveau rendez-vous à prévoir", default=False)
    outcome_note = models.TextField("note", blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "consultation"
        verbose_name_plural = "consultations"
        ordering = ["start"]
        indexes = [
            models.Index(fields=["permanence", "start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["professional", "start"]),
            # live proposals (scheduler page, refills) without reading every consultation ever held
            models.Index(
                fields=["start"], condition=Q(status=ConsultationStatus.PROPOSED), name="consultation_proposal_idx"
            ),
            # consultations held in a period (dashboard: per week, first consultation's delay)
            models.Index(fields=["start"], condition=Q(status=ConsultationStatus.DONE), name="consultation_done_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="consultation_start_before_end"),
            models.CheckConstraint(
                condition=~Q(status=ConsultationStatus.CANCELLED) | ~Q(cancel_reason=""),
                name="consultation_cancel_needs_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConsultationStatus.PROPOSED) | Q(expires_at__isnull=False),
                name="consultation_proposal_expires",
            ),
            # one live scheduler proposal per patient, whatever the run
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status=ConsultationStatus.PROPOSED),
                name="consultation_one_proposal_per_patient",
            ),
            # one live consultation per call to the unscheduled-care line
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(call__isnull=False) & ~Q(status=ConsultationStatus.CANCELLED),
                name="consultation_one_per_call",
            ),
            ExclusionConstraint(
                name="consultation_no_professional_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("professional", RangeOperators.EQUAL),
                ],
                condition=ACTIVE_Q,
                violation_error_message="Ce professionnel a déjà une consultation sur ce créneau.",
            ),
            ExclusionConstraint(
                name="consultation_no_patient_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("patient", RangeOperators.EQUAL),
                ],
                condition=ACTIVE_Q,
                violation_error_message="Ce patient a déjà un rendez-vous sur ce créneau.",
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.start)
        return f"{self.get_kind_display()} le {start:%d/%m/%Y à %H:%M} avec {self.professional}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_proposed(self) -> bool:
        return self.status == ConsultationStatus.PROPOSED

    @property
    def is_booked(self) -> bool:
        return self.status == ConsultationStatus.BOOKED

    @property
    def is_done(self) -> bool:
        return self.status == ConsultationStatus.DONE

    @property
    def is_no_show(self) -> bool:
        return self.status == ConsultationStatus.NO_SHOW

    @property
    def is_cancelled(self) -> bool:
        return self.status == ConsultationStatus.CANCELLED

    @property
    def has_outcome(self) -> bool:
        return self.status in OUTCOME_STATUSES

    @property
    def is_from_sas(self) -> bool:
        return self.source == BookingSource.SAS

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING_STATUSES and self.end > timezone.now()

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class Reminder(models.Model):
    """One message about one consultation on one channel; the unique key makes sending at most once."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "E-mail"

    class Purpose(models.TextChoices):
        DAY_BEFORE = "day_before", "Rappel de la veille"
        MOVED = "moved", "Rendez-vous annulé ou déplacé"
        CONFIRMATION = "confirm", "Confirmation envoyée par le secrétariat"

    class Status(models.TextChoices):
        PENDING = "pending", "À envoyer"
        SENDING = "sending", "Envoi en cours"
        SENT = "sent", "Envoyé"
        SKIPPED = "skipped", "Sans objet"
        FAILED = "failed", "Échec"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="reminders", verbose_name="consultation"
    )
    channel = models.CharField("canal", max_length=5, choices=Channel.choices)
    purpose = models.CharField("objet", max_length=10, choices=Purpose.choices, default=Purpose.DAY_BEFORE)
    recipient = models.CharField("destinataire", max_length=254)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    provider_id = models.CharField("identifiant fournisseur", max_length=100, blank=True)
    error = models.CharField("erreur", max_length=500, blank=True)

    class Meta:
        verbose_name = "rappel"
        verbose_name_plural = "rappels"
        ordering = ["-created_at"]
        constraints = [
            # a moved consultation is a new row, so it gets its own reminder; this one never twice,
            # and the "your appointment moved" notice of a cancelled one never twice either; a
            # confirmation is sent by hand, as often as the secretary asks, each one recorded
            models.UniqueConstraint(
                fields=["consultation", "channel", "purpose"],
                condition=~Q(purpose="confirm"),
                name="reminder_once_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"Rappel {self.get_channel_display()} – {self.consultation}"
