"""What disruptions leave behind: the "à rappeler" queue and the history of amended outcomes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from escorter.fields import recorded_by
from staffing.models.consultations import Consultation, ConsultationStatus
from staffing.models.people import ConsultationKind, Professional


class CallBack(models.Model):
    """A patient whose appointment could not happen and for whom no time was free: a secretary calls them.

    Holds patient data (the free-text note): erasing a patient must blank `note` and `outcome_note`.
    """

    class Status(models.TextChoices):
        OPEN = "open", "À rappeler"
        DONE = "done", "Traité"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="call_backs", verbose_name="patient"
    )
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_backs",
        verbose_name="rendez-vous annulé",
    )
    kind = models.CharField("motif de consultation", max_length=20, choices=ConsultationKind.choices)
    professional = models.ForeignKey(
        Professional,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="praticien précédent",
    )
    reason = models.CharField("raison", max_length=250)
    status = models.CharField("statut", max_length=5, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("ajouté le", default=timezone.now)
    handled_at = models.DateTimeField("traité le", null=True, blank=True)
    handled_by = recorded_by("traité par")
    outcome_note = models.CharField("suite donnée", max_length=250, blank=True)

    class Meta:
        verbose_name = "patient à rappeler"
        verbose_name_plural = "patients à rappeler"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="callback_queue_idx")]
        constraints = [
            # one open call-back per patient: a second disruption adds its reason to the same line
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="open"), name="callback_one_open_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(handled_at__isnull=False), name="callback_done_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"À rappeler : {self.patient} ({self.reason})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class OutcomeChange(models.Model):
    """An outcome already recorded and then changed on purpose: who, when, from what to what, why."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="outcome_changes", verbose_name="consultation"
    )
    from_status = models.CharField("ancien statut", max_length=10, choices=ConsultationStatus.choices)
    to_status = models.CharField("nouveau statut", max_length=10, choices=ConsultationStatus.choices)
    from_orientation = models.CharField("ancienne orientation", max_length=15, blank=True)
    to_orientation = models.CharField("nouvelle orientation", max_length=15, blank=True)
    reason = models.CharField("motif de la correction", max_length=250)
    at = models.DateTimeField("le", default=timezone.now)
    by = recorded_by("par")

    class Meta:
        verbose_name = "correction de compte rendu"
        verbose_name_plural = "corrections de compte rendu"
        ordering = ["at"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="outcomechange_needs_reason")]

    def __str__(self) -> str:
        return f"{self.consultation} : {self.get_from_status_display()} → {self.get_to_status_display()}"
