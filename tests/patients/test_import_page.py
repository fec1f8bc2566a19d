"""The upload page: preview writes nothing, confirm imports, error report downloadable.

Who may open each page: tests/test_personas.py."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from escorter.models import AuditLog
from escorter.roles import Role
from patients.models import Patient, PatientImport
from tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db

CSV = (
    "Nom;Prénom;Date de naissance;Code INSEE;Colonne en trop\n"
    "Hérault;Élodie;02/03/1950;85012;x\n"
    "Roy;Léa;01/01/2099;85012;x\n"
    "HERAULT;Elodie;02/03/1950;85012;x\n"
).encode("cp1252")


@pytest.fixture(autouse=True)
def commune(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return CommuneFactory(insee_code="85012", name="La Barre-de-Monts", postal_codes=["85550"])


def _upload(client, content=CSV, name="liste-cpam.csv"):
    return client.post(
        "/patients/import/", {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "source": "cpam"}
    )


def test_upload_shows_a_preview_and_writes_nothing(client, login_as):
    login_as(Role.COORDINATOR)
    response = _upload(client)
    batch = PatientImport.objects.get()
    assert response["Location"] == f"/patients/import/{batch.pk}/"
    assert Patient.objects.count() == 0
    html = client.get(response["Location"]).content.decode()
    assert "Aperçu des premières lignes" in html and "Élodie" in html
    assert "La date de naissance est dans le futur." in html
    assert "Colonnes ignorées : Colonne en trop." in html and "Windows-1252" in html
    assert "Confirmer l&#x27;import" in html or "Confirmer l'import" in html


def test_opening_an_import_is_audited_and_a_preview_missing_a_count_still_renders(client, login_as):
    user = login_as(Role.COORDINATOR)
    batch = PatientImport.objects.create(
        file="imports/x.csv", original_name="x.csv", summary={"preview": {"created": 2, "already_known": 1}}
    )
    response = client.get(f"/patients/import/{batch.pk}/")
    assert response.status_code == 200 and response.context["known"] == 1
    assert AuditLog.objects.filter(
        user_id=user.pk, action="view", object_type="patients.PatientImport", object_id=str(batch.pk)
    ).exists()


def test_confirm_imports_the_valid_rows_and_the_error_report_downloads(
    client, login_as, django_capture_on_commit_callbacks
):
    user = login_as(Role.COORDINATOR)
    _upload(client)
    batch = PatientImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/patients/import/{batch.pk}/confirmer/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == "done" and batch.summary["final"]["created"] == 1
    assert Patient.objects.get().created_by == user
    html = client.get(f"/patients/import/{batch.pk}/").content.decode()
    assert "Import terminé" in html
    report = client.get(f"/patients/import/{batch.pk}/erreurs.csv")
    text = report.content.decode("utf-8-sig")
    assert report["Content-Type"].startswith("text/csv")
    assert (
        "3;Roy Léa, né(e) le 01/01/2099;erreur;Date de naissance;La date de naissance est dans le futur.;01/01/2099"
        in text
    )
    assert "4;HERAULT Elodie, né(e) le 02/03/1950;doublon" in text
    assert AuditLog.objects.filter(action="download", object_type="patients.PatientImport").exists()


@pytest.mark.django_db(transaction=True)
def test_confirm_in_autocommit_keeps_the_final_summary(client, login_as):
    login_as(Role.COORDINATOR)
    _upload(client)
    batch = PatientImport.objects.get()
    client.post(f"/patients/import/{batch.pk}/confirmer/")  # eager task runs when the view's block commits
    batch.refresh_from_db()
    assert batch.state == "done" and batch.summary["final"]["created"] == 1 and batch.summary["task_run"]
    assert "Import terminé" in client.get(f"/patients/import/{batch.pk}/").content.decode()


def test_confirming_twice_imports_once(client, login_as, django_capture_on_commit_callbacks):
    login_as(Role.COORDINATOR)
    _upload(client)
    batch = PatientImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/patients/import/{batch.pk}/confirmer/")
    response = client.post(f"/patients/import/{batch.pk}/confirmer/", follow=True)
    assert "Cet import a déjà été lancé." in response.content.decode()
    assert Patient.objects.count() == 1


def test_unusable_file_is_reported_and_cannot_be_confirmed(client, login_as):
    login_as(Role.COORDINATOR)
    _upload(client, content=b"Montant;Date\n1;2\n")
    batch = PatientImport.objects.get()
    assert batch.state == "failed"
    html = client.get(f"/patients/import/{batch.pk}/").content.decode()
    assert "Fichier inutilisable." in html and "Aucune ligne d&#x27;en-tête utilisable" in html
    assert client.post(f"/patients/import/{batch.pk}/confirmer/").status_code == 302
    assert Patient.objects.count() == 0


def test_wrong_extension_is_refused_in_french(client, login_as):
    login_as(Role.COORDINATOR)
    response = _upload(client, content=b"x", name="liste.pdf")
    assert "Format non pris en charge" in response.content.decode() and not PatientImport.objects.exists()


def test_remarks_and_previewed_rows_are_stored_in_english_and_shown_in_french(client, login_as):
    login_as(Role.COORDINATOR)
    _upload(client)
    batch = PatientImport.objects.get()
    preview = batch.summary["preview"]
    assert [i["kind"] for i in preview["issues"]] == ["error", "duplicate"]
    assert [r["outcome"] for r in preview["preview"]] == ["new", "rejected", "duplicate"]
    html = client.get(f"/patients/import/{batch.pk}/").content.decode()
    assert '<span class="badge text-bg-danger">erreur</span>' in html
    assert '<span class="badge text-bg-success">nouveau</span>' in html
    assert '<span class="badge text-bg-danger">rejetée</span>' in html


def test_the_data_migration_turns_french_codes_into_english_and_back():
    from django.apps import apps

    migration = importlib.import_module("patients.migrations.0014_import_codes_in_english")
    french = {
        "preview": {
            "issues": [{"kind": "erreur"}, {"kind": "conflit"}, {"kind": "doublon"}],
            "preview": [{"outcome": o} for o in ("nouveau", "complété", "déjà connu", "doublon", "rejetée")],
        },
        "final": {"issues": [{"kind": "conflit"}], "preview": []},
        "lines": ["1 ligne(s) lue(s)"],
    }
    batch = PatientImport.objects.create(original_name="ancienne.csv", summary=french)
    failed = PatientImport.objects.create(original_name="vide.csv", summary={"preview": {"fatal": "vide"}})
    migration.forwards(apps, None)
    batch.refresh_from_db()
    assert [i["kind"] for i in batch.summary["preview"]["issues"]] == ["error", "conflict", "duplicate"]
    assert [r["outcome"] for r in batch.summary["preview"]["preview"]] == [
        "new",
        "completed",
        "known",
        "duplicate",
        "rejected",
    ]
    assert batch.summary["final"]["issues"] == [{"kind": "conflict"}] and batch.summary["lines"] == french["lines"]
    failed.refresh_from_db()
    assert failed.summary == {"preview": {"fatal": "vide"}}
    migration.backwards(apps, None)
    batch.refresh_from_db()
    assert batch.summary == french
