"""Project-wide models: the append-only audit log and the progress of worker tasks."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from escorter.fields import recorded_by


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal d'accès ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError("Le journal d'accès ne peut pas être supprimé.")


class AuditLog(models.Model):
    """Who read or exported what, when and from where (GDPR art. 9 traceability).

    Append-only: the manager refuses updates and deletes, and a PostgreSQL trigger
    (migration 0002) refuses them for any client of the database. `user_id` is not a
    foreign key so that deleting an account never rewrites its trail.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Consultation"
        EXPORT = "export", "Export"
        DOWNLOAD = "download", "Téléchargement"
        CREATE = "create", "Création"
        UPDATE = "update", "Modification"
        DELETE = "delete", "Suppression"
        IMPORT = "import", "Import"
        ANONYMISE = "anonymise", "Anonymisation"

    at = models.DateTimeField("date", default=timezone.now, db_index=True)
    user_id = models.BigIntegerField("identifiant utilisateur", null=True, blank=True, db_index=True)
    username = models.CharField("utilisateur", max_length=150, blank=True)
    role = models.CharField("rôle", max_length=20, blank=True)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    object_type = models.CharField("type d'objet", max_length=100, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    detail = models.TextField("détail", blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal d'accès"
        verbose_name_plural = "journal d'accès"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()} {self.object_type} {self.object_id}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Le journal d'accès ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal d'accès ne peut pas être supprimé.")


class TaskRun(models.Model):
    """One run of a worker task, polled by pages to show a progress bar."""

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        SUCCESS = "success", "Terminé"
        FAILURE = "failure", "Échec"

    task_name = models.CharField("tâche", max_length=200)
    arguments = models.JSONField("arguments", default=dict, blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("progression (%)", default=0)
    message = models.TextField("message", blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    created_by = recorded_by("lancée par", related_name=None)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    started_at = models.DateTimeField("démarrée le", null=True, blank=True)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    # A running task's worker touches heartbeat_at every TASK_HEARTBEAT_SECONDS; a run whose
    # heartbeat stopped (worker killed) is failed by the beat job and, if idempotent, retried.
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    retry_of = models.OneToOneField(
        "self", verbose_name="relance de", null=True, blank=True, on_delete=models.SET_NULL, related_name="retry"
    )

    class Meta:
        verbose_name = "exécution de tâche"
        verbose_name_plural = "exécutions de tâches"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["heartbeat_at"], condition=models.Q(status="running"), name="escorter_taskrun_running_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCESS, self.Status.FAILURE)

    @property
    def succeeded(self) -> bool:
        return self.status == self.Status.SUCCESS

    @property
    def failed(self) -> bool:
        return self.status == self.Status.FAILURE
