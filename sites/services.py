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
