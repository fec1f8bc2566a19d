"""Query building blocks shared by the sections: status at a date, percentiles, durations."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models
from django.db.models import Aggregate, Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Extract

from patients.models import Patient, PatientStatusChange


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


def latest_changes(moment: dt.datetime):
    """Each patient's latest status change strictly before `moment` (the later `at`, then the
    higher id): the changes before `moment` with no later one for the same patient. PostgreSQL
    runs the NOT EXISTS as one hash anti-join over the history, not a lookup per patient."""
    before = PatientStatusChange.objects.filter(at__lt=moment)
    later = before.filter(patient=OuterRef("patient")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk"))
    )
    return before.filter(~Exists(later))


def registry_counts(month, *fields: str) -> list[dict]:
    """Patients referred by the end of `month`, counted by their status at that date
    (`status_end`: the latest change before then, else the current status if set before it,
    else waiting) and by the given Patient fields (paths allowed).

    Set-based: instead of looking up each patient's history (a subquery run patient by patient),
    two grouped queries: patients with their latest change before the month's end (found by
    latest_changes() in one pass over the history), and patients without any change before
    that date (an anti-join), whose status is their current one if set before, else waiting. Each returned
    row has the keys `status_end`, the fields and `n`; a group may appear twice (once from each
    query): callers add the counts up.
    """
    moment = month.end
    aliases = {f"f{i}": field for i, field in enumerate(fields)}
    with_history = (
        latest_changes(moment)
        .filter(patient__referral_date__lte=month.last_day)
        .values(status_end=F("to_status"), **{alias: F(f"patient__{f}") for alias, f in aliases.items()})
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    without_history = (
        Patient.objects.filter(referral_date__lte=month.last_day)
        .filter(~Exists(PatientStatusChange.objects.filter(patient=OuterRef("pk"), at__lt=moment)))
        .annotate(
            status_end=Case(
                When(status_changed_at__lt=moment, then=F("status")),
                default=Value(Patient.Status.WAITING),
                output_field=models.CharField(),
            )
        )
        .values("status_end", **{alias: F(f) for alias, f in aliases.items()})
        .annotate(n=models.Count("pk"))
        .order_by()
    )
    return [
        {"status_end": row["status_end"], **{f: row[alias] for alias, f in aliases.items()}, "n": row["n"]}
        for row in [*with_history, *without_history]
    ]


def registry_counts_per_month(months, *fields: str) -> dict:
    """registry_counts(month, *fields) for every month at once: {month: {(status_end, *values): n}}.

    Two queries whatever the number of months (the dashboard's year of bars cost two per month):
    each change of the history holds until the next one (LEAD over the patient's changes, ordered
    by `at` then id, as latest_changes() decides ties), so a change gives a patient's status at
    every month end within [at, next change); patients without any change before a month end are
    counted as registry_counts() counts them.
    """
    columns = ", ".join(f"p.{connection.ops.quote_name(Patient._meta.get_field(f).column)}" for f in fields)
    groups = ", ".join(str(i) for i in range(1, len(fields) + 3))
    patients, changes = Patient._meta.db_table, PatientStatusChange._meta.db_table
    params = [[m.end for m in months], [m.last_day for m in months]]
    ends = "unnest(%s::timestamptz[], %s::date[]) AS m(moment, last_day)"
    with_history = f"""
        SELECT m.moment, c.to_status, {columns}, count(*)
        FROM (SELECT patient_id, to_status, at,
                     lead(at) OVER (PARTITION BY patient_id ORDER BY at, id) AS next_at
              FROM {changes}) c
        JOIN {patients} p ON p.id = c.patient_id
        JOIN {ends} ON c.at < m.moment AND (c.next_at IS NULL OR c.next_at >= m.moment)
                    AND p.referral_date <= m.last_day
        GROUP BY {groups}"""
    without_history = f"""
        SELECT m.moment, CASE WHEN p.status_changed_at < m.moment THEN p.status ELSE %s END, {columns}, count(*)
        FROM {patients} p
        LEFT JOIN (SELECT patient_id, min(at) AS first_at FROM {changes} GROUP BY patient_id) f
               ON f.patient_id = p.id
        JOIN {ends} ON p.referral_date <= m.last_day AND (f.first_at IS NULL OR f.first_at >= m.moment)
        GROUP BY {groups}"""
    by_end = {month.end: month for month in months}
    counts: dict = {month: {} for month in months}
    with connection.cursor() as cursor:
        for sql, extra in ((with_history, []), (without_history, [Patient.Status.WAITING])):
            cursor.execute(sql, [*extra, *params])
            for moment, *key, n in cursor.fetchall():
                groups_of_month = counts[by_end[moment]]
                groups_of_month[tuple(key)] = groups_of_month.get(tuple(key), 0) + n
    return counts
