"""The communes of France are reference data: migrate loads them, refresh_communes updates them
without losing history, and boundaries can be read per territory."""

from __future__ import annotations

import csv
import gzip

import pytest
from django.core.management import call_command
from django.db import connection

from sites import reference
from sites.boundaries import boundaries, decode_ring, department_of
from sites.models import Commune, Department, FormerCommuneCode
from tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def test_migrate_alone_gives_the_communes_of_all_france():
    assert Commune.objects.filter(current=True).count() == 34969
    assert Commune.objects.filter(department_code="45").count() > 300  # Loiret
    assert Commune.objects.filter(department_code="63").count() > 400  # Puy-de-Dôme
    clermont = Commune.objects.get(insee_code="63113")
    assert clermont.name == "Clermont-Ferrand" and "63000" in clermont.postal_codes
    assert clermont.epci_name == "Clermont Auvergne Métropole" and clermont.region_code == "84"
    assert 45.7 < clermont.latitude < 45.85 and 3.0 < clermont.longitude < 3.2
    assert Department.objects.get(code="2A").name == "Corse-du-Sud"
    assert Commune.objects.filter(in_territory=True).count() == 0  # the territory is the coordinator's choice


def test_merged_communes_keep_their_former_codes():
    # Valserhône (01033) was formed in 2019 from Bellegarde-sur-Valserine (01033), Châtillon-en-Michaille
    # (01091) and Lancrans (01205)
    former = FormerCommuneCode.objects.filter(commune__insee_code="01033")
    assert {"01091", "01205"} <= set(former.values_list("code", flat=True))
    assert former.filter(name="Bellegarde-sur-Valserine").exists()
    assert FormerCommuneCode.objects.get(code="13201").commune.insee_code == "13055"  # Marseille 1er


def test_the_load_skips_a_database_that_already_has_communes():
    assert reference.load_if_empty(connection) == 0


def test_the_load_on_an_empty_table_is_complete():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sites_commune CASCADE")
    assert reference.load_if_empty(connection) == 34969
    assert FormerCommuneCode.objects.count() > 6000
    with connection.cursor() as cursor:  # the plain indexes dropped for the load are back
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'sites_commune'")
        assert cursor.fetchone()[0] >= 10


def _shipped_header(path) -> list[str]:
    """The columns of the file shipped in the repo, as build_reference.py wrote them."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def _write(path, rows, header):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _commune_row(code, name, epci="200071629", postal="85230"):
    return [code, name, postal, "1000", epci, "CC", "85", "Vendée", "52", "Pays de la Loire", "46.9", "-2.0"]


def test_refresh_retires_a_merged_commune_keeps_its_row_and_hands_its_territory_to_the_successor(tmp_path):
    CommuneFactory(insee_code="85018", name="Beauvoir-sur-Mer", in_territory=True)
    CommuneFactory(insee_code="85029", name="Bouin", in_territory=True)
    communes, former = tmp_path / "communes.csv.gz", tmp_path / "former.csv.gz"
    # a new COG where Bouin merged into Beauvoir-sur-Mer, and a new commune appeared
    _write(
        communes,
        [_commune_row("85018", "Beauvoir-et-Bouin"), _commune_row("85999", "Nouvelle-Commune", epci="248500258")],
        _shipped_header(reference.COMMUNES_FILE),
    )
    _write(former, [["85029", "Bouin", "former", "85018"]], ["code", "name", "kind", "commune"])
    report = reference.refresh(communes_file=communes, former_file=former)
    assert (report.created, report.updated, report.former_codes) == (1, 1, 1)
    assert report.retired == 34969 - 1
    bouin = Commune.objects.get(insee_code="85029")
    assert not bouin.current and bouin.in_territory  # kept for the patients who point to it
    assert Commune.objects.get(insee_code="85018").name == "Beauvoir-et-Bouin"
    assert FormerCommuneCode.objects.get(code="85029").commune.insee_code == "85018"


def test_refresh_command_with_the_shipped_files_changes_nothing(capsys):
    call_command("refresh_communes")
    assert "0 créée(s), 0 mise(s) à jour, 0 retirée(s)" in capsys.readouterr().out


def test_boundaries_are_read_per_department_and_decoded_as_closed_rings():
    outlines = boundaries(["85018", "63113", "97105", "85165"])
    assert set(outlines) == {"85018", "63113", "97105"}  # 85165 L'Oie (split in 2024) has none
    ring = outlines["85018"][0][0]
    assert ring[0] == ring[-1] and len(ring) > 10
    assert all(-2.3 < lon < -1.8 and 46.8 < lat < 47.0 for lon, lat in ring)
    assert department_of("2A004") == "2A" and department_of("97105") == "971"
    assert decode_ring([10, 20, 1, -1]) == [[0.001, 0.002], [0.0011, 0.0019], [0.001, 0.002]]
