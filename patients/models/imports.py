"""Uploaded lists (CPAM, hospital, …) and the patients each one created or completed."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from escorter.fields import recorded_by
from patients.models.registry import Patient


class IssueKind(models.TextChoices):
    """What an import remark is about (stored in PatientImport.summary, shown by its label)."""

    ERROR = "error", "erreur"
    CONFLICT = "conflict", "conflit"
    DUPLICATE = "duplicate", "doublon"


class RowOutcome(models.TextChoices):
    """What became of a previewed row (stored in PatientImport.summary, shown by its label)."""

    NEW = "new", "nouveau"
    COMPLETED = "completed", "complété"
    KNOWN = "known", "déjà connu"
    DUPLICATE = "duplicate", "doublon"
    REJECTED = "rejected", "rejetée"


def import_upload_path(instance, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{filename}"


class PatientImport(models.Model):
    """An uploaded list (CPAM, hospital, …): previewed, then imported; keeps its error report."""

    class State(models.TextChoices):
        PREVIEW = "preview", "Aperçu"
        DONE = "done", "Importé"
        FAILED = "failed", "Fichier inutilisable"
        ABANDONED = "abandoned", "Abandonné (non confirmé)"

    # deleted once the import is done, refused or abandoned (IMPORT_FILE_RETENTION_HOURS): the list
    # itself is health data the team no longer needs; the summary and error report stay
    file = models.FileField("fichier", upload_to=import_upload_path, blank=True)
    original_name = models.CharField("nom du fichier", max_length=255)
    source = models.CharField(
        "origine", max_length=20, choices=Patient.ReferralSource.choices, default=Patient.ReferralSource.CPAM
    )
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.PREVIEW)
    summary = models.JSONField("résumé", default=dict, blank=True)
    errors_csv = models.TextField("rapport d'erreurs (CSV)", blank=True)
    created_at = models.DateTimeField("déposé le", default=timezone.now)
    created_by = recorded_by("déposé par")
    imported_at = models.DateTimeField("importé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de liste"
        verbose_name_plural = "imports de listes"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%d/%m/%Y})"

    @property
    def is_preview(self) -> bool:
        return self.state == self.State.PREVIEW

    @property
    def has_failed(self) -> bool:
        return self.state == self.State.FAILED

    @property
    def is_abandoned(self) -> bool:
        return self.state == self.State.ABANDONED


class ImportedPatient(models.Model):
    """Which patients an import created or completed: the import page links to them."""

    class Outcome(models.TextChoices):
        CREATED = "created", "créé"
        COMPLETED = "completed", "complété"

    patient_import = models.ForeignKey(
        PatientImport, on_delete=models.CASCADE, related_name="patients", verbose_name="import"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+", verbose_name="patient")
    outcome = models.CharField("résultat", max_length=10, choices=Outcome.choices)

    class Meta:
        verbose_name = "patient importé"
        verbose_name_plural = "patients importés"
        indexes = [models.Index(fields=["patient_import", "outcome"], name="importedpatient_import_outcome")]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.get_outcome_display()} par l'import {self.patient_import_id}"
