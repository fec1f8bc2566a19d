"""The territory: communes (INSEE reference data) and, later, the vacant premises they lend."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Commune(models.Model):
    """A French commune from INSEE's Code officiel géographique.

    Two Vendée communes have no coordinates in the source data (L'Oie, Sainte-Florence):
    latitude/longitude are nullable and distance code falls back to the EPCI's centroid.
    """

    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=100, db_index=True)
    postal_codes = ArrayField(models.CharField(max_length=5), verbose_name="codes postaux", default=list, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    epci_code = models.CharField("code EPCI", max_length=9, blank=True, db_index=True)
    epci_name = models.CharField("EPCI", max_length=150, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    in_territory = models.BooleanField(
        "dans le territoire de la CPTS",
        default=False,
        db_index=True,
        help_text="Communes couvertes par l'équipe de soins coordonnés.",
    )

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]
        indexes = [models.Index(fields=["postal_codes"], name="commune_postal_codes_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None
