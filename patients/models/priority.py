"""The priority rule: versioned weights coordinators edit, and the scoring it applies."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Tier(models.TextChoices):
    P1 = "P1", "P1 – très prioritaire"
    P2 = "P2", "P2 – prioritaire"
    P3 = "P3", "P3 – standard"


class PriorityRule(models.Model):
    """One version of the weights. Never edited in place: a change creates version n+1.

    Scores keep a foreign key to the version that produced them, so "explain my score"
    still tells the truth after the coordinator changes the weights.
    """

    version = models.PositiveIntegerField("version", unique=True)
    is_active = models.BooleanField("règle en vigueur", default=False)
    ald = models.PositiveSmallIntegerField("ALD", default=40)
    age_80 = models.PositiveSmallIntegerField("âge ≥ 80 ans", default=30)
    age_70 = models.PositiveSmallIntegerField("âge ≥ 70 ans", default=20)
    disability = models.PositiveSmallIntegerField("handicap", default=30)
    child_under_6 = models.PositiveSmallIntegerField("enfant de moins de 6 ans", default=25)
    pregnancy = models.PositiveSmallIntegerField("grossesse", default=20)
    hospital_discharge = models.PositiveSmallIntegerField("sortie d'hôpital depuis moins de 30 jours", default=20)
    lives_alone = models.PositiveSmallIntegerField("vit seul(e)", default=10)
    per_week_waiting = models.PositiveSmallIntegerField("par semaine d'attente complète", default=1)
    tier_p1_min = models.PositiveSmallIntegerField("seuil P1 (score ≥)", default=50)
    tier_p2_min = models.PositiveSmallIntegerField("seuil P2 (score ≥)", default=25)
    comment = models.CharField("motif du changement", max_length=255, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="créée par", null=True, blank=True, on_delete=models.SET_NULL
    )

    WEIGHT_FIELDS = (
        "ald",
        "age_80",
        "age_70",
        "disability",
        "child_under_6",
        "pregnancy",
        "hospital_discharge",
        "lives_alone",
        "per_week_waiting",
        "tier_p1_min",
        "tier_p2_min",
    )

    class Meta:
        verbose_name = "règle de priorité"
        verbose_name_plural = "règles de priorité"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_priority_rule"),
            models.CheckConstraint(condition=Q(tier_p1_min__gt=models.F("tier_p2_min")), name="p1_threshold_above_p2"),
        ]

    def __str__(self) -> str:
        return f"Règle de priorité v{self.version}"

    def tier_for(self, score: int) -> str:
        if score >= self.tier_p1_min:
            return Tier.P1
        if score >= self.tier_p2_min:
            return Tier.P2
        return Tier.P3

    def evaluate(self, patient, today: dt.date) -> tuple[int, str, dict]:
        """(score, tier, explanation) of `patient` on `today`; pure, no query."""
        criteria: list[tuple[str, str, int]] = []
        if patient.ald:
            criteria.append(("ald", "ALD (affection de longue durée)", self.ald))
        age = patient.age_on(today)
        if age is not None:
            if age >= 80:
                criteria.append(("age_80", f"Âge ≥ 80 ans ({age} ans)", self.age_80))
            elif age >= 70:
                criteria.append(("age_70", f"Âge ≥ 70 ans ({age} ans)", self.age_70))
            elif age < 6:
                criteria.append(
                    (
                        "child_under_6",
                        f"Enfant de moins de 6 ans ({age} an{'s' if age > 1 else ''})",
                        self.child_under_6,
                    )
                )
        if patient.disability:
            criteria.append(("disability", "Situation de handicap", self.disability))
        if patient.pregnancy:
            criteria.append(("pregnancy", "Grossesse", self.pregnancy))
        discharge = patient.hospital_discharge_date
        if discharge is not None and 0 <= (today - discharge).days < 30:
            criteria.append(
                ("hospital_discharge", f"Sortie d'hôpital le {discharge:%d/%m/%Y}", self.hospital_discharge)
            )
        if patient.lives_alone:
            criteria.append(("lives_alone", "Vit seul(e)", self.lives_alone))
        weeks = patient.weeks_waiting(today)
        if weeks and self.per_week_waiting:
            criteria.append(
                ("weeks_waiting", f"{weeks} semaine{'s' if weeks > 1 else ''} d'attente", weeks * self.per_week_waiting)
            )
        score = sum(points for _, _, points in criteria)
        tier = self.tier_for(score)
        explanation = {
            "rule": self.version,
            "computed_on": today.isoformat(),
            "criteria": [{"code": code, "label": label, "points": points} for code, label, points in criteria],
            "total": score,
            "tier": str(tier),
            "thresholds": {"P1": self.tier_p1_min, "P2": self.tier_p2_min},
        }
        return score, str(tier), explanation
