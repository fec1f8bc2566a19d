"""Real partner files, as messy as they come (tests/data/): INS headers, communes written any way,
booleans as x/O/1/vrai, dates as text, numbers or Excel serials, a territory in another département;
and hostile files refused in French, with nothing written."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from patients.models import Patient
from patients.services import import_patients
from sites.services import mark_territory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"
VENDEE_DEMO = ["200071629", "248500191", "248500258"]
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def vendee():
    mark_territory(VENDEE_DEMO)


def _import(name: str, **kwargs):
    with (DATA / name).open("rb") as fh:
        return import_patients(fh, file_name=name, today=TODAY, **kwargs)


def _patient(last_name: str) -> Patient:
    return Patient.objects.select_related("commune").get(last_name=last_name)


def test_hospital_extract_with_ins_headers_birth_and_usage_names(vendee):
    report = _import("hopital-ins-cp1252.csv")
    assert report.header_line == 4 and report.encoding == "Windows-1252"
    assert (report.created, report.rejected) == (4, 1), report.issues
    gisele = _patient("DURAND")
    assert (gisele.birth_name, gisele.first_names, gisele.birth_date) == (
        "MARTIN",
        "Gisèle Marie Thérèse",
        dt.date(1938, 4, 9),
    )
    assert gisele.commune.insee_code == "85018" and gisele.ald and gisele.sex == "F"
    assert gisele.hospital_discharge_date == dt.date(2026, 10, 28)
    assert _patient("BERNARD").commune.name == "Challans" and not _patient("BERNARD").ald
    assert _patient("LEFÈVRE").commune.name == "Noirmoutier-en-l'Île" and _patient("LEFÈVRE").sex == "M"
    assert _patient("Ó BRIEN").commune.name == "Saint-Gervais" and _patient("Ó BRIEN").ald
    # "Code lieu de naissance" is the birth place, never the commune of residence
    assert "Code lieu de naissance" in report.ignored_columns
    (rejected,) = [i for i in report.issues if i.kind == "error"]
    assert rejected.person == "GARCIA Ana, date de naissance « 31/02/1952 »" and rejected.message.startswith(
        "Date impossible"
    )


def test_town_hall_list_whose_commune_column_mixes_codes_names_and_postcodes(vendee):
    report = _import("mairie-communes-melangees.csv")
    assert report.rejected == 0, [(i.line, i.message) for i in report.issues]
    communes = dict(Patient.objects.values_list("last_name", "commune__insee_code"))
    assert communes == {
        "Guérin": "85018",  # INSEE code
        "Dupont": "85221",  # "St Gervais"
        "Petit": "85012",  # "BARRE DE MONTS (LA)"
        "Roux": "85018",  # "85230 Beauvoir-sur-Mer"
        "Moreau": "85083",  # "L'Épine", the one of the territory
        "Faure": "85164",  # Notre-Dame-de-Monts
        "Blanc": "85106",  # "La Guérinière (85680)"
        "Girard": "85018",  # "Beauvoir s/ Mer"
        "Bonnet": "85029",  # 85029 in the COMMUNE column
        "Chevalier": "85234",  # Saint-Jean-de-Monts
    }
    assert _patient("Guérin").ald and _patient("Guérin").lives_alone and _patient("Guérin").phone == "0612345678"
    assert not _patient("Dupont").ald and _patient("Petit").ald and _patient("Roux").ald  # O / N / 1 / vrai
    assert _patient("Moreau").lives_alone and _patient("Petit").phone == "0612345680"
    assert _patient("Petit").birth_date == dt.date(1950, 1, 1) and _patient("Faure").birth_date == dt.date(1945, 1, 1)
    assert _patient("Moreau").birth_date == dt.date(1935, 5, 15) and _patient("Blanc").birth_date == dt.date(
        1947, 3, 12
    )
    assert _patient("Roux").first_names == "Anne, Sophie"


def test_cpam_workbook_with_serial_dates_and_numbers_for_codes():
    report = _import("cpam-export-excel.xlsx")
    assert report.kind == "xlsx" and report.header_line == 2
    assert (report.created, report.rejected) == (5, 0), report.issues
    assert report.note_lines == [9]  # "Total : 5 assurés" under the list
    assert _patient("TESSIER").birth_date == dt.date(1934, 3, 22) and _patient("TESSIER").phone == "0612345678"
    assert _patient("TESSIER").ald and not _patient("BRETON").ald and _patient("AUBRY").ald and _patient("DUMAS").ald
    assert _patient("BRETON").birth_date == dt.date(1936, 2, 29) and _patient("BRETON").commune.insee_code == "85029"
    assert _patient("AUBRY").commune.name == "Bourg-en-Bresse"  # 1053: Excel dropped the leading zero
    assert _patient("COLIN").commune.insee_code == "85012" and _patient("COLIN").sex == "M"
    assert _patient("DUMAS").birth_date == dt.date(1950, 3, 2)


def test_a_coordinator_sets_up_a_territory_in_the_loiret_and_imports_a_list_there(client, login_as):
    from escorter.roles import Role

    login_as(Role.COORDINATOR)
    orleans_metropole = "244500468"
    response = client.post("/territoire/", {"departement": "45", "epcis": [orleans_metropole]})
    assert response.status_code == 302
    report = _import("partenaire-loiret-tabulations.csv")
    assert report.delimiter == "\t" and (report.created, report.rejected) == (6, 0), report.issues
    communes = set(Patient.objects.values_list("commune__name", "commune__in_territory"))
    assert communes == {
        ("Orléans", True),
        ("Saint-Jean-de-Braye", True),
        ("Saint-Jean-de-la-Ruelle", True),
        ("Olivet", True),
        ("Fleury-les-Aubrais", True),
        ("Saran", True),
    }


def test_arrondissements_and_merged_communes_resolve_to_today_s_commune():
    report = _import("villes-arrondissements-et-communes-fusionnees.csv")
    assert report.rejected == 0, report.issues
    communes = dict(Patient.objects.values_list("last_name", "commune__insee_code"))
    assert communes == {
        "Lefort": "75056",
        "Renard": "75056",
        "Marchand": "13055",
        "Perrin": "13055",
        "Caron": "69123",
        "Gauthier": "01033",  # Châtillon-en-Michaille, merged into Valserhône in 2019
        "Robin": "01033",  # Bellegarde-sur-Valserine, idem
    }


def test_every_rejected_row_names_the_person_in_the_report_and_the_error_file(vendee):
    errors = io.StringIO()
    report = _import("rejets-nommes.csv", errors_stream=errors)
    assert report.rejected == 6 and report.created == 0
    people = {i.person: i.message for i in report.issues}
    assert people["Durand Anne, né(e) le 02/03/1950"] == "Commune inconnue : « Atlantis »."
    assert people["Martin Paul, date de naissance « 31/02/1950 »"].startswith("Date impossible")
    assert people["Roy Léa, né(e) le 01/01/2099"] == "La date de naissance est dans le futur."
    assert people["Petit Jules, né(e) le 01/01/1950"].startswith("Clé du NIR incorrecte")
    assert people["Blanc Rose, né(e) le 01/01/1950"].startswith("Numéro de téléphone invalide")
    assert "Plusieurs communes s'appellent « Saint-Martin »" in people["Vidal Jean, né(e) le 01/01/1950"]
    lines = errors.getvalue().splitlines()
    assert lines[0] == "ligne;personne;type;colonne;message;valeur"
    assert "Durand Anne, né(e) le 02/03/1950" in lines[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bombe-decompression.xlsx", "bombe de décompression"),
        ("dimensions-absurdes.xlsx", "Dimensions absurdes"),
        ("binaire-pdf-renomme.csv", "Ce fichier est un PDF"),
        ("octets-nuls.csv", "Octet nul (NUL) ligne 202"),
    ],
)
def test_hostile_files_are_refused_in_french_and_nothing_is_written(name, message):
    report = _import(name)
    assert message in report.fatal and report.exit_code == 2 and not report.written
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("size", "message"),
    [(20_000, "Cellule démesurée ligne 3, colonne 2"), (1_000_000, "Cellule démesurée après la ligne 2")],
)
def test_a_huge_cell_is_refused(size, message):
    data = "Nom;Prénom;Date de naissance\nMartin;Paul;01/01/1950\n" + "Dupont;" + "J" * size + ";01/01/1950\n"
    report = import_patients(io.BytesIO(data.encode()), file_name="cellule.csv")
    assert message in report.fatal and not Patient.objects.exists()


def test_a_row_of_a_thousand_columns_is_refused():
    data = "Nom;Prénom;Date de naissance\n" + "Dupont;Jean;01/01/1950" + ";x" * 1000 + "\n"
    report = import_patients(io.BytesIO(data.encode()), file_name="large.csv")
    assert "Dimensions absurdes : la ligne 2 a 1003 colonnes" in report.fatal


def test_a_line_without_end_is_refused_without_reading_it_whole():
    data = b"Nom;Pr\xc3\xa9nom;Date de naissance\n" + b"x" * 3_000_000
    report = import_patients(io.BytesIO(data), file_name="sans-fin.csv")
    assert "Ligne 2 démesurée" in report.fatal


def test_the_command_exits_2_with_the_french_reason_for_a_bomb(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_patients", str(DATA / "bombe-decompression.xlsx"))
    assert exit_info.value.code == 2
    assert "bombe de décompression" in capsys.readouterr().out
