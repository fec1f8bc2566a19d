"""Calls to the unscheduled-care line ("régulation téléphonique des soins non programmés")."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from escorter.fields import recorded_by


class CallerKind(models.TextChoices):
    PATIENT = "patient", "Le patient lui-même"
    RELATIVE = "relative", "Un proche"
    PROFESSIONAL = "professional", "Un professionnel"
    UNKNOWN = "unknown", "Inconnu"


class CallCategory(models.TextChoices):
    """Reason categories a secretary can pick in one keystroke; the free text says the rest."""

    FEVER = "fever", "Fièvre, infection"
    RESPIRATORY = "respiratory", "Toux, gêne respiratoire"
    PAIN = "pain", "Douleur"
    TRAUMA = "trauma", "Petite traumatologie, plaie"
    DIGESTIVE = "digestive", "Troubles digestifs"
    SKIN = "skin", "Peau, éruption"
    URINARY = "urinary", "Troubles urinaires"
    CHILD = "child", "Enfant malade"
    MENTAL_HEALTH = "mental_health", "Santé mentale"
    PRESCRIPTION = "prescription", "Renouvellement d'ordonnance"
    ADMINISTRATIVE = "administrative", "Certificat, administratif"
    OTHER = "other", "Autre"


class CallOutcome(models.TextChoices):
    VITAL_EMERGENCY = "vital_emergency", "Urgence vitale : orienté vers le 15 (SAMU)"
    SAME_DAY = "same_day", "Consultation le jour même"
    WITHIN_48H = "within_48h", "Consultation sous 48 h"
    ADVICE_GIVEN = "advice_given", "Conseil donné"
    REDIRECTED_PHARMACY = "redirected_pharmacy", "Orienté vers la pharmacie"
    REDIRECTED_OTHER = "redirected_other", "Orienté ailleurs (urgences, dentiste de garde…)"
    NO_ACTION = "no_action", "Sans suite"


# Outcomes that call for a consultation booked by the team.
CONSULTATION_OUTCOMES = (CallOutcome.SAME_DAY, CallOutcome.WITHIN_48H)
OUTCOME_CSS = {
    CallOutcome.VITAL_EMERGENCY: "text-bg-danger",
    CallOutcome.SAME_DAY: "text-bg-success",
    CallOutcome.WITHIN_48H: "text-bg-primary",
    CallOutcome.ADVICE_GIVEN: "text-bg-info",
    CallOutcome.REDIRECTED_PHARMACY: "text-bg-secondary",
    CallOutcome.REDIRECTED_OTHER: "text-bg-warning",
    CallOutcome.NO_ACTION: "text-bg-light border",
}
# Short labels for filters and charts.
OUTCOME_SHORT = {
    CallOutcome.VITAL_EMERGENCY: "15 (SAMU)",
    CallOutcome.SAME_DAY: "Jour même",
    CallOutcome.WITHIN_48H: "Sous 48 h",
    CallOutcome.ADVICE_GIVEN: "Conseil",
    CallOutcome.REDIRECTED_PHARMACY: "Pharmacie",
    CallOutcome.REDIRECTED_OTHER: "Orienté ailleurs",
    CallOutcome.NO_ACTION: "Sans suite",
}
ABANDONED_AFTER = dt.timedelta(hours=1)
# A call longer than this is a typing mistake (the line's calls last a few minutes).
MAX_CALL_SECONDS = 4 * 3600


# A call opened by mistake: nothing typed, no patient, no outcome. It is never listed nor counted,
# and the worker deletes it once EMPTY_CALL_KEPT has passed (patients.tasks.discard_empty_calls).
EMPTY_CALL = Q(
    outcome="",
    patient__isnull=True,
    commune__isnull=True,
    category="",
    reason="",
    caller_name="",
    caller_phone="",
    follow_up_note="",
    duration_seconds__isnull=True,
)
EMPTY_CALL_KEPT = dt.timedelta(minutes=30)


class CallQuerySet(models.QuerySet):
    def closed(self):
        return self.exclude(outcome="")

    def received_between(self, start, end, *, now=None):
        """Calls received in the half-open range [start, end) of aware datetimes, empty ones left out.

        With `now`, the log's view: an empty call opened less than EMPTY_CALL_KEPT ago stays
        listed (someone may be taking it right now); figures never pass `now`, so never count it.
        """
        calls = self.filter(received_at__gte=start, received_at__lt=end)
        if now is None:
            return calls.exclude(EMPTY_CALL)
        return calls.exclude(EMPTY_CALL & Q(created_at__lt=now - EMPTY_CALL_KEPT))


class Call(models.Model):
    """One call to the line. Saved the moment it is opened, so a hang-up loses nothing.

    `outcome` stays empty while the call is in progress; `closed_at` is set with it.
    """

    received_at = models.DateTimeField("reçu le", default=timezone.now, db_index=True)
    handled_by = recorded_by("pris par")
    caller_kind = models.CharField("appelant", max_length=12, choices=CallerKind.choices, default=CallerKind.UNKNOWN)
    caller_name = models.CharField(
        "nom de l'appelant", max_length=150, blank=True, help_text="Si ce n'est pas le patient (proche, infirmière…)."
    )
    caller_phone = models.CharField("téléphone de l'appelant", max_length=20, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name="patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    commune = models.ForeignKey(
        "sites.Commune",
        verbose_name="commune de l'appelant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField("catégorie de motif", max_length=20, choices=CallCategory.choices, blank=True)
    reason = models.TextField("motif", blank=True)
    outcome = models.CharField("orientation", max_length=20, choices=CallOutcome.choices, blank=True, db_index=True)
    duration_seconds = models.PositiveIntegerField("durée (secondes)", null=True, blank=True)
    follow_up_note = models.TextField("suite à donner", blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "appel SNP"
        verbose_name_plural = "appels SNP"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["commune", "received_at"], name="call_commune_received_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(caller_kind__in=[c.value for c in CallerKind]), name="call_caller_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=[c.value for c in CallOutcome]), name="call_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(category="") | Q(category__in=[c.value for c in CallCategory]),
                name="call_category_valid",
            ),
            # closed <=> an outcome was chosen
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(closed_at__isnull=True)) | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="call_closed_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__lte=MAX_CALL_SECONDS),
                name="call_duration_plausible",
            ),
        ]

    def __str__(self) -> str:
        received = timezone.localtime(self.received_at)
        return f"Appel du {received:%d/%m/%Y à %H:%M}"

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def is_vital_emergency(self) -> bool:
        return self.outcome == CallOutcome.VITAL_EMERGENCY

    @property
    def needs_consultation(self) -> bool:
        return self.outcome in CONSULTATION_OUTCOMES

    @property
    def is_abandoned(self) -> bool:
        """Still without an outcome an hour later: the caller hung up or the screen was left."""
        return self.is_open and timezone.now() - self.received_at > ABANDONED_AFTER

    @property
    def outcome_css(self) -> str:
        """Bootstrap badge classes of the outcome (the vital emergency always in red)."""
        return OUTCOME_CSS.get(self.outcome, "text-bg-light border")

    @property
    def duration_display(self) -> str:
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes} min {seconds:02d} s"
