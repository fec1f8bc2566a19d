"""Monthly reports: built once per audience and month, regenerated explicitly, never half-published."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone
from openpyxl import load_workbook

from escorter.models import AuditLog
from escorter.roles import Role
from reporting.models import Funder, MonthlyReport
from reporting.periods import Month
from reporting.services import reports
from tests.concurrency import at_once
from tests.factories import CommuneFactory, FunderFactory, make_user
from tests.reporting.factories import make_patient

OCTOBER = Month(2026, 10)


def paris(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def ars(db):
    return FunderFactory(name="ARS Pays de la Loire", kind=Funder.Kind.ARS)


@pytest.fixture
def territory(db):
    """A tiny territory: 12 patients in Challans, 3 in Bois-de-Céné (merged into its EPCI)."""
    challans = CommuneFactory(insee_code="85047", name="Challans")
    bois = CommuneFactory(insee_code="85024", name="Bois-de-Céné")
    for i in range(12):
        changes = [("gp_found", paris(dt.date(2026, 10, 5)))] if i < 6 else []
        make_patient(
            commune=challans,
            tier="P1" if i % 2 else "P2",
            status="gp_found" if i < 6 else "waiting",
            gp_found_date=dt.date(2026, 10, 5) if i < 6 else None,
            changes=changes,
        )
    for _ in range(3):
        make_patient(commune=bois, tier="P3")
    # referred after October: must not count in October's report
    make_patient(commune=challans, referral_date=dt.date(2026, 11, 2))
    return challans, bois


def build(audience, month=OCTOBER, force=False):
    report = reports.request_monthly_report(audience=audience, month=month, force=force)
    return reports.build_report(report_id=report.pk)


@pytest.mark.django_db
def test_report_is_published_with_three_files_and_their_checksum(ars, territory):
    outcome = build(ars)
    report = outcome.report
    assert outcome.built and report.status == MonthlyReport.Status.PUBLISHED
    assert report.version == 1 and report.generated_at and len(report.checksum) == 64
    for fmt in ("xlsx", "pdf", "csv"):
        path = Path(report.file_for(fmt).path)
        assert path.exists() and path.stat().st_size > 0
        assert reports._sha256(path) == report.checksums[fmt]
    assert Path(report.pdf_file.path).read_bytes().startswith(b"%PDF")


@pytest.mark.django_db
def test_xlsx_has_one_sheet_per_theme_and_counts_match_the_registry(ars, territory):
    report = build(ars).report
    workbook = load_workbook(report.xlsx_file.path)
    assert workbook.sheetnames[0] == "Synthèse" and workbook.sheetnames[-1] == "Méthode"
    assert {"Parcours des patients", "Territoire", "Permanences", "Financements"} <= set(workbook.sheetnames)
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(min_row=6, values_only=True)}
    assert summary["Patients signalés depuis le début"] == 15
    assert summary["Médecin traitant retrouvé (cumul)"] == 6
    assert summary["En attente en fin de mois"] == 9


@pytest.mark.django_db
def test_small_counts_are_masked_in_every_file(ars, territory):
    report = build(ars).report
    csv_text = Path(report.csv_file.path).read_text(encoding="utf-8-sig")
    # Bois-de-Céné has 3 patients: merged into its EPCI row, and the 3 shows as "< 5"
    assert "Bois-de-Céné" not in csv_text
    assert "Autres communes – CC Challans-Gois Communauté" in csv_text
    merged = [line for line in csv_text.splitlines() if "Autres communes" in line and "Signalés (cumul)" in line]
    assert merged and merged[0].split(";")[6] == "" and merged[0].split(";")[7] == "< 5"
    workbook = load_workbook(report.xlsx_file.path)
    values = [cell for row in workbook["Territoire"].iter_rows(values_only=True) for cell in row]
    assert "< 5" in values and 3 not in values


@pytest.mark.django_db
def test_running_twice_leaves_exactly_one_report(ars, territory):
    first = build(ars)
    second = build(ars)
    assert first.built and not second.built
    assert second.report.pk == first.report.pk
    assert MonthlyReport.objects.filter(audience=ars, month=OCTOBER.first_day).count() == 1


@pytest.mark.django_db
def test_regeneration_publishes_a_new_version_and_keeps_the_previous_one(ars, territory):
    v1 = build(ars).report
    v2 = build(ars, force=True).report
    assert (v1.version, v2.version) == (1, 2)
    assert MonthlyReport.objects.get(pk=v1.pk).is_published and Path(v1.pdf_file.path).exists()
    assert v2.pdf_file.name != v1.pdf_file.name


@pytest.mark.django_db
def test_the_database_refuses_two_reports_with_the_same_version(ars):
    MonthlyReport.objects.create(audience=ars, month=OCTOBER.first_day, version=1)
    with pytest.raises(IntegrityError):
        MonthlyReport.objects.create(audience=ars, month=OCTOBER.first_day, version=1)


@pytest.mark.django_db
def test_a_redelivered_task_finishes_the_report_a_killed_worker_left_half_done(ars, territory, settings):
    # the dead worker claimed the row and left a temporary file behind
    report = reports.request_monthly_report(audience=ars, month=OCTOBER)
    MonthlyReport.objects.filter(pk=report.pk).update(claim_token="dead" * 8, claimed_at=timezone.now())
    leftover = Path(settings.MEDIA_ROOT) / "reports" / ".tmp" / ("dead" * 8)
    leftover.mkdir(parents=True)
    (leftover / "half.pdf").write_bytes(b"%PDF-1.7 half")
    assert not MonthlyReport.objects.get(pk=report.pk).is_published  # nothing visible meanwhile
    outcome = reports.build_report(report_id=report.pk)
    assert outcome.built and outcome.report.is_published
    assert MonthlyReport.objects.filter(audience=ars, month=OCTOBER.first_day).count() == 1


@pytest.mark.django_db
def test_a_failed_build_publishes_nothing_and_can_be_retried(ars, territory, monkeypatch):
    def broken(document):
        raise RuntimeError("disque plein")

    monkeypatch.setattr("reporting.services.reports.render_pdf", broken)
    report = reports.request_monthly_report(audience=ars, month=OCTOBER)
    with pytest.raises(RuntimeError):
        reports.build_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.FAILED and not report.pdf_file and "disque plein" in report.error
    monkeypatch.undo()
    assert reports.build_report(report_id=report.pk).report.is_published


@pytest.mark.django_db(transaction=True)
def test_two_workers_building_the_same_report_at_once_publish_it_once(ars, territory):
    report = reports.request_monthly_report(audience=ars, month=OCTOBER)
    results = at_once(lambda: reports.build_report(report_id=report.pk).built, expected=(reports.ReportBusy,))
    assert results.count(True) == 1
    assert MonthlyReport.objects.filter(audience=ars, status="published").count() == 1


@pytest.mark.django_db
def test_command_builds_the_month_and_is_idempotent(ars, territory):
    out = io.StringIO()
    call_command("build_monthly_report", "--month", "2026-10", "--audience", "ars", stdout=out)
    assert "version 1 publié" in out.getvalue()
    out = io.StringIO()
    call_command("build_monthly_report", "--month", "2026-10", "--audience", "ars", stdout=out)
    assert "déjà publié" in out.getvalue()
    call_command("build_monthly_report", "--month", "2026-10", "--audience", "ars", "--force", stdout=io.StringIO())
    assert list(MonthlyReport.objects.values_list("version", flat=True).order_by("version")) == [1, 2]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13", "--audience", "ars"], "Mois invalide"),
        (["--month", "octobre", "--audience", "ars"], "AAAA-MM"),
        (["--month", "2099-01", "--audience", "ars"], "n'est pas terminé"),
        (["--month", "2026-10", "--audience", "cpam"], "Aucun financeur"),
    ],
)
def test_command_explains_bad_input_in_french(ars, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("build_monthly_report", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_monthly_job_builds_last_month_for_every_funder_and_emails_their_users_once(territory):
    ars = FunderFactory(name="ARS", kind=Funder.Kind.ARS)
    cpam = FunderFactory(name="CPAM", kind=Funder.Kind.CPAM)
    make_user(Role.FUNDER, funder=ars, email="helene@ars.example")
    make_user(Role.FUNDER, funder=cpam, email="marc@cpam.example")
    from reporting.tasks import build_last_month_reports

    build_last_month_reports()
    build_last_month_reports()  # redelivered: nothing new, nobody emailed twice
    last = Month.last()
    assert MonthlyReport.objects.filter(month=last.first_day, status="published").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["helene@ars.example", "marc@cpam.example"]
    assert last.label in mail.outbox[0].subject
    assert "Durand" not in mail.outbox[0].body


def test_beat_runs_the_monthly_job_on_the_first_at_six_paris_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-monthly-reports"]
    assert entry["task"] == "reporting.tasks.build_last_month_reports"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {6} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Paris"


@pytest.mark.django_db
def test_publishing_a_report_is_audited(ars, territory):
    report = build(ars).report
    assert AuditLog.objects.filter(object_type="reporting.MonthlyReport", object_id=str(report.pk)).exists()
