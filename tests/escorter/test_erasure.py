"""Right to erasure: after it, the person is found in no table, no file and no log the app wrote.

The proof searches a pg_dump of the whole test database (and, independently of pg_dump,
every row of every table cast to text), every file under MEDIA_ROOT and the log folder,
and every log record emitted during the test.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from escorter import gdpr
from escorter.models import AuditLog
from escorter.roles import Role
from escorter.sms import send_sms
from patients.models import Call, Patient, PatientImport
from patients.services import anonymise_patient, change_status
from staffing.models import Consultation, Reminder
from tests.factories import CommuneFactory
from tests.patients.factories import PatientFactory, valid_nir
from tests.staffing.booking_helpers import permanence
from tests.staffing.factories import ConsultationFactory

SURNAME = "Zwiebelhérault"
BIRTH_NAME = "Quenouillard"
PHONE = "0698765432"
PHONE_2 = "0255443322"
EMAIL = "elodie.zwiebel@exemple.fr"
NIR = valid_nir(serial=417)


def _needles() -> list[re.Pattern]:
    """Every way the person's identifiers may be written, accents and case ignored."""
    spaced = lambda digits: r"[\s.\-]?".join(digits)  # noqa: E731
    return [
        re.compile(r"zwiebelh(e|é|\\u00e9)rault", re.I),
        re.compile("quenouillard", re.I),
        re.compile(re.escape(EMAIL), re.I),
        re.compile(spaced(NIR[:13])),
        re.compile(spaced(PHONE[1:])),
        re.compile(spaced(PHONE_2[1:])),
    ]


def _found(text: str) -> list[str]:
    return sorted({m.group(0) for needle in _needles() for m in needle.finditer(text)})


@pytest.fixture
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_FILE_PATH = tmp_path / "logs" / "sms.log"
    return tmp_path


def _person_everywhere(client, login_as) -> Patient:
    """The person in every place the app keeps something: each app's tables, files, audit."""
    coordinator = login_as(Role.COORDINATOR)
    commune = CommuneFactory(insee_code="85012")
    patient = PatientFactory(
        last_name=SURNAME,
        birth_name=BIRTH_NAME,
        first_names="Élodie",
        nir=NIR,
        phone=PHONE,
        phone_2=PHONE_2,
        email=EMAIL,
        address="3 rue des Mouettes",
        notes=f"Sa fille appelle du {PHONE_2}",
        commune=commune,
        birth_date=dt.date(1950, 3, 2),
        sms_consent=True,
    )
    change_status(patient=patient, to_status="declined", user=coordinator, note=f"Mme {SURNAME.upper()} refuse")
    change_status(patient=patient, to_status="waiting", user=coordinator, note="rappeler au 06 98 76 54 32")
    # calls: hers, and another caller quoting her number
    Call.objects.create(
        patient=patient,
        caller_kind="relative",
        caller_name=f"Jean {SURNAME}",
        caller_phone=PHONE_2,
        category="fever",
        reason=f"Fièvre, NIR {NIR}, joindre {EMAIL}",
        follow_up_note=f"rappeler {PHONE}",
        outcome="advice_given",
        closed_at=patient.created_at,
        duration_seconds=120,
    )
    other = Call.objects.create(caller_name="Voisin", reason=f"appelle pour Mme {SURNAME} (+33 6 98 76 54 32)")
    # consultation, reminder, SMS log
    perm = permanence(days=2)
    consultation = ConsultationFactory(
        patient=patient, permanence=perm, explanation=f"{SURNAME} P1", outcome_note=f"Mme {SURNAME} vue, tel {PHONE}"
    )
    Reminder.objects.create(consultation=consultation, channel="sms", recipient=PHONE, status="sent")
    Reminder.objects.create(consultation=consultation, channel="email", recipient=EMAIL, status="failed", error=EMAIL)
    send_sms(PHONE, "Rappel – RDV demain")
    send_sms("0611111111", "Rappel – RDV d'un autre patient")
    # an uploaded list in preview: file, preview rows, error report
    csv = (
        "Nom;Prénom;Date de naissance;Code INSEE;Téléphone;NIR\n"
        f"{SURNAME};Élodie;02/03/1950;85012;{PHONE};{NIR}\n"
        f"{SURNAME};Élodie;02/03/2099;85012;{PHONE};\n"
        "Autre;Paul;01/01/1960;85012;0611111111;\n"
    ).encode()
    client.post(
        "/patients/import/",
        {"file": SimpleUploadedFile("liste.csv", csv, content_type="text/csv"), "source": "cpam"},
    )
    # searches, a right-of-access export, an admin change
    client.get("/patients/", {"q": SURNAME})
    client.get("/patients/", {"q": "06 98 76 54 32"})
    client.get(f"/patients/appels/{other.pk}/patients/", {"q": SURNAME})
    client.get(f"/patients/{patient.pk}/donnees.pdf")
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(patient.pk),
        object_repr=str(patient),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": [SURNAME]}}]),
    )
    return patient


