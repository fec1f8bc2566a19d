"""Funders, their funding lines and objectives, the team's expenses, the monthly reports and the
registry's month-end snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from escorter.fields import recorded_by


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


class FundingLine(models.Model):
    """Money granted by one funder for one purpose over a period (e.g. ARS FIR, CPAM ACI)."""

    class Purpose(models.TextChoices):
        ENGINEERING = "engineering", "Ingénierie de projet"
        CASH_ADVANCE = "cash_advance", "Avance de trésorerie"
        PERMANENCES = "permanences", "Rémunération des permanences"
        EQUIPMENT = "equipment", "Équipement"
        COORDINATION = "coordination", "Temps de coordination"
        OTHER = "other", "Autre"

    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.PROTECT, related_name="funding_lines")
    label = models.CharField("intitulé", max_length=200)
    purpose = models.CharField("objet", max_length=20, choices=Purpose.choices)
    amount_granted = models.DecimalField(
        "montant accordé (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période", help_text="Dernier jour inclus.")
    note = models.TextField("remarques", blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["funder__name", "period_start", "label"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="funding_line_period_ordered"),
            models.CheckConstraint(condition=Q(amount_granted__gt=0), name="funding_line_amount_positive"),
            models.UniqueConstraint(fields=["funder", "label"], name="funding_line_label_unique_per_funder"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} – {self.label}"

    @property
    def total_days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.period_start <= day <= self.period_end


class Indicator(models.TextChoices):
    """Figures an objective can target; computed by reporting.selectors.headline over the line's period."""

    PATIENTS_REFERRED = "patients_referred", "Patients orientés"
    PATIENTS_SEEN = "patients_seen", "Patients vus au moins une fois"
    PATIENTS_GP_FOUND = "patients_gp_found", "Patients ayant retrouvé un médecin traitant"
    CONSULTATIONS_DONE = "consultations_done", "Consultations réalisées"
    PERMANENCE_HOURS = "permanence_hours", "Heures de permanence assurées"
    CALLS = "calls", "Appels de soins non programmés"


class FundingObjective(models.Model):
    """A target figure a funding line is conditioned on (e.g. ACI: 200 patients with a GP again)."""

    line = models.ForeignKey(
        FundingLine, verbose_name="ligne de financement", on_delete=models.CASCADE, related_name="objectives"
    )
    indicator = models.CharField("indicateur", max_length=30, choices=Indicator.choices)
    target = models.PositiveIntegerField("cible", validators=[MinValueValidator(1)])
    label = models.CharField("libellé", max_length=200, blank=True)

    class Meta:
        verbose_name = "objectif"
        verbose_name_plural = "objectifs"
        ordering = ["line", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["line", "indicator"], name="objective_indicator_unique_per_line"),
            models.CheckConstraint(condition=Q(target__gt=0), name="objective_target_positive"),
        ]

    def __str__(self) -> str:
        return self.label or self.get_indicator_display()


