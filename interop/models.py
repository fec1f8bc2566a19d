"""External API clients (the SAS platform, later others), what is published to the SAS, and SAS bookings.

Free SNP slots are never stored here: they are derived on each request from the staffing
selectors (permanences minus active consultations). Only the coordinator's publication
choice and the link between a SAS appointment identifier and our consultation are stored.
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

TOKEN_PREFIX = "esc_"


class Scope(models.TextChoices):
    SLOT_READ = "slot:read", "Lire les créneaux publiés (Slot)"
    APPOINTMENT_WRITE = "appointment:write", "Prendre et annuler des rendez-vous (Appointment)"


def hash_token(token: str) -> str:
    """Tokens are 256 random bits: one SHA-256 is enough (and lets PostgreSQL find them by index)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClientQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ApiClient(models.Model):
    """One external system calling /fhir/ with its own bearer token; only the token's hash is kept."""

    name = models.CharField("nom", max_length=100, unique=True)
    token_hash = models.CharField("empreinte du jeton (SHA-256)", max_length=64, unique=True, editable=False)
    token_hint = models.CharField("début du jeton", max_length=12, editable=False)
    scopes = ArrayField(
        models.CharField(max_length=30, choices=Scope.choices), verbose_name="droits", default=list, blank=True
    )
    rate_per_minute = models.PositiveIntegerField(
        "appels par minute", default=120, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = "client de l'API"
        verbose_name_plural = "clients de l'API"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @staticmethod
    def new_token() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def set_token(self, token: str) -> None:
        self.token_hash = hash_token(token)
        self.token_hint = token[: len(TOKEN_PREFIX) + 4]


class PublicationPolicy(models.Model):
    """The coordinator's choice: which share of each permanence's SNP times the SAS sees.

    One row (pk=1). A per-permanence override (PermanencePublication) wins over it.
    """

    share_percent = models.PositiveSmallIntegerField(
        "part des créneaux SNP publiée au SAS (%)",
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="100 : tous les créneaux SNP ; 50 : un sur deux, répartis sur la permanence ; 0 : aucun.",
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "publication au SAS"
        verbose_name_plural = "publication au SAS"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="publication_policy_singleton"),
            models.CheckConstraint(condition=Q(share_percent__lte=100), name="publication_policy_share_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.share_percent} % des créneaux SNP publiés"


class PermanencePublication(models.Model):
    """A share chosen for one permanence (e.g. keep this one for the team's own calls)."""

    permanence = models.OneToOneField(
        "staffing.Permanence", on_delete=models.CASCADE, related_name="sas_publication", verbose_name="permanence"
    )
    share_percent = models.PositiveSmallIntegerField(
        "part publiée au SAS (%)", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "publication d'une permanence au SAS"
        verbose_name_plural = "publications des permanences au SAS"
        constraints = [
            models.CheckConstraint(condition=Q(share_percent__lte=100), name="permanence_publication_share_max_100")
        ]

    def __str__(self) -> str:
        return f"{self.permanence} : {self.share_percent} %"


class SasAppointment(models.Model):
    """A consultation booked by an external platform, under the identifier that platform gave it.

    The platform cancels by that identifier (FHIR conditional update), so it is unique per client.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="appointments", verbose_name="client")
    consultation = models.OneToOneField(
        "staffing.Consultation", on_delete=models.CASCADE, related_name="sas_appointment", verbose_name="consultation"
    )
    identifier_system = models.CharField("système de l'identifiant", max_length=200)
    identifier_value = models.CharField("identifiant du rendez-vous", max_length=100)
    operator_system = models.CharField("système de l'identifiant du régulateur", max_length=200, blank=True)
    operator_value = models.CharField("identifiant du régulateur", max_length=100, blank=True)
    created_at = models.DateTimeField("reçu le", default=timezone.now)

    class Meta:
        verbose_name = "rendez-vous SAS"
        verbose_name_plural = "rendez-vous SAS"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "identifier_system", "identifier_value"], name="sas_appointment_unique_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identifier_value} ({self.client})"