def _database_text() -> str:
    """Every row of every table of the app's schema, as text."""
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 (names from the catalogue)
            chunks.extend(row[0] for row in cursor.fetchall())
    return "\n".join(chunks)


def _pg_dump() -> str:
    db = settings.DATABASES["default"]
    env = {"PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "--data-only", "--no-owner", "-h", db.get("HOST") or "localhost", "-U", db["USER"]]
    if db.get("PORT"):
        command += ["-p", str(db["PORT"])]
    done = subprocess.run([*command, db["NAME"]], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _files_text(root) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", errors="replace") for p in root.rglob("*") if p.is_file())


@pytest.mark.django_db(transaction=True)
def test_erased_person_is_found_in_no_table_no_file_and_no_log(client, login_as, folders, caplog):
    caplog.set_level(logging.INFO)
    patient = _person_everywhere(client, login_as)
    # the test is only worth something if the person was really everywhere first
    before = _database_text() + _files_text(folders)
    assert {"Zwiebelhérault", "elodie.zwiebel@exemple.fr", "698765432", "6 98 76 54 32"} <= set(_found(before))
    assert (folders / "logs" / "sms.log").exists() and list((folders / "media").rglob("*.csv"))

    page = client.get(f"/patients/{patient.pk}/effacer/")
    assert page.status_code == 200 and "Effacer définitivement" in page.content.decode()
    response = client.post(f"/patients/{patient.pk}/effacer/", {"last_name": "zwiebelherault", "confirm": "on"})
    assert response.status_code == 302

    assert _found(_database_text()) == []
    if shutil.which("pg_dump"):
        assert _found(_pg_dump()) == []
    assert _found(_files_text(folders)) == []
    assert _found(caplog.text) == []

    # history kept for the figures, without identity
    patient.refresh_from_db()
    assert patient.anonymised_at and patient.last_name == "ANONYME" and patient.commune.insee_code == "85012"
    assert patient.birth_date == dt.date(1950, 7, 1) and patient.status_changes.count() == 2
    call = Call.objects.get(patient=patient)
    assert (call.category, call.outcome, call.duration_seconds) == ("fever", "advice_given", 120)
    assert Consultation.objects.filter(patient=patient, status="booked").count() == 1
    assert Reminder.objects.filter(consultation__patient=patient).count() == 2
    sms = [json.loads(line) for line in (folders / "logs" / "sms.log").read_text().splitlines()]
    assert [m["to"] for m in sms] == [gdpr.REDACTED, "0611111111"]  # the other patient's message untouched
    batch = PatientImport.objects.get()
    assert batch.state == "failed" and not batch.file
    assert "déposez de nouveau la liste" in " ".join(batch.summary["lines"])
    # the audit log says who erased and when, with the file number only
    entry = AuditLog.objects.get(action="anonymise", object_id=str(patient.pk))
    assert entry.username and entry.detail == "effacement"


def test_erasure_is_idempotent_and_records_each_run(db):
    patient = PatientFactory(last_name=SURNAME, phone=PHONE)
    anonymise_patient(patient=patient)
    first = Patient.objects.get(pk=patient.pk).anonymised_at
    anonymise_patient(patient=patient)
    assert Patient.objects.get(pk=patient.pk).anonymised_at == first
    assert AuditLog.objects.filter(action="anonymise", object_id=str(patient.pk)).count() == 2


def test_a_call_quoting_someone_else_keeps_its_other_words(db):
    patient = PatientFactory(last_name=SURNAME, phone=PHONE)
    call = Call.objects.create(caller_name="Voisin", reason=f"appelle pour Mme {SURNAME} ; lui-même diabétique")
    anonymise_patient(patient=patient)
    call.refresh_from_db()
    assert call.caller_name == "Voisin" and call.reason == "appelle pour Mme [effacé] ; lui-même diabétique"


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.PRACTITIONER, Role.FUNDER])
def test_only_coordinators_erase_a_person(client, login_as, role):
    patient = PatientFactory(last_name=SURNAME)
    login_as(role)
    response = client.post(f"/patients/{patient.pk}/effacer/", {"last_name": SURNAME, "confirm": "on"})
    assert response.status_code == 403
    assert Patient.objects.get(pk=patient.pk).anonymised_at is None


def test_erasure_asks_for_the_surname_and_the_box(client, login_as):
    patient = PatientFactory(last_name=SURNAME)
    login_as(Role.COORDINATOR)
    response = client.post(f"/patients/{patient.pk}/effacer/", {"last_name": "Dupont", "confirm": "on"})
    assert "Ce n&#x27;est pas le nom d&#x27;usage du patient." in response.content.decode()
    response = client.post(f"/patients/{patient.pk}/effacer/", {"last_name": SURNAME})
    assert "Cochez la case pour confirmer." in response.content.decode()
    assert Patient.objects.get(pk=patient.pk).anonymised_at is None


def test_every_app_registers_its_steps():
    assert {"escorter.sms_log", "patients.calls", "patients.imports", "staffing.consultations"} <= set(
        gdpr.erasure_steps()
    )
    assert {"appels", "consultations", "rappels", "journal_d_acces"} <= set(gdpr.access_sections())
