"""Rota: recurring rules, absences, concrete permanences and coverage targets."""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from escorter.fields import recorded_by
from sites.models import Premises, Room
from staffing.models.people import ConsultationKind, Profession, Professional


class RotaRule(models.Model):
    """A recurring half-day: who holds which premises (and room), which weekday and hours, how often."""

    class Recurrence(models.TextChoices):
        WEEKLY = "weekly", "Chaque semaine"
        EVERY_N_WEEKS = "every_n_weeks", "Toutes les N semaines"
        MONTHLY_NTH = "monthly_nth", "Le Nième jour du mois"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "lundi"
        TUESDAY = 1, "mardi"
        WEDNESDAY = 2, "mercredi"
        THURSDAY = 3, "jeudi"
        FRIDAY = 4, "vendredi"
        SATURDAY = 5, "samedi"
        SUNDAY = 6, "dimanche"

    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="rota_rules", verbose_name="professionnel"
    )
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="rota_rules", verbose_name="local")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="rota_rules", verbose_name="salle"
    )
    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    start_time = models.TimeField("début")
    end_time = models.TimeField("fin")
    recurrence = models.CharField("récurrence", max_length=15, choices=Recurrence.choices, default=Recurrence.WEEKLY)
    interval_weeks = models.PositiveSmallIntegerField(
        "toutes les N semaines", default=1, help_text="Pour « toutes les N semaines », à partir de la date de début."
    )
    week_of_month = models.SmallIntegerField(
        "Nième du mois",
        null=True,
        blank=True,
        choices=[(1, "1er"), (2, "2e"), (3, "3e"), (4, "4e"), (-1, "dernier")],
        help_text="Pour « le Nième jour du mois » : 1er, 2e, 3e, 4e ou dernier.",
    )
    valid_from = models.DateField("valable à partir du")
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    kinds = ArrayField(
        models.CharField(max_length=20, choices=ConsultationKind.choices),
        verbose_name="consultations proposées",
        default=list,
    )
    active = models.BooleanField("active", default=True)
    notes = models.CharField("remarques", max_length=250, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "règle du tableau de service"
        verbose_name_plural = "règles du tableau de service"
        ordering = ["premises__name", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(start_time__lt=models.F("end_time")), name="rotarule_start_before_end"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="rotarule_valid_from_before_until",
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1) & Q(interval_weeks__lte=8), name="rotarule_interval_range"
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="monthly_nth") | Q(week_of_month__in=[1, 2, 3, 4, -1]),
                name="rotarule_monthly_needs_nth",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.professional} – {self.premises} – {self.get_weekday_display()} "
            f"{self.start_time:%H:%M}-{self.end_time:%H:%M}"
        )

    def clean(self) -> None:
        errors = {}
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            errors["end_time"] = "L'heure de fin doit suivre l'heure de début."
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = "La date de fin doit suivre la date de début."
        if self.recurrence == self.Recurrence.MONTHLY_NTH and self.week_of_month is None:
            errors["week_of_month"] = "Précisez quel jour du mois (1er, 2e, 3e, 4e ou dernier)."
        if self.recurrence == self.Recurrence.EVERY_N_WEEKS and (self.interval_weeks or 0) < 2:
            errors["interval_weeks"] = "Indiquez un intervalle d'au moins 2 semaines."
        if self.room_id and self.premises_id and self.room.premises_id != self.premises_id:
            errors["room"] = "Cette salle n'appartient pas au local choisi."
        if not self.kinds:
            errors["kinds"] = "Cochez au moins un type de consultation."
        if errors:
            raise ValidationError(errors)

    @property
    def recurrence_label(self) -> str:
        if self.recurrence == self.Recurrence.EVERY_N_WEEKS:
            return f"toutes les {self.interval_weeks} semaines"
        if self.recurrence == self.Recurrence.MONTHLY_NTH:
            return f"le {self.get_week_of_month_display()} {self.get_weekday_display()} du mois"
        return "chaque semaine"