class Expense(models.Model):
    """Money spent on a funding line; permanence hours carry their hours and hourly rate."""

    class Category(models.TextChoices):
        PERMANENCE_HOURS = "permanence_hours", "Heures de permanence"
        COORDINATION = "coordination", "Coordination"
        ENGINEERING = "engineering", "Ingénierie"
        EQUIPMENT = "equipment", "Équipement"
        CASH_ADVANCE = "cash_advance", "Avance de trésorerie"
        TRAVEL = "travel", "Déplacements"
        OTHER = "other", "Autre"

    line = models.ForeignKey(
        FundingLine, verbose_name="ligne de financement", on_delete=models.PROTECT, related_name="expenses"
    )
    date = models.DateField("date")
    amount = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    category = models.CharField("catégorie", max_length=20, choices=Category.choices)
    supplier = models.CharField("bénéficiaire / fournisseur", max_length=200)
    hours = models.DecimalField("heures", max_digits=8, decimal_places=2, null=True, blank=True)
    hourly_rate = models.DecimalField("taux horaire (€)", max_digits=8, decimal_places=2, null=True, blank=True)
    note = models.TextField("remarque", blank=True)
    created_by = recorded_by("saisie par", related_name=None)
    created_at = models.DateTimeField("saisie le", default=timezone.now)

    class Meta:
        verbose_name = "dépense"
        verbose_name_plural = "dépenses"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["line", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            # hours and rate go together, and then the amount is their product
            models.CheckConstraint(
                condition=(Q(hours__isnull=True) & Q(hourly_rate__isnull=True))
                | (Q(hours__gt=0) & Q(hourly_rate__gt=0)),
                name="expense_hours_and_rate_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.supplier} {self.amount} €"


class MonthlyReport(models.Model):
    """One version of the report of one month for one funder (its audience).

    Built by the worker into temporary files, then published in one UPDATE: a funder only
    ever sees PUBLISHED rows, whose files are complete. Regeneration creates version n+1
    and keeps the previous ones.
    """

    class Status(models.TextChoices):
        BUILDING = "building", "En préparation"
        PUBLISHED = "published", "Publié"
        FAILED = "failed", "Échec"

    audience = models.ForeignKey(Funder, verbose_name="destinataire", on_delete=models.PROTECT, related_name="reports")
    month = models.DateField("mois", help_text="Premier jour du mois couvert.")
    version = models.PositiveSmallIntegerField("version", default=1)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.BUILDING)
    requested_by = recorded_by("générée par")
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    generated_at = models.DateTimeField("générée le", null=True, blank=True)
    # the worker holding the build: a conditional UPDATE hands it to exactly one of them
    claim_token = models.CharField("jeton de construction", max_length=32, blank=True)
    claimed_at = models.DateTimeField("prise en charge le", null=True, blank=True)
    xlsx_file = models.FileField("fichier XLSX", upload_to="reports/", max_length=300, blank=True)
    pdf_file = models.FileField("fichier PDF", upload_to="reports/", max_length=300, blank=True)
    csv_file = models.FileField("fichier CSV", upload_to="reports/", max_length=300, blank=True)
    checksum = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    checksums = models.JSONField("empreintes par fichier", default=dict, blank=True)
    figures = models.JSONField("chiffres clés (masqués)", default=list, blank=True)
    # the coordinator's word to the funder, written before the version is built and sent
    commentary = models.TextField("commentaire de la coordination", blank=True, max_length=3000)
    error = models.TextField("erreur", blank=True)
    notified_at = models.DateTimeField("financeur notifié le", null=True, blank=True)

    class Meta:
        verbose_name = "rapport mensuel"
        verbose_name_plural = "rapports mensuels"
        ordering = ["-month", "audience__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "month", "version"], name="report_unique_audience_month_version"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="report_month_is_first_day"),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
            models.CheckConstraint(
                condition=~Q(status="published") | (~Q(checksum="") & Q(generated_at__isnull=False)),
                name="report_published_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audience} – {self.month:%m/%Y} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_building(self) -> bool:
        return self.status == self.Status.BUILDING

    @property
    def month_label(self) -> str:
        from reporting.periods import Month

        return Month.of(self.month).label

    def figure(self, label: str) -> dict:
        return next((f for f in self.figures or [] if f.get("label") == label), {})

    def file_for(self, fmt: str):
        return {"xlsx": self.xlsx_file, "pdf": self.pdf_file, "csv": self.csv_file}[fmt]


class MonthEndSnapshot(models.Model):
    """The registry at the end of a closed month, kept so that pages do not rebuild it from the
    status history (two scans of every patient) on each view: the patients referred by then,
    counted by their status at that moment and by their priority tier and ALD as they stood when
    the snapshot was taken.

    Taken by reporting.services.month_ends: the month just closed, and again every stored month
    that a back-dated change reaches (MonthEndInvalidation)."""

    month = models.DateField("mois", primary_key=True, help_text="Premier jour du mois.")
    # [[status, priority_tier, ald, n], ...]: at most statuses x 3 tiers x 2 groups
    counts = models.JSONField("effectifs", default=list)
    taken_at = models.DateTimeField("relevé le")

    class Meta:
        verbose_name = "registre en fin de mois"
        verbose_name_plural = "registre en fin de mois"
        ordering = ["month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="monthend_month_is_first_day")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class MonthEndInvalidation(models.Model):
    """A write that reaches back into closed months: a patient referred, erased or re-dated before
    the running month, or a status change dated before it. Snapshots from `from_month` on are out
    of date until the next refresh, which deletes the rows it has seen (rows committed meanwhile
    stay for the one after). Written by triggers on the registry (migration reporting 0004)."""

    from_month = models.DateField("à partir du mois")
    at = models.DateTimeField("le", db_default=Now())

    class Meta:
        verbose_name = "mois clos à recalculer"
        verbose_name_plural = "mois clos à recalculer"

    def __str__(self) -> str:
        return f"{self.from_month:%m/%Y}"
