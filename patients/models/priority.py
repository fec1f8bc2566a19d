"""The priority rule: versioned weights coordinators edit, and the scoring it applies.

Fragility decides the tier; waiting only orders patients inside their tier. The score is
fragility points plus ageing points (per full week of waiting, up to a ceiling), and
every queue in the app sorts by (tier, score, referral date): a patient never overtakes a
more fragile one by waiting alone, and the ceiling keeps a long wait from swamping the
fragility points inside a tier, while still letting nobody sit at the bottom forever.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from escorter.fields import recorded_by
from patients.models.statuses import CLOSED_STATUSES


class Tier(models.TextChoices):
    P1 = "P1", "P1 – très prioritaire"
    P2 = "P2", "P2 – prioritaire"
    P3 = "P3", "P3 – standard"


# The queue order everywhere (waiting list, scheduler, day lists): tier first ("P1" < "P2" <
# "P3" as strings), then score, then the oldest referral.
QUEUE_ORDER = ("priority_tier", "-priority_score", "referral_date", "pk")
# One tier outweighs any score inside a lower tier (scores stay far below this).
TIER_WEIGHT = {Tier.P1: 2_000_000, Tier.P2: 1_000_000, Tier.P3: 0}


def queue_priority(tier: str, score: int | None) -> float:
    """A single number with the queue's order (the scheduler maximises the priority served)."""
    return float(TIER_WEIGHT.get(tier, 0) + (score or 0))


def age_on(birth_date: dt.date | None, day: dt.date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def weeks_waiting(patient, today: dt.date) -> int:
    """Full weeks since referral, frozen when the patient leaves the registry."""
    end = today
    if patient.status in CLOSED_STATUSES and patient.status_changed_at:
        end = min(today, timezone.localtime(patient.status_changed_at).date())
    if not patient.referral_date or end < patient.referral_date:
        return 0
    return (end - patient.referral_date).days // 7


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
    # null: a version published before the ceiling existed (no ceiling, tiers from the total)
    waiting_cap = models.PositiveSmallIntegerField(
        "plafond des points d'attente",
        null=True,
        default=26,
        help_text="L'attente ajoute au plus ce nombre de points ; elle ne change jamais le niveau.",
    )
    tier_p1_min = models.PositiveSmallIntegerField("seuil P1 (fragilité ≥)", default=50)
    tier_p2_min = models.PositiveSmallIntegerField("seuil P2 (fragilité ≥)", default=25)
    comment = models.CharField("motif du changement", max_length=255, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    created_by = recorded_by("créée par", related_name=None)

    FRAGILITY_FIELDS = (
        "ald",
        "age_80",
        "age_70",
        "disability",
        "child_under_6",
        "pregnancy",
        "hospital_discharge",
        "lives_alone",
    )
    WEIGHT_FIELDS = (*FRAGILITY_FIELDS, "per_week_waiting", "waiting_cap", "tier_p1_min", "tier_p2_min")

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

    def tier_for(self, fragility: int) -> str:
        if fragility >= self.tier_p1_min:
            return Tier.P1
        if fragility >= self.tier_p2_min:
            return Tier.P2
        return Tier.P3

    @property
    def cap_weeks(self) -> int | None:
        """Weeks of waiting after which the ceiling is reached (None: no ceiling or no ageing)."""
        if self.waiting_cap is None or not self.per_week_waiting:
            return None
        return -(-self.waiting_cap // self.per_week_waiting)

    def ageing_points(self, weeks: int) -> int:
        points = weeks * self.per_week_waiting
        return points if self.waiting_cap is None else min(points, self.waiting_cap)

    def evaluate(self, patient, today: dt.date) -> tuple[int, str, dict]:
        """(score, tier, explanation) of `patient` on `today`; pure, no query.

        `patient` only needs the criteria fields, referral date and status (a historical
        model in a migration will do).
        """
        criteria: list[tuple[str, str, int]] = []
        if patient.ald:
            criteria.append(("ald", "ALD (affection de longue durée)", self.ald))
        age = age_on(patient.birth_date, today)
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
        fragility = sum(points for _, _, points in criteria)
        weeks = weeks_waiting(patient, today)
        ageing = self.ageing_points(weeks)
        if ageing:
            label = f"{weeks} semaine{'s' if weeks > 1 else ''} d'attente"
            if self.waiting_cap is not None and ageing == self.waiting_cap and weeks * self.per_week_waiting > ageing:
                label += f" (plafond de {self.waiting_cap} points atteint)"
            criteria.append(("weeks_waiting", label, ageing))
        tier = self.tier_for(fragility)
        explanation = {
            "rule": self.version,
            "computed_on": today.isoformat(),
            "criteria": [{"code": code, "label": label, "points": points} for code, label, points in criteria],
            "fragility": fragility,
            "ageing": ageing,
            "ageing_cap": self.waiting_cap,
            "total": fragility + ageing,
            "tier": str(tier),
            "thresholds": {"P1": self.tier_p1_min, "P2": self.tier_p2_min},
        }
        return fragility + ageing, str(tier), explanation
