"""Report sections on the registry: the reintegration funnel and the territory (communes, EPCIs)."""

from __future__ import annotations

from django.db.models import Count

from patients.models import Patient, PatientStatusChange
from reporting.periods import Month
from reporting.secrecy import merge_small_communes
from reporting.selectors.base import Scope
from reporting.selectors.month_ends import month_end_counts
from reporting.selectors.queries import registry_counts
from reporting.tables import Row, Section, Table


def funnel_section(month: Month, scope: Scope) -> Section:
    section = Section(key="parcours", title="Parcours des patients")
    statuses = list(Patient.Status.choices)
    tiers = ["P1", "P2", "P3"]
    from patients.services import active_rule

    rule = active_rule()

    # the month-end snapshot (the dashboard's bars read the same one), grouped finely enough to
    # derive both the status x tier table and the cumulative figures below
    ends = month_end_counts([month])
    groups = ends.by(month, ald=True)  # (status at month end, tier, ALD) -> patients
    by_status_tier = ends.by(month)
    tiers_as_of = f"relevé le {ends.taken_at:%d/%m/%Y}" if ends.taken_at else "actuel"
    section.tables.append(
        Table(
            key="statut_niveau",
            title=f"Patients par statut au {month.last_day:%d/%m/%Y} et niveau de priorité",
            row_header="Statut",
            columns=["P1", "P2", "P3"],
            rows=[Row(label, [by_status_tier.get((status, tier), 0) for tier in tiers]) for status, label in statuses],
            row_totals=True,
            col_totals=True,
            note=(
                f"Niveau de fragilité du patient ({tiers_as_of}), selon les seuls critères de fragilité (règle : "
                f"P1 à partir de {rule.tier_p1_min} points, P2 à partir de {rule.tier_p2_min}) ; "
                "l'ancienneté de l'attente ne change pas le niveau."
            ),
            chart="stacked",
        )
    )

    moves = {
        row["to_status"]: row["n"]
        for row in patients_changes(month).values("to_status").annotate(n=Count("patient_id", distinct=True))
    }
    referred = Patient.objects.filter(referral_date__gte=month.first_day, referral_date__lte=month.last_day)
    section.tables.append(
        Table(
            key="mouvements",
            title=f"Mouvements de {month.label}",
            row_header="Mouvement",
            columns=["Patients"],
            rows=[Row("Nouveaux patients signalés", [referred.count()])]
            + [
                Row(f"Passés au statut « {label} »", [moves.get(status, 0)])
                for status, label in statuses
                if status != Patient.Status.WAITING
            ],
        )
    )

    sources = dict(Patient.ReferralSource.choices)
    by_source = {
        (row["referral_source"], row["ald"]): row["n"]
        for row in referred.values("referral_source", "ald").annotate(n=Count("pk"))
    }
    section.tables.append(
        Table(
            key="signalements",
            title=f"Nouveaux signalements de {month.label} par origine et ALD",
            row_header="Origine du signalement",
            columns=["Avec ALD", "Sans ALD"],
            rows=[
                Row(label, [by_source.get((key, True), 0), by_source.get((key, False), 0)])
                for key, label in sources.items()
            ],
            row_totals=True,
            col_totals=True,
        )
    )

    gp_found = Patient.Status.GP_FOUND
    cumulative = {
        "n_referred": sum(groups.values()),
        "n_ald": sum(n for (_, _, ald), n in groups.items() if ald),
        "n_gp_found": sum(n for (status, _, _), n in groups.items() if status == gp_found),
        "n_gp_found_ald": sum(n for (status, _, ald), n in groups.items() if status == gp_found and ald),
    }
    section.tables.append(
        Table(
            key="cumul",
            title=f"Depuis le début du dispositif (au {month.last_day:%d/%m/%Y})",
            row_header="Patients",
            columns=["Tous", "Dont ALD"],
            rows=[
                Row("Signalés", [cumulative["n_referred"], cumulative["n_ald"]]),
                Row("Médecin traitant retrouvé", [cumulative["n_gp_found"], cumulative["n_gp_found_ald"]]),
            ],
        )
    )
    return section


def patients_changes(month: Month):
    return PatientStatusChange.objects.filter(at__gte=month.start, at__lt=month.end)


OUTSIDE_TERRITORY = "Hors territoire de la CPTS"


def territory_section(month: Month, scope: Scope) -> Section:
    section = Section(key="territoire", title="Territoire")
    S = Patient.Status
    counts: dict[int | None, dict[str, int]] = {}
    for group in registry_counts(month, "commune_id"):
        row = counts.setdefault(group["commune_id"], dict.fromkeys(("referred", S.WAITING, S.IN_CARE, S.GP_FOUND), 0))
        row["referred"] += group["n"]
        if group["status_end"] in row:
            row[group["status_end"]] += group["n"]
    # the territory's communes in the database's collation order (EPCI, then name), then those
    # outside the territory chosen by the coordinator as one group, the unknown commune last
    Commune = Patient._meta.get_field("commune").related_model
    communes = Commune.objects.filter(pk__in=[pk for pk in counts if pk is not None]).order_by(
        "-in_territory", "epci_name", "name"
    )
    rows = [
        {
            "commune__insee_code": commune.insee_code,
            "commune__name": commune.name,
            "commune__epci_name": commune.epci_name if commune.in_territory else OUTSIDE_TERRITORY,
            "referred": counts[commune.pk]["referred"],
            "waiting": counts[commune.pk][S.WAITING],
            "in_care": counts[commune.pk][S.IN_CARE],
            "gp_found": counts[commune.pk][S.GP_FOUND],
        }
        for commune in communes
    ]
    if None in counts:
        unknown = counts[None]
        rows.append(
            {
                "commune__insee_code": None,
                "commune__name": None,
                "commune__epci_name": None,
                "referred": unknown["referred"],
                "waiting": unknown[S.WAITING],
                "in_care": unknown[S.IN_CARE],
                "gp_found": unknown[S.GP_FOUND],
            }
        )
    columns = ["Signalés (cumul)", "En attente", "Suivis par l'équipe", "Médecin traitant retrouvé"]

    def values(row):
        return [row["referred"], row["waiting"], row["in_care"], row["gp_found"]]

    commune_rows = [
        Row(row["commune__name"] or "Commune non renseignée", values(row), row["commune__epci_name"] or "hors EPCI")
        for row in rows
    ]
    section.tables.append(
        Table(
            key="communes",
            title=f"Patients par commune au {month.last_day:%d/%m/%Y}",
            row_header="Commune",
            columns=columns,
            rows=merge_small_communes(commune_rows, [row["referred"] for row in rows]),
            col_totals=True,
            subtotals=True,
            chart="bar",
            note="Les communes de moins de 10 patients signalés sont regroupées au sein de leur EPCI.",
        )
    )
    return section
