"""Patients per (status, tier, ALD, consultation proposed or booked), kept exact by triggers (migration 0009).

The waiting list's figures and the dashboards read these few rows instead of counting
a registry of a million patients on every request. Statement-level triggers with
transition tables apply one grouped delta per INSERT/UPDATE/DELETE/COPY, so a bulk import
or a nightly priority recomputation updates a handful of rows once, and an edit that
changes neither status, tier, ALD nor the next consultation touches nothing. Anonymised patients are not counted.
"""

from __future__ import annotations

from django.db import models


class RegistryCount(models.Model):
    status = models.CharField("statut", max_length=10)
    tier = models.CharField("niveau", max_length=2)
    ald = models.BooleanField("ALD")
    # a consultation proposed or booked (next_consultation_at set): "waiting to be called" is
    # status waiting and not scheduled (Patient.AWAITING_CALL)
    scheduled = models.BooleanField("rendez-vous proposé ou pris")
    patients = models.BigIntegerField("patients", default=0)

    class Meta:
        verbose_name = "effectif du registre"
        verbose_name_plural = "effectifs du registre"
        constraints = [models.UniqueConstraint(fields=["status", "tier", "ald", "scheduled"], name="registrycount_key")]

    def __str__(self) -> str:
        return f"{self.status} {self.tier} ALD={self.ald} RDV={self.scheduled}: {self.patients}"
