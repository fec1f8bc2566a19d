"""Importing CPAM / partner lists: formats, encodings, headers, errors, dedup, exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from patients.models import Patient, PatientStatusChange
from patients.services import import_patients
from tests.factories import CommuneFactory
from tests.patients.factories import PatientFactory, valid_nir

pytestmark = pytest.mark.django_db

HEADER = "Nom;Prénom;Date de naissance;NIR;Code postal;Commune;Téléphone;ALD;Code ALD"


@pytest.fixture(autouse=True)
def communes(db):
    return {
        "beauvoir": CommuneFactory(insee_code="85018", name="Beauvoir-sur-Mer", postal_codes=["85230"]),
        "bouin": CommuneFactory(insee_code="85029", name="Bouin", postal_codes=["85230"]),
        "barre": CommuneFactory(insee_code="85012", name="La Barre-de-Monts", postal_codes=["85550"]),
        "gervais": CommuneFactory(insee_code="85221", name="Saint-Gervais", postal_codes=["85230"]),
    }


def _run(text: str | bytes, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_patients(io.BytesIO(data), file_name="liste.csv", **kwargs)


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def test_semicolon_utf8_list_creates_waiting_patients_with_history():
    report = _run(_csv("Hérault;Élodie;02/03/1950;;85550;;06 12 34 56 78;oui;5"))
    assert (report.created, report.rejected, report.exit_code) == (1, 0, 0)
    patient = Patient.objects.get()
    assert (patient.last_name, patient.first_names, patient.birth_date) == ("Hérault", "Élodie", dt.date(1950, 3, 2))
    assert patient.commune.name == "La Barre-de-Monts" and patient.phone == "0612345678"
    assert patient.ald and patient.ald_codes == ["5"] and patient.status == "waiting"
    assert patient.priority_tier == "P1" and [c["code"] for c in patient.priority_explanation["criteria"]] == [
        "ald",
        "age_70",
    ]
    assert PatientStatusChange.objects.filter(patient=patient, to_status="waiting").count() == 1
    assert Patient.objects.filter(search_name__contains="herault").filter(search_name__contains="elodie").exists()


def test_tabs_backslashes_quotes_and_newlines_survive_the_bulk_copy():
    text = (
        "Nom;Prénom;Date de naissance;Adresse;Code INSEE\n"
        '"D\'Aubigné";Jean;01/01/1950;"Bât. C\\2\t""Les Mouettes""\nEscalier 3";85012\n'
    )
    report = _run(text)
    assert report.created == 1, report.issues
    patient = Patient.objects.get()
    assert patient.last_name == "D'Aubigné"
    assert patient.address == 'Bât. C\\2 "Les Mouettes" Escalier 3'  # whitespace runs collapsed, backslash kept


def test_comma_separated_cp1252_file_with_title_lines_is_read():
    text = "Liste CPAM novembre\n\nNOM,PRENOMS,DATE NAISSANCE,Code INSEE\nGuérin,Noël,1940-12-24,85018\n"
    report = _run(text.encode("cp1252"))
    assert report.encoding == "Windows-1252" and report.delimiter == ","
    assert report.created == 1 and Patient.objects.get().first_names == "Noël"


def test_utf8_with_bom_and_a_stray_cp1252_line_are_both_read():
    good = ("\ufeff" + _csv("Bénéteau;Zoé;01/01/1990;;85550;;;;")).encode("utf-8")
    stray = "Lefèvre;Loïc;01/01/1991;;85550;;;;\n".encode("cp1252")
    report = _run(good + stray)
    assert report.created == 2 and report.cp1252_lines == 1
    assert report.encoding == "mixte UTF-8 et Windows-1252"
    assert set(Patient.objects.values_list("last_name", flat=True)) == {"Bénéteau", "Lefèvre"}


def test_xlsx_with_excel_dates_and_synonym_headers(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["NOM DE NAISSANCE", "Nom d'usage", "Prénoms", "Né(e) le", "N° de sécurité sociale", "INSEE", "En ALD"]
    )
    sheet.append(
        ["Martin", "Durand", "Gisèle", dt.datetime(1938, 4, 9), valid_nir("F", dt.date(1938, 4, 9)), 85018, "x"]
    )
    sheet.append(["", "Bernard", "Paul", 14000, "", "85029", "non"])  # Excel serial date
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_patients(io.BytesIO(buffer.getvalue()), file_name="liste.xlsx")
    assert report.kind == "xlsx" and (report.created, report.rejected) == (2, 0), report.issues
    gisele = Patient.objects.get(first_names="Gisèle")
    assert (gisele.last_name, gisele.birth_name, gisele.ald) == ("Durand", "Martin", True)
    assert Patient.objects.get(first_names="Paul").birth_date == dt.date(1938, 4, 30)


def test_corsican_nir_is_valid():
    nir = valid_nir("M", dt.date(1953, 7, 1), place="2B073")
    report = _run(_csv(f"Santoni;Ange;01/07/1953;{nir};85550;;;;"))
    assert report.created == 1 and Patient.objects.get().nir == nir


def test_every_rejected_row_is_reported_with_line_column_and_french_message():
    bad_key = valid_nir("F", dt.date(1950, 3, 2))[:-2] + "00"
    report = _run(
        _csv(
            "Durand;Anne;02/03/1950;" + bad_key + ";85550;;;;",
            "Martin;Paul;31/02/1950;;85550;;;;",
            "Roy;Léa;01/01/2099;;85550;;;;",
            "Petit;Jules;01/01/1950;;85230;;;;",
            "Blanc;Rose;01/01/1950;;85550;;0612;;",
            ";Sans nom;01/01/1950;;85550;;;;",
            "Vidal;Jean;01/01/1950;;85550;;;;",
        )
    )
    messages = {(i.line, i.column): i.message for i in report.issues}
    assert messages[(2, "NIR")].startswith("Clé du NIR incorrecte")
    assert messages[(3, "Date de naissance")].startswith("Date impossible")
    assert messages[(4, "Date de naissance")] == "La date de naissance est dans le futur."
    assert "partagé par Beauvoir-sur-Mer, Bouin, Saint-Gervais" in messages[(5, "Code postal")]
    assert messages[(6, "Téléphone")].startswith("Numéro de téléphone invalide")
    assert messages[(7, "Nom")] == "Valeur obligatoire manquante."
    assert (report.rows, report.rejected, report.created, report.exit_code) == (7, 6, 1, 1)
    assert list(Patient.objects.values_list("last_name", flat=True)) == ["Vidal"]


def test_shared_postal_code_resolves_with_the_town_name():
    report = _run(_csv("Petit;Jules;01/01/1950;;85230;bouin;;;", "Petit;Julie;01/01/1950;;85230;St Gervais;;;"))
    assert report.rejected == 0
    assert set(Patient.objects.values_list("commune__name", flat=True)) == {"Bouin", "Saint-Gervais"}


def test_unknown_columns_are_ignored_and_reported_once():
    report = _run(_csv("Petit;Jules;01/01/1950;;85550;;;;;x", header=HEADER + ";Médecin précédent"))
    assert report.ignored_columns == ["Médecin précédent"] and report.created == 1
    assert "Colonnes ignorées : Médecin précédent." in report.summary_lines()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"%PDF-1.7 binary", "Ce fichier est un PDF"),
        (b"Identifiant;Montant\n1;2\n", "Aucune ligne d'en-tête utilisable"),
        (b"PK\x03\x04 not really a zip", "Fichier Excel illisible"),
        ((HEADER + "\n").encode(), "aucune ligne de données"),
    ],
)
def test_unusable_file_gives_one_clear_error_and_writes_nothing(content, message):
    report = _run(content)
    assert message in report.fatal and report.exit_code == 2
    assert Patient.objects.count() == 0


def test_reimporting_the_same_file_creates_nothing_new():
    text = _csv("Hérault;Élodie;02/03/1950;;85550;;;;", "Martin;Paul;01/01/1960;;85550;;;;")
    assert _run(text).created == 2
    report = _run(text)
    assert (report.created, report.already_known, report.exit_code) == (0, 2, 0)
    assert Patient.objects.count() == 2


def test_same_person_is_recognised_by_nir_or_by_name_and_birth_date_whatever_the_accents():
    nir = valid_nir("F", dt.date(1950, 3, 2))
    PatientFactory(last_name="Hérault", first_names="Élodie Marie", birth_date=dt.date(1950, 3, 2), nir="")
    PatientFactory(
        last_name="Autre", first_names="Nom", birth_date=dt.date(1970, 1, 1), nir=valid_nir("M", dt.date(1970, 1, 1))
    )
    report = _run(
        _csv(
            f"HERAULT;elodie;02/03/1950;{nir};85550;;;;",
            f"Autre-Nom;Changé;01/01/1970;{valid_nir('M', dt.date(1970, 1, 1))};85550;;;;",
        )
    )
    assert report.created == 0 and Patient.objects.count() == 2
    assert Patient.objects.get(last_name="Hérault").nir == nir  # the empty NIR was filled


def test_an_anonymised_patient_is_never_matched():
    gone = PatientFactory(
        last_name="Hérault",
        first_names="Élodie",
        birth_date=dt.date(1950, 3, 2),
        nir="",
        phone="",
        anonymised_at=timezone.now(),
    )
    report = _run(_csv("Hérault;Élodie;02/03/1950;;85550;;0612345678;;"))
    assert (report.created, report.updated, report.already_known) == (1, 0, 0)
    gone.refresh_from_db()
    assert gone.phone == "" and Patient.objects.count() == 2


def test_person_listed_twice_in_one_file_is_created_once():
    report = _run(_csv("Hérault;Élodie;02/03/1950;;85550;;;;", "HÉRAULT;Élodie;02/03/1950;;85550;;;;"))
    assert (report.created, report.duplicates_in_file) == (1, 1)
    assert report.issues[0].kind == "duplicate" and "ligne 2" in report.issues[0].message


def test_update_fills_empty_fields_and_never_overwrites_with_a_reported_conflict(communes):
    patient = PatientFactory(
        last_name="Hérault",
        first_names="Élodie",
        birth_date=dt.date(1950, 3, 2),
        phone="0251000000",
        email="",
        commune=communes["barre"],
    )
    text = (
        "Nom;Prénom;Date de naissance;Téléphone;Email;Code INSEE\nHérault;Élodie;02/03/1950;0612345678;e@x.fr;85018\n"
    )
    report = _run(text)
    patient.refresh_from_db()
    assert (report.updated, report.conflicts) == (1, 2)
    assert patient.email == "e@x.fr"  # empty: filled
    assert patient.phone == "0251000000" and patient.commune == communes["barre"]  # kept
    conflicts = {i.column: i for i in report.issues if i.kind == "conflict"}
    assert "0251000000" in conflicts["Téléphone"].message and conflicts["Téléphone"].value == "0612345678"
    assert "La Barre-de-Monts" in conflicts["Code INSEE"].message


def test_dry_run_writes_nothing_but_reports_what_would_happen():
    report = _run(_csv("Hérault;Élodie;02/03/1950;;85550;;;;"), dry_run=True)
    assert report.created == 1 and not report.written
    assert Patient.objects.count() == 0 and PatientStatusChange.objects.count() == 0


def test_all_or_nothing_imports_nothing_when_one_row_is_rejected():
    report = _run(_csv("Hérault;Élodie;02/03/1950;;85550;;;;", "Roy;Léa;01/01/2099;;85550;;;;"), all_or_nothing=True)
    assert report.rejected == 1 and report.exit_code == 1 and not report.written
    assert Patient.objects.count() == 0


def test_rows_spread_over_several_batches_are_deduplicated(monkeypatch):
    from patients.services.importing import run

    monkeypatch.setattr(run, "BATCH_SIZE", 2)
    rows = [f"Nom{i % 3};Jean;01/01/1950;;85550;;;;" for i in range(7)]
    report = _run(_csv(*rows))
    assert (report.created, report.already_known + report.duplicates_in_file) == (3, 4)


# --- the management command ---------------------------------------------------------------


def _command(tmp_path, text, *args):
    path = tmp_path / "liste.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_patients", str(path), *args, stdout=out)
        raise SystemExit(0)
    return exit_info.value.code, out.getvalue()


def test_command_exits_0_when_every_row_is_imported(tmp_path):
    code, out = _command(tmp_path, _csv("Hérault;Élodie;02/03/1950;;85550;;;;"), "--source", "hospital")
    assert code == 0 and "1 patient(s) créé(s)" in out
    assert Patient.objects.get().referral_source == "hospital"


def test_command_exits_1_with_an_error_report_file(tmp_path):
    errors = tmp_path / "erreurs.csv"
    code, out = _command(
        tmp_path,
        _csv("Hérault;Élodie;02/03/1950;;85550;;;;", "Roy;Léa;01/01/2099;;85550;;;;"),
        "--errors-out",
        str(errors),
    )
    assert code == 1 and "1 ligne(s) rejetée(s)" in out
    rows = list(csv.reader(errors.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["ligne", "personne", "type", "colonne", "message", "valeur"]
    assert rows[1] == [
        "3",
        "Roy Léa, né(e) le 01/01/2099",
        "erreur",
        "Date de naissance",
        "La date de naissance est dans le futur.",
        "01/01/2099",
    ]


def test_command_exits_2_on_an_unusable_file(tmp_path):
    code, out = _command(tmp_path, b"%PDF-1.4")
    assert code == 2 and "Fichier inutilisable" in out and Patient.objects.count() == 0


def test_command_dry_run_and_all_or_nothing_write_nothing(tmp_path):
    text = _csv("Hérault;Élodie;02/03/1950;;85550;;;;", "Roy;Léa;01/01/2099;;85550;;;;")
    assert _command(tmp_path, text, "--dry-run")[0] == 1
    assert _command(tmp_path, text, "--all-or-nothing")[0] == 1
    assert Patient.objects.count() == 0


def test_a_preview_can_stop_after_the_first_rows_and_says_so():
    report = _run(_csv(*[f"Nom{i};Jean;01/01/1950;;85550;;;;" for i in range(5)]), dry_run=True, max_rows=3)
    assert (report.rows, report.created, report.truncated) == (3, 3, True)
    assert "Vérification limitée aux 3 premières lignes" in " ".join(report.summary_lines())
