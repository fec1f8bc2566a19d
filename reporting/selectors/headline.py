"""Headline figures of a month and the value of an objective's indicator over a period.

Each figure is one aggregate query; the bench compares them to hand-written SQL.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from patients.models import Call, Patient
from patients.selectors import registry_now_by_status_and_tier
from reporting.models import Indicator
from reporting.periods import Month
from reporting.selectors.month_ends import month_end_counts
from reporting.selectors.queries import hours_between
from staffing.models import Consultation, Permanence

PATIENT_INDICATORS = {Indicator.PATIENTS_REFERRED, Indicator.PATIENTS_SEEN, Indicator.PATIENTS_GP_FOUND}


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def indicator_value(indicator: str, first_day: dt.date, last_day: dt.date) -> int | float | None:
    """The indicator over [first_day, last_day] (dates inclusive); None if its data is not there yet."""
    start, end = _instant(first_day), _instant(last_day + dt.timedelta(days=1))
    if indicator == Indicator.PATIENTS_REFERRED:
        return Patient.objects.filter(referral_date__gte=first_day, referral_date__lte=last_day).count()
    if indicator == Indicator.PATIENTS_GP_FOUND:
        return Patient.objects.filter(
            status=Patient.Status.GP_FOUND, gp_found_date__gte=first_day, gp_found_date__lte=last_day
        ).count()
    if indicator == Indicator.PATIENTS_SEEN:
        return Consultation.objects.filter(status=Consultation.Status.DONE, start__gte=start, start__lt=end).aggregate(
            n=Count("patient_id", distinct=True)
        )["n"]
    if indicator == Indicator.CONSULTATIONS_DONE:
        return Consultation.objects.filter(status=Consultation.Status.DONE, start__gte=start, start__lt=end).count()
    if indicator == Indicator.PERMANENCE_HOURS:
        hours = Permanence.objects.filter(
            status=Permanence.Status.PLANNED, start__gte=start, start__lt=end, end__lte=timezone.now()
        ).aggregate(h=Sum(hours_between()))["h"]
        return round(float(hours or 0), 1)
    if indicator == Indicator.CALLS:
        return Call.objects.received_between(start, end).count()
    return None


HEADLINE_LABELS = {
    "referred_month": "Patients signalés dans le mois",
    "referred_total": "Patients signalés depuis le début",
    "waiting_end": "En attente en fin de mois",
    "in_care_end": "Suivis par l'équipe en fin de mois",
    "gp_found_month": "Médecin traitant retrouvé dans le mois",
    "gp_found_total": "Médecin traitant retrouvé (cumul)",
    "consultations_done": "Consultations réalisées",
    "permanence_hours": "Heures de permanence assurées",
}


def running(month: Month) -> bool:
    """Whether `month` has not ended: its month-end status is every patient's current one."""
    return month.end > timezone.now()


def headline(month: Month, now: dict | None = None) -> dict[str, int | None]:
    """The figures of the report's first page (raw: reporting.secrecy masks them before output).

    For the running month (the dashboard's) the statuses at its end are today's: read from the
    maintained counts (patients_registrycount) and two indexed counts; for a closed month from its
    snapshot (MonthEndSnapshot), not from the registry's history (two grouped scans of every
    patient). `now`: registry_now_by_status_and_tier(), when the caller has it already."""
    figures: dict[str, int | None] = dict.fromkeys(HEADLINE_LABELS)
    S = Patient.Status
    if running(month):
        by_status: dict[str, int] = {}
        for (status, _), n in (registry_now_by_status_and_tier() if now is None else now).items():
            by_status[status] = by_status.get(status, 0) + n
        referred_month = Patient.objects.filter(referral_date__gte=month.first_day).count()
    else:  # a closed month: its snapshot, as the dashboard's bars and the report's sections read it
        by_status = {}
        for (status, _), n in month_end_counts([month]).by(month).items():
            by_status[status] = by_status.get(status, 0) + n
        referred_month = indicator_value(Indicator.PATIENTS_REFERRED, month.first_day, month.last_day)
    figures.update(
        referred_total=sum(by_status.values()),
        referred_month=referred_month,
        waiting_end=by_status.get(S.WAITING, 0),
        in_care_end=by_status.get(S.IN_CARE, 0),
        gp_found_total=by_status.get(S.GP_FOUND, 0),
    )
    figures["gp_found_month"] = indicator_value(Indicator.PATIENTS_GP_FOUND, month.first_day, month.last_day)
    figures["consultations_done"] = indicator_value(Indicator.CONSULTATIONS_DONE, month.first_day, month.last_day)
    figures["permanence_hours"] = indicator_value(Indicator.PERMANENCE_HOURS, month.first_day, month.last_day)
    return figures
