"""Import safety on the upload page: hostile files end in a French page (never a 500 or a stuck
preview), uploaded files are deleted once done or abandoned, the history links the patients, and
the whole app refuses oversized request bodies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from escorter.roles import Role
from patients.models import ImportedPatient, Patient, PatientImport
from patients.services.importing.files import purge_import_files
from tests.factories import CommuneFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def media(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    CommuneFactory(insee_code="85012", name="La Barre-de-Monts", postal_codes=["85550"])
    return tmp_path


def _upload(client, content: bytes, name: str):
    return client.post(
        "/patients/import/", {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "source": "cpam"}
    )


def _stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bombe-decompression.xlsx", "bombe de décompression"),
        ("dimensions-absurdes.xlsx", "Dimensions absurdes"),
        ("octets-nuls.csv", "Octet nul (NUL)"),
        ("binaire-pdf-renomme.csv", "Ce fichier est un PDF"),
    ],
)
def test_a_hostile_file_gets_a_french_refusal_page_and_its_file_is_deleted(client, login_as, media, name, message):
    login_as(Role.COORDINATOR)
    response = _upload(client, (DATA / name).read_bytes(), name)
    batch = PatientImport.objects.get()
    assert response.status_code == 302 and batch.state == PatientImport.State.FAILED
    page = client.get(response["Location"])
    assert page.status_code == 200 and message in page.content.decode()
    assert not batch.file and not _stored_files(media) and not Patient.objects.exists()


def test_an_unexpected_crash_of_the_check_leaves_a_failed_import_whose_page_works(client, login_as, media, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("patients.services.importing.batches.import_patients", crash)
    login_as(Role.COORDINATOR)
    response = _upload(client, b"Nom;Prenom;Date de naissance\nA;B;01/01/1950\n", "liste.csv")
    batch = PatientImport.objects.get()
    assert batch.state == PatientImport.State.FAILED and not _stored_files(media)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "erreur inattendue" in page.content.decode()


def test_confirmed_import_deletes_the_file_and_links_the_patients(
    client, login_as, media, django_capture_on_commit_callbacks
):
    login_as(Role.COORDINATOR)
    _upload(client, "Nom;Prénom;Date de naissance;Code INSEE\nHérault;Élodie;02/03/1950;85012\n".encode(), "a.csv")
    batch = PatientImport.objects.get()
    assert _stored_files(media)  # kept while the preview waits for confirmation
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/patients/import/{batch.pk}/confirmer/")
    batch.refresh_from_db()
    assert batch.state == PatientImport.State.DONE and not batch.file and not _stored_files(media)
    link = ImportedPatient.objects.get()
    assert link.outcome == "created" and link.patient.last_name == "Hérault"
    html = client.get(f"/patients/import/{batch.pk}/").content.decode()
    assert f'href="/patients/{link.patient_id}/"' in html and "créé" in html
    history = client.get("/patients/import/historique/").content.decode()
    assert "a.csv" in history and "Importé" in history


def test_a_second_list_completing_a_patient_links_it_as_completed(
    client, login_as, media, django_capture_on_commit_callbacks
):
    login_as(Role.COORDINATOR)
    for content in (
        "Nom;Prénom;Date de naissance;Code INSEE\nHérault;Élodie;02/03/1950;85012\n",
        "Nom;Prénom;Date de naissance;Code INSEE;Téléphone\nHérault;Élodie;02/03/1950;85012;0612345678\n",
    ):
        _upload(client, content.encode(), "liste.csv")
        batch = PatientImport.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/patients/import/{batch.pk}/confirmer/")
    assert list(ImportedPatient.objects.order_by("pk").values_list("outcome", flat=True)) == ["created", "completed"]


def test_an_unconfirmed_preview_is_abandoned_and_its_file_deleted_after_the_delay(client, login_as, media, settings):
    settings.IMPORT_FILE_RETENTION_HOURS = 24
    login_as(Role.COORDINATOR)
    _upload(client, b"Nom;Prenom;Date de naissance\nA;B;01/01/1950\n", "liste.csv")
    batch = PatientImport.objects.get()
    assert purge_import_files(now=timezone.now() + dt.timedelta(hours=23)) == 0 and _stored_files(media)
    assert purge_import_files(now=timezone.now() + dt.timedelta(hours=25)) == 1
    batch.refresh_from_db()
    assert batch.state == PatientImport.State.ABANDONED and not _stored_files(media)
    assert client.post(f"/patients/import/{batch.pk}/confirmer/").status_code == 302
    assert not Patient.objects.exists()
    assert "Aperçu non confirmé" in client.get(f"/patients/import/{batch.pk}/").content.decode()


def test_the_whole_app_refuses_a_body_bigger_than_the_limit(client, login_as, settings):
    settings.MAX_REQUEST_BYTES = 1000
    login_as(Role.COORDINATOR)
    response = _upload(client, b"x" * 5000, "grand.csv")
    assert response.status_code == 413 and "Requête trop volumineuse" in response.content.decode()
    assert not PatientImport.objects.exists()
    assert client.post("/connexion/", {"username": "a" * 2000}).status_code == 413


def test_the_command_records_its_imports_in_the_history_pages(tmp_path, client, login_as):
    from django.core.management import call_command

    path = tmp_path / "liste.csv"
    path.write_text("Nom;Prénom;Date de naissance;Code INSEE\nHérault;Élodie;02/03/1950;85012\n", encoding="utf-8")
    call_command("import_patients", str(path), verbosity=0)
    with pytest.raises(SystemExit):
        call_command("import_patients", str(DATA / "octets-nuls.csv"), verbosity=0)
    done, failed = PatientImport.objects.order_by("pk")
    assert done.state == PatientImport.State.DONE and done.summary["final"]["created"] == 1
    assert ImportedPatient.objects.get().patient_import == done and failed.state == PatientImport.State.FAILED
    login_as(Role.COORDINATOR)
    history = client.get("/patients/import/historique/").content.decode()
    assert history.count("commande import_patients") == 2
    assert "Octet nul (NUL) ligne 202" in client.get(f"/patients/import/{failed.pk}/").content.decode()
    assert client.get("/patients/import/").status_code == 200