class Absence(models.Model):
    """Leave, sick days, training: no permanence is generated for the professional on these days."""

    class Kind(models.TextChoices):
        LEAVE = "leave", "Congés"
        SICK = "sick", "Arrêt maladie"
        TRAINING = "training", "Formation"
        OTHER = "other", "Autre"

    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="absences", verbose_name="professionnel"
    )
    kind = models.CharField("motif", max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    start_date = models.DateField("du")
    end_date = models.DateField("au")
    note = models.CharField("remarque", max_length=200, blank=True)

    class Meta:
        verbose_name = "absence"
        verbose_name_plural = "absences"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="absence_start_before_end")
        ]

    def __str__(self) -> str:
        period = f"du {self.start_date:%d/%m/%Y} au {self.end_date:%d/%m/%Y}"
        return f"{self.professional} – {self.get_kind_display()} {period}"


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PermanenceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Permanence.Status.PLANNED)

    def overlapping(self, start, end):
        """Half-open [start, end) overlap, as the exclusion constraints see it."""
        return self.filter(start__lt=end, end__gt=start)


class Permanence(models.Model):
    """A concrete staffed period at premises: generated from a rota rule or created by hand."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Prévue"
        CANCELLED = "cancelled", "Annulée"

    class Origin(models.TextChoices):
        RULE = "rule", "Tableau de service"
        MANUAL = "manual", "Saisie manuelle"

    professional = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="permanences", verbose_name="professionnel"
    )
    premises = models.ForeignKey(Premises, on_delete=models.PROTECT, related_name="permanences", verbose_name="local")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="permanences", verbose_name="salle"
    )
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField("motif d'annulation", max_length=250, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = recorded_by("annulée par")
    origin = models.CharField("origine", max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    rule = models.ForeignKey(
        RotaRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="permanences",
        verbose_name="règle d'origine",
    )
    # The rule's occurrence this permanence materialises: the natural key that makes generation idempotent.
    occurrence_date = models.DateField("date de l'occurrence", null=True, blank=True)
    kinds = ArrayField(
        models.CharField(max_length=20, choices=ConsultationKind.choices),
        verbose_name="consultations proposées",
        default=list,
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = PermanenceQuerySet.as_manager()

    class Meta:
        verbose_name = "permanence"
        verbose_name_plural = "permanences"
        ordering = ["start"]
        indexes = [models.Index(fields=["premises", "start"]), models.Index(fields=["professional", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="permanence_start_before_end"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="permanence_cancel_needs_reason"
            ),
            models.UniqueConstraint(
                fields=["rule", "occurrence_date"],
                condition=Q(rule__isnull=False),
                name="permanence_unique_rule_occurrence",
            ),
            # Half-open [start, end): a 08:30-12:30 permanence and a 12:30-17:00 one may follow each other.
            ExclusionConstraint(
                name="permanence_no_professional_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("professional", RangeOperators.EQUAL),
                ],
                condition=Q(status="planned"),
                violation_error_message="Ce professionnel tient déjà une permanence sur ce créneau.",
            ),
            ExclusionConstraint(
                name="permanence_no_room_overlap",
                expressions=[
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(status="planned", room__isnull=False),
                violation_error_message="Cette salle est déjà occupée sur ce créneau.",
            ),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        start = timezone.localtime(self.start)
        end = timezone.localtime(self.end)
        return f"{self.professional} à {self.premises} le {start:%d/%m/%Y} de {start:%H:%M} à {end:%H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def get_kinds_display(self) -> list[str]:
        labels = dict(ConsultationKind.choices)
        return [labels.get(kind, kind) for kind in self.kinds]


class CoverageTarget(models.Model):
    """Hours per week the coordinator wants at some premises for one profession."""

    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, related_name="coverage_targets", verbose_name="local"
    )
    profession = models.CharField("profession", max_length=20, choices=Profession.choices)
    hours_per_week = models.DecimalField("heures par semaine", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "objectif de couverture"
        verbose_name_plural = "objectifs de couverture"
        ordering = ["premises__name", "profession"]
        constraints = [
            models.UniqueConstraint(fields=["premises", "profession"], name="coverage_target_unique"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=0) & Q(hours_per_week__lte=168), name="coverage_target_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.premises} – {self.get_profession_display()} : {self.hours_per_week} h/semaine"
