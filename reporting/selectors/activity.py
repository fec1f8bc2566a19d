"""Report sections on the team's activity: consultations, delays, permanence hours, calls."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from patients.models import Call, Patient
from reporting.periods import Month
from reporting.selectors.base import Scope
from reporting.selectors.queries import DaysBetween, Percentile, hours_between
from reporting.tables import Row, Section, Table
from staffing.models import Consultation, Permanence


def consultations_in(month: Month):
    return Consultation.objects.filter(start__gte=month.start, start__lt=month.end)


def consultations_section(month: Month, scope: Scope) -> Section:
    section = Section(key="consultations", title="Consultations")
    from staffing.models import ConsultationKind, Profession

    done = consultations_in(month).filter(status=Consultation.Status.DONE)
    by_kind = {
        (row["kind"], row["professional__profession"]): row["n"]
        for row in done.values("kind", "professional__profession").annotate(n=Count("pk"))
    }
    professions = [(key, label) for key, label in Profession.choices if key not in ("secretary",)]
    section.tables.append(
        Table(
            key="types_professions",
            title=f"Consultations réalisées en {month.label}, par type et profession",
            row_header="Type de consultation",
            columns=[label for _, label in professions],
            rows=[
                Row(label, [by_kind.get((kind, profession), 0) for profession, _ in professions])
                for kind, label in ConsultationKind.choices
            ],
            row_totals=True,
            col_totals=True,
        )
    )
    by_site = list(
        consultations_in(month)
        .filter(status__in=Consultation.OUTCOME_STATUSES)
        .values("permanence__premises__name")
        .annotate(
            done=Count("pk", filter=Q(status=Consultation.Status.DONE)),
            no_show=Count("pk", filter=Q(status=Consultation.Status.NO_SHOW)),
        )
        .order_by("permanence__premises__name")
    )
    section.tables.append(
        Table(
            key="sites",
            title="Consultations par lieu de permanence",
            row_header="Lieu",
            columns=["Réalisées", "Patients absents (non excusés)"],
            rows=[Row(r["permanence__premises__name"], [r["done"], r["no_show"]]) for r in by_site],
            col_totals=True,
            chart="bar",
        )
    )
    seen = done.aggregate(n=Count("patient_id", distinct=True))["n"]
    section.tables.append(
        Table(
            key="patients_vus",
            title="Patients différents vus en consultation",
            row_header="Période",
            columns=["Patients"],
            rows=[Row(month.label.capitalize(), [seen])],
        )
    )
    rates = [
        Row(r["permanence__premises__name"], [r["no_show"] / (r["done"] + r["no_show"])])
        for r in by_site
        if r["done"] + r["no_show"]
    ]
    totals = consultations_in(month).aggregate(
        done=Count("pk", filter=Q(status=Consultation.Status.DONE)),
        no_show=Count("pk", filter=Q(status=Consultation.Status.NO_SHOW)),
    )
    attended = totals["done"] + totals["no_show"]
    if attended:
        rates.append(Row("Ensemble", [totals["no_show"] / attended]))
    section.tables.append(
        Table(
            key="absences",
            title="Taux de rendez-vous non honorés",
            row_header="Lieu",
            columns=["Taux d'absence"],
            rows=rates,
            kind="values",
            formats=["pct"],
            support=[r["done"] + r["no_show"] for r in by_site if r["done"] + r["no_show"]] + [attended],
            note="Rendez-vous non honorés / (réalisés + non honorés), sur les consultations du mois.",
        )
    )
    return section


def delays_section(month: Month, scope: Scope) -> Section:
    section = Section(key="delais", title="Délais")
    # delay in days from referral to the first consultation held, for patients whose first
    # consultation falls in the month, by tier. Set-based: the patients seen in the month with
    # no consultation held before it (an anti-join on the (patient, start) index), grouped by
    # patient for their first start, then percentile_cont over that grouped query (Django wraps
    # it in a subquery), one FILTER per tier.
    paris = ZoneInfo(settings.TIME_ZONE)
    held = Consultation.objects.filter(status=Consultation.Status.DONE)
    firsts = (
        held.filter(start__gte=month.start, start__lt=month.end)
        .filter(~Exists(held.filter(patient=OuterRef("patient"), start__lt=month.start)))
        .values("patient")
        .annotate(
            tier=F("patient__priority_tier"),
            delay=DaysBetween(TruncDate(Min("start"), tzinfo=paris), F("patient__referral_date")),
        )
    )
    tiers = sorted(Patient._meta.get_field("priority_tier").choices, key=lambda choice: choice[0])
    figures = {}
    for key, _ in tiers:
        only = Q(tier=key)
        figures |= {
            f"n_{key}": Count("patient", filter=only),
            f"median_{key}": Percentile("delay", 0.5, filter=only),
            f"p90_{key}": Percentile("delay", 0.9, filter=only),
            f"month_{key}": Count("patient", filter=only & Q(delay__lte=30)),
        }
    figures |= {"n": Count("patient"), "median": Percentile("delay", 0.5), "p90": Percentile("delay", 0.9)}
    result = firsts.aggregate(**figures)
    rows = [
        {"priority_tier": key, "n": result[f"n_{key}"], "median": result[f"median_{key}"], "p90": result[f"p90_{key}"]}
        for key, _ in tiers
        if result[f"n_{key}"]
    ]
    overall = {"n": result["n"], "median": result["median"], "p90": result["p90"]}
    table_rows = [Row(r["priority_tier"], [r["n"], r["median"], r["p90"]]) for r in rows]
    support = [r["n"] for r in rows]
    if overall["n"]:
        table_rows.append(Row("Ensemble", [overall["n"], overall["median"], overall["p90"]]))
        support.append(overall["n"])
    within_month = [Row(r["priority_tier"], [result[f"month_{r['priority_tier']}"] / r["n"]]) for r in rows]
    section.tables.append(
        Table(
            key="delai_premiere",
            title=f"Délai entre le signalement et la première consultation (premières consultations de {month.label})",
            row_header="Niveau de priorité",
            columns=["Patients", "Médiane", "90e centile"],
            rows=table_rows,
            kind="values",
            support=support,
            formats=["int", "days", "days"],
            note=(
                "En jours calendaires. Niveau de fragilité (ALD, âge, handicap, jeune enfant, grossesse, sortie "
                "d'hôpital, isolement) : l'ancienneté de l'attente ne change pas le niveau. Non affiché pour un "
                "niveau comptant moins de 5 patients."
            ),
        )
    )
    if within_month:
        section.tables.append(
            Table(
                key="vus_en_30_jours",
                title=f"Part des premières consultations de {month.label} tenues dans les 30 jours du signalement",
                row_header="Niveau de fragilité",
                columns=["Dans les 30 jours"],
                rows=within_month,
                kind="values",
                support=[r["n"] for r in rows],
                formats=["pct"],
                note="Les plus fragiles d'abord : la part doit être la plus forte en P1.",
            )
        )
    return section


def permanences_in(month: Month):
    return Permanence.objects.filter(start__gte=month.start, start__lt=month.end)


def permanences_section(month: Month, scope: Scope) -> Section:
    section = Section(key="permanences", title="Permanences")
    now = timezone.now()
    hours = hours_between()
    figures = dict(
        planned=Sum(hours),
        cancelled=Sum(hours, filter=Q(status=Permanence.Status.CANCELLED)),
        delivered=Sum(hours, filter=Q(status=Permanence.Status.PLANNED, end__lte=now)),
        count=Count("pk", filter=Q(status=Permanence.Status.PLANNED)),
    )

    def values(r):
        planned = r["planned"] or 0
        delivered = r["delivered"] or 0
        return [planned, r["cancelled"] or 0, delivered, (delivered / planned) if planned else None]

    by_site = list(permanences_in(month).values("premises__name").annotate(**figures).order_by("premises__name"))
    by_profession = list(
        permanences_in(month)
        .values("professional__profession")
        .annotate(**figures)
        .order_by("professional__profession")
    )
    from staffing.models import Profession

    professions = dict(Profession.choices)
    columns = ["Heures prévues", "Heures annulées", "Heures assurées", "Taux de réalisation"]
    formats = ["hours", "hours", "hours", "pct"]
    section.tables.append(
        Table(
            key="heures_lieux",
            title=f"Heures de permanence en {month.label}, par lieu",
            row_header="Lieu",
            columns=columns,
            rows=[Row(r["premises__name"], values(r)) for r in by_site],
            kind="values",
            formats=formats,
            chart="bar",
            note="Prévues : toutes les permanences inscrites au tableau pour le mois ; assurées : celles qui "
            "n'ont pas été annulées et sont terminées.",
        )
    )
    section.tables.append(
        Table(
            key="heures_professions",
            title="Heures de permanence par profession",
            row_header="Profession",
            columns=columns,
            rows=[Row(professions.get(r["professional__profession"], "?"), values(r)) for r in by_profession],
            kind="values",
            formats=formats,
        )
    )
    return section


def calls_section(month: Month, scope: Scope) -> Section:
    section = Section(key="appels", title="Soins non programmés")
    calls = Call.objects.received_between(month.start, month.end)
    outcomes = dict(Call._meta.get_field("outcome").choices or [])
    categories = dict(Call._meta.get_field("category").choices or [])
    by_outcome = {r["outcome"]: r["n"] for r in calls.values("outcome").annotate(n=Count("pk"))}
    section.tables.append(
        Table(
            key="orientations",
            title=f"Appels reçus sur la ligne de soins non programmés en {month.label}, par orientation",
            row_header="Orientation",
            columns=["Appels"],
            rows=[Row(label, [by_outcome.get(key, 0)]) for key, label in outcomes.items()]
            + [Row("Orientation non saisie", [by_outcome.get("", 0)])],
            col_totals=True,
            chart="bar",
        )
    )
    by_category = {
        (r["category"], r["consult"]): r["n"]
        for r in calls.annotate(consult=Q(outcome__in=["same_day", "within_48h"]))
        .values("category", "consult")
        .annotate(n=Count("pk"))
    }
    section.tables.append(
        Table(
            key="motifs",
            title="Appels par motif",
            row_header="Motif",
            columns=["Consultation proposée (jour même ou 48 h)", "Autre orientation"],
            rows=[
                Row(label, [by_category.get((key, True), 0), by_category.get((key, False), 0)])
                for key, label in [*categories.items(), ("", "Motif non saisi")]
            ],
            row_totals=True,
            col_totals=True,
        )
    )
    return section
