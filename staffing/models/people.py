"""The team: professions, the consultations they hold, and the professionals themselves."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError

from sites.models import Commune


class Profession(models.TextChoices):
    GP = "gp", "Médecin généraliste"
    IPA = "ipa", "Infirmier(e) en pratique avancée"
    MEDICAL_ASSISTANT = "medical_assistant", "Assistant(e) médical(e)"
    SECRETARY = "secretary", "Secrétaire médicale"
    NURSE = "nurse", "Infirmier(e)"
    OTHER = "other", "Autre"


# Professions that hold consultations and therefore carry an RPPS number.
RPPS_REQUIRED = (Profession.GP, Profession.IPA, Profession.NURSE)
DEFAULT_MINUTES = {Profession.GP: 20, Profession.IPA: 30, Profession.NURSE: 30, Profession.MEDICAL_ASSISTANT: 20}


class ConsultationKind(models.TextChoices):
    FIRST_VISIT = "first_visit", "Première consultation"
    FOLLOW_UP = "follow_up", "Suivi"
    PREVENTION = "prevention", "Prévention"
    SNP = "snp", "Soins non programmés"
    TELECONSULTATION = "teleconsultation", "Téléconsultation"


def validate_rpps(value: str) -> None:
    """RPPS: 11 digits, the last one a Luhn check digit (python-stdnum's Luhn, not hand-written)."""
    if not value:
        return
    if len(value) != 11 or not value.isdigit():
        raise ValidationError("Le numéro RPPS compte 11 chiffres.", code="rpps_format")
    try:
        luhn.validate(value)
    except StdnumError:
        raise ValidationError("Le numéro RPPS %(value)s a une clé invalide.", code="rpps_key", params={"value": value})


class Professional(models.Model):
    """A member of the team: GP, IPA, medical assistant, secretary… from the neighbouring practices."""

    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    profession = models.CharField("profession", max_length=20, choices=Profession.choices)
    rpps = models.CharField(
        "RPPS",
        max_length=11,
        blank=True,
        validators=[validate_rpps],
        help_text="11 chiffres, obligatoire pour les médecins, IPA et infirmiers.",
    )
    practice = models.CharField("cabinet d'exercice habituel", max_length=200, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="commune du cabinet"
    )
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="professional",
        verbose_name="compte utilisateur",
    )
    default_consultation_minutes = models.PositiveSmallIntegerField("durée de consultation (min)", default=20)
    active = models.BooleanField("actif", default=True)

    class Meta:
        verbose_name = "professionnel"
        verbose_name_plural = "professionnels"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["rpps"], condition=~Q(rpps=""), name="professional_unique_rpps"),
            models.CheckConstraint(
                condition=Q(rpps="") | Q(rpps__regex=r"^[0-9]{11}$"), name="professional_rpps_11_digits"
            ),
            models.CheckConstraint(
                condition=~Q(profession__in=RPPS_REQUIRED) | ~Q(rpps=""), name="professional_rpps_required"
            ),
            models.CheckConstraint(
                condition=Q(default_consultation_minutes__gte=5) & Q(default_consultation_minutes__lte=120),
                name="professional_consultation_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        prefix = "Dr " if self.profession == Profession.GP else ""
        return f"{prefix}{self.first_name} {self.last_name}"

    def clean(self) -> None:
        if self.profession in RPPS_REQUIRED and not self.rpps:
            raise ValidationError({"rpps": "Le numéro RPPS est obligatoire pour cette profession."})
