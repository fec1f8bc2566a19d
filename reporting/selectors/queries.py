"""Query building blocks shared by the sections: status at a date, percentiles, durations."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Aggregate, Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Extract

from reporting.selectors.base import model_or_none


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont(p) WITHIN GROUP (ORDER BY expr): the median is p=0.5."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.FloatField()

    def __init__(self, expression, percentile: float, **extra):
        if not 0 <= percentile <= 1:
            raise ValueError("percentile must be within [0, 1]")
        super().__init__(expression, percentile=float(percentile), **extra)


class DaysBetween(models.Func):
    """date - date in PostgreSQL: a whole number of days."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


def hours_between(start: str = "start", end: str = "end"):
    """Length of [start, end) in hours, as a SQL expression."""
    return Extract(F(end) - F(start), "epoch") / Value(3600.0)


def patients():
    return model_or_none("patients.Patient")


def status_at(moment: dt.datetime):
    """SQL expression: a patient's status at `moment` (aware), from the status history.

    The latest change strictly before `moment` wins; without history, the current status
    holds if it was set before `moment`, otherwise the patient was still waiting.
    """
    change = model_or_none("patients.PatientStatusChange")
    Patient = patients()
    latest = change.objects.filter(patient=OuterRef("pk"), at__lt=moment).order_by("-at", "-pk").values("to_status")[:1]
    return Coalesce(
        Subquery(latest, output_field=models.CharField()),
        Case(
            When(status_changed_at__lt=moment, then=F("status")),
            default=Value(Patient.Status.WAITING),
            output_field=models.CharField(),
        ),
    )
