"""Writes of the sites app: the CPTS territory, a choice of EPCIs and communes made in the app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from sites.models import Commune


def mark_territory(epci_codes: list[str]) -> int:
    """The CPTS territory = the communes of these EPCIs. Returns how many communes it has."""
    return set_territory(epci_codes=epci_codes)


@transaction.atomic
def set_territory(
    *, epci_codes: Iterable[str], extra_communes: Iterable[str] = (), excluded_communes: Iterable[str] = ()
) -> int:
    """The CPTS territory = every current commune of the chosen EPCIs, plus some communes
    (a CPTS may cover part of a neighbouring EPCI), minus others. Returns its size.

    Retired (merged) communes are left as they are: a successor joins with its EPCI.
    """
    chosen = Q(epci_code__in=set(epci_codes)) | Q(insee_code__in=set(extra_communes))
    ids = set(
        Commune.objects.filter(chosen, current=True)
        .exclude(insee_code__in=set(excluded_communes))
        .values_list("pk", flat=True)
    )
    Commune.objects.filter(in_territory=True, current=True).exclude(pk__in=ids).update(in_territory=False)
    Commune.objects.filter(pk__in=ids, in_territory=False).update(in_territory=True)
    return len(ids)


@transaction.atomic
def choose_territory_in_department(*, department: str, epci_codes: Iterable[str], commune_codes: Iterable[str]) -> int:
    """What the coordinator ticked on the territory page of one département: whole EPCIs (all their
    communes, also across the border of the département) and single communes of the département.

    Replaces the territory's part in this département and in the EPCIs shown there; the rest of
    the territory (another département) stays. Returns the size of the whole territory.
    """
    in_department = Commune.objects.filter(current=True, department_code=department)
    shown_epcis = set(in_department.exclude(epci_code="").values_list("epci_code", flat=True))
    epci_codes = set(epci_codes) & shown_epcis
    scope = Q(department_code=department) | Q(epci_code__in=shown_epcis)
    chosen = Q(epci_code__in=epci_codes) | Q(department_code=department, insee_code__in=set(commune_codes))
    ids = set(Commune.objects.filter(chosen, current=True).values_list("pk", flat=True))
    Commune.objects.filter(scope, current=True, in_territory=True).exclude(pk__in=ids).update(in_territory=False)
    Commune.objects.filter(pk__in=ids, in_territory=False).update(in_territory=True)
    return Commune.objects.filter(in_territory=True, current=True).count()
