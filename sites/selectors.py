"""Reads of the sites app."""

from __future__ import annotations

from django.db.models import QuerySet

from sites.models import Commune


def territory_communes() -> QuerySet[Commune]:
    return Commune.objects.filter(in_territory=True).order_by("epci_name", "name")
