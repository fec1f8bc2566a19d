"""Funders of the team and, later, funding lines, expenses and monthly reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Funder(models.Model):
    class Kind(models.TextChoices):
        ARS = "ars", "ARS"
        CPAM = "cpam", "CPAM"
        DEPARTEMENT = "departement", "Département"
        PREFECTURE = "prefecture", "Préfecture"
        OTHER = "other", "Autre"

    name = models.CharField("nom", max_length=150, unique=True)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FunderMembership(models.Model):
    """A funder user belongs to exactly one funder organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="funder_membership"
    )
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        verbose_name = "membre d'un financeur"
        verbose_name_plural = "membres des financeurs"

    def __str__(self) -> str:
        return f"{self.user} – {self.funder}"
