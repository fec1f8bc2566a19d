"""The territory: communes (INSEE reference data) and the vacant premises they lend."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Commune(models.Model):
    """A French commune from INSEE's Code officiel géographique (reference data, sites/data/).

    Loaded by `migrate`, refreshed by `refresh_communes`. A commune that disappears from a
    newer COG (merged into another) stays, `current=False`, so rows that point to it keep
    their meaning; its code resolves to its successor through `FormerCommuneCode`.
    About a hundred communes have no coordinates (created since the 2018 boundaries, e.g.
    L'Oie and Sainte-Florence in Vendée): distance code falls back to the EPCI's centroid.
    """

    insee_code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=100, db_index=True)
    postal_codes = ArrayField(models.CharField(max_length=5), verbose_name="codes postaux", default=list, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    epci_code = models.CharField("code EPCI", max_length=9, blank=True, db_index=True)
    epci_name = models.CharField("EPCI", max_length=150, blank=True)
    department_code = models.CharField("département", max_length=3, blank=True, db_index=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    current = models.BooleanField(
        "commune actuelle", default=True, help_text="Faux pour une commune fusionnée depuis dans une autre."
    )
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


class Department(models.Model):
    """A département and its region, for choosing a territory (reference data)."""

    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region_code = models.CharField("code région", max_length=3)
    region_name = models.CharField("région", max_length=100)

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FormerCommuneCode(models.Model):
    """A code or name that no longer designates a current commune: a commune merged into
    `commune` (commune nouvelle), a delegated or associated commune, or a municipal
    arrondissement (Paris, Lyon, Marseille). Old lists still use them."""

    class Kind(models.TextChoices):
        FORMER = "former", "ancienne commune"
        DELEGATED = "delegated", "commune déléguée"
        ASSOCIATED = "associated", "commune associée"
        ARRONDISSEMENT = "arrondissement", "arrondissement municipal"

    code = models.CharField("code INSEE", max_length=5, db_index=True)
    name = models.CharField("nom", max_length=100, blank=True)
    kind = models.CharField("nature", max_length=15, choices=Kind.choices)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="former_codes", verbose_name="commune actuelle"
    )

    class Meta:
        verbose_name = "ancien code commune"
        verbose_name_plural = "anciens codes communes"
        constraints = [models.UniqueConstraint(fields=["code", "name"], name="former_commune_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code}) → {self.commune_id}"


class PremisesQuerySet(models.QuerySet):
    def available_on(self, day):
        """Premises lent on `day` (open, or preparing but already in their availability window)."""
        return self.exclude(status=Premises.Status.CLOSED).filter(
            models.Q(available_from__lte=day),
            models.Q(available_until__isnull=True) | models.Q(available_until__gte=day),
        )


class Premises(models.Model):
    """Vacant municipal premises a commune lends to the team (a former GP surgery, a room of the town hall)."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "En préparation"
        OPEN = "open", "Ouvert"
        CLOSED = "closed", "Fermé"

    name = models.CharField("nom", max_length=150)
    address = models.CharField("adresse", max_length=250)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="premises", verbose_name="commune")
    lending_commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="lent_premises",
        verbose_name="commune prêteuse",
        null=True,
        blank=True,
        help_text="Si vide : la commune du local.",
    )
    contact_name = models.CharField("contact en mairie", max_length=150, blank=True)
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    contact_email = models.EmailField("courriel du contact", blank=True)
    key_notes = models.TextField("remise des clés", blank=True, help_text="Où et auprès de qui récupérer les clés.")
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PREPARING)
    available_from = models.DateField("disponible à partir du")
    available_until = models.DateField("disponible jusqu'au", null=True, blank=True)
    notes = models.TextField("remarques", blank=True)

    objects = PremisesQuerySet.as_manager()

    class Meta:
        verbose_name = "local"
        verbose_name_plural = "locaux"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="premises_unique_name_per_commune"),
            models.CheckConstraint(
                condition=models.Q(available_until__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="premises_available_from_before_until",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def lender(self) -> Commune:
        return self.lending_commune or self.commune

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_preparing(self) -> bool:
        return self.status == self.Status.PREPARING

    def is_available_on(self, day) -> bool:
        return (
            self.status != self.Status.CLOSED
            and self.available_from <= day
            and (self.available_until is None or day <= self.available_until)
        )


class Room(models.Model):
    """A consulting room of some premises; permanences are held in a room."""

    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="rooms", verbose_name="local")
    name = models.CharField("nom", max_length=100)
    equipment = models.TextField("équipement", blank=True, help_text="Table d'examen, ECG, télémédecine…")
    wheelchair_accessible = models.BooleanField("accessible en fauteuil roulant", default=False)
    active = models.BooleanField("en service", default=True)

    class Meta:
        verbose_name = "salle"
        verbose_name_plural = "salles"
        ordering = ["premises__name", "name"]
        constraints = [models.UniqueConstraint(fields=["premises", "name"], name="room_unique_name_per_premises")]

    def __str__(self) -> str:
        return f"{self.premises.name} – {self.name}"


class Closure(models.Model):
    """Days the commune needs its premises (or one room) back: no permanence is generated then."""

    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="closures", verbose_name="local")
    room = models.ForeignKey(
        Room,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name="salle",
        null=True,
        blank=True,
        help_text="Si vide : tout le local est fermé.",
    )
    start_date = models.DateField("du")
    end_date = models.DateField("au")
    reason = models.CharField("motif", max_length=200)

    class Meta:
        verbose_name = "fermeture"
        verbose_name_plural = "fermetures"
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="closure_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.premises.name} fermé du {self.start_date:%d/%m/%Y} au {self.end_date:%d/%m/%Y}"

    def covers(self, day, room_id: int | None) -> bool:
        return self.start_date <= day <= self.end_date and (self.room_id is None or self.room_id == room_id)
