"""Who sees what: funder portal, downloads, dashboard, funding pages (persona tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from escorter.models import AuditLog, TaskRun
from escorter.roles import Role
from reporting.models import Expense, Funder, FundingLine, MonthlyReport
from reporting.periods import Month
from reporting.services import reports
from tests.factories import FunderFactory, make_user
from tests.reporting.factories import ExpenseFactory, FundingLineFactory, make_patient

OCTOBER = Month(2026, 10)


@pytest.fixture
def published(db):
    """One published report for the ARS and one for the CPAM."""
    ars = FunderFactory(name="ARS Pays de la Loire", kind=Funder.Kind.ARS)
    cpam = FunderFactory(name="CPAM de la Vendée", kind=Funder.Kind.CPAM)
    make_patient()
    built = {}
    for funder in (ars, cpam):
        report = reports.request_monthly_report(audience=funder, month=OCTOBER)
        built[funder.kind] = reports.build_report(report_id=report.pk).report
    return ars, cpam, built


# --- funder portal ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_funder_sees_only_their_own_reports_on_the_portal(client, published):
    ars, cpam, built = published
    client.force_login(make_user(Role.FUNDER, funder=ars))
    response = client.get(reverse("reporting:portal"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("reporting:report_download", args=[built["ars"].pk, "pdf"]) in page
    assert reverse("reporting:report_download", args=[built["cpam"].pk, "pdf"]) not in page
    assert "Durand" not in page  # no patient name ever reaches the portal


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv"])
def test_funder_downloads_their_report_and_the_download_is_audited(client, published, fmt):
    ars, _, built = published
    user = make_user(Role.FUNDER, funder=ars)
    client.force_login(user)
    response = client.get(reverse("reporting:report_download", args=[built["ars"].pk, fmt]))
    assert response.status_code == 200
    assert f"rapport-ars-pays-de-la-loire-2026-10-v1.{fmt}" in response["Content-Disposition"]
    entry = AuditLog.objects.get(action="download", object_id=str(built["ars"].pk))
    assert entry.user_id == user.pk and fmt.upper() in entry.detail


@pytest.mark.django_db
def test_another_funders_report_id_answers_404_like_a_missing_one(client, published):
    ars, _, built = published
    client.force_login(make_user(Role.FUNDER, funder=ars))
    assert client.get(reverse("reporting:report_download", args=[built["cpam"].pk, "pdf"])).status_code == 404
    assert client.get(reverse("reporting:report_download", args=[999999, "pdf"])).status_code == 404
    assert not AuditLog.objects.filter(action="download").exists()


@pytest.mark.django_db
def test_a_report_still_being_built_cannot_be_downloaded(client, published):
    ars, _, _ = published
    building = MonthlyReport.objects.create(audience=ars, month=Month(2026, 9).first_day)
    client.force_login(make_user(Role.FUNDER, funder=ars))
    assert client.get(reverse("reporting:report_download", args=[building.pk, "pdf"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["patients:waiting_list", "reporting:dashboard", "reporting:report_list", "reporting:funding_list"],
)
def test_funder_gets_403_on_nominative_and_coordination_pages(client, url_name):
    client.force_login(make_user(Role.FUNDER))
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.django_db
def test_funder_gets_403_on_a_patient_page(client):
    patient = make_patient()
    client.force_login(make_user(Role.FUNDER))
    assert client.get(reverse("patients:patient_detail", args=[patient.pk])).status_code == 403


@pytest.mark.django_db
def test_coordinator_downloads_any_report(client, published):
    _, _, built = published
    client.force_login(make_user(Role.COORDINATOR))
    assert client.get(reverse("reporting:report_download", args=[built["cpam"].pk, "csv"])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["reporting:portal", "reporting:dashboard", "reporting:funding_list"])
def test_anonymous_visitor_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


@pytest.mark.django_db
def test_funder_home_redirects_to_the_portal(client):
    client.force_login(make_user(Role.FUNDER))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("reporting:portal")


# --- coordinator dashboard and generation ------------------------------------------------------


@pytest.mark.django_db
def test_coordinator_dashboard_shows_key_figures_and_chart_data_without_inline_script(client):
    make_patient(tier="P1")
    FundingLineFactory(label="FIR – ingénierie")
    client.force_login(make_user(Role.COORDINATOR))
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    for chart in ("chart-waiting", "chart-gp-found", "chart-budget"):
        assert f'id="{chart}" type="application/json"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/reporting-charts.js" in page
    import re

    assert not re.search(r"<script>(?!\s*</script>)", page)  # only src= and json scripts


@pytest.mark.django_db
def test_coordinator_generates_a_report_and_follows_its_progress(client, django_capture_on_commit_callbacks):
    ars = FunderFactory(kind=Funder.Kind.ARS)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.COORDINATOR))
    page = client.get(reverse("reporting:report_list"))
    token = page.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:generate_report"),
            {"audience": ars.pk, "month": "2026-10", "notify": "on", "csrfmiddlewaretoken": token},
        )
    assert response.status_code == 302 and "?tache=" in response["Location"]
    run = TaskRun.objects.get()
    assert run.status == TaskRun.Status.SUCCESS  # eager in tests
    assert MonthlyReport.objects.get(audience=ars).is_published
    page = client.get(response["Location"]).content.decode()
    assert f'id="task-run-{run.pk}"' in page


@pytest.mark.django_db
def test_generation_refuses_a_month_not_over_yet(client):
    ars = FunderFactory(kind=Funder.Kind.ARS)
    client.force_login(make_user(Role.COORDINATOR))
    response = client.post(reverse("reporting:generate_report"), {"audience": ars.pk, "month": Month.current().key})
    assert response.status_code == 400
    assert "mois terminé" in response.content.decode()
    assert not MonthlyReport.objects.exists()


@pytest.mark.django_db
def test_generation_post_without_csrf_token_is_refused():
    ars = FunderFactory(kind=Funder.Kind.ARS)
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.COORDINATOR))
    response = client.post(reverse("reporting:generate_report"), {"audience": ars.pk, "month": "2026-10"})
    assert response.status_code == 403


# --- funding lines and expenses --------------------------------------------------------------------


@pytest.mark.django_db
def test_budget_consumption_and_forecast_at_the_current_pace():
    from reporting.selectors.funding import budgets

    line = FundingLineFactory(
        amount_granted=Decimal("12000"), period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)
    )
    ExpenseFactory(line=line, date=dt.date(2026, 2, 1), amount=Decimal("3000"))
    ExpenseFactory(line=line, date=dt.date(2026, 8, 1), amount=Decimal("999"))  # after as_of: not counted
    (budget,) = budgets(as_of=dt.date(2026, 3, 31))
    assert budget.spent == Decimal("3000") and budget.consumption == 0.25
    assert budget.elapsed_days == 90
    assert budget.projected == Decimal("12166.67")  # 3000 / 90 days * 365
    assert budget.outlook == "overrun" and budget.exhaustion_date == dt.date(2026, 12, 27)


@pytest.mark.django_db
def test_funding_list_query_count_does_not_grow_with_lines(client, django_assert_num_queries):
    client.force_login(make_user(Role.COORDINATOR))
    FundingLineFactory()
    client.get(reverse("reporting:funding_list"))  # warm caches (session, user)
    with django_assert_num_queries(5) as one:  # with the second-factor device lookup
        client.get(reverse("reporting:funding_list"))
    for _ in range(49):
        ExpenseFactory(line=FundingLineFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("reporting:funding_list"))
    assert response.content.decode().count("/rapports/financements/") >= 50


@pytest.mark.django_db
def test_coordinator_creates_a_funding_line_with_objectives(client):
    funder = FunderFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.COORDINATOR))
    token = client.get(reverse("reporting:funding_line_create")).cookies["csrftoken"].value
    response = client.post(
        reverse("reporting:funding_line_create"),
        {
            "csrfmiddlewaretoken": token,
            "funder": funder.pk,
            "label": "ACI – permanences",
            "purpose": "permanences",
            "amount_granted": "220000",
            "period_start": "01/01/2025",
            "period_end": "31/12/2026",
            "objectifs-TOTAL_FORMS": "2",
            "objectifs-INITIAL_FORMS": "0",
            "objectifs-MIN_NUM_FORMS": "0",
            "objectifs-MAX_NUM_FORMS": "1000",
            "objectifs-0-indicator": "patients_gp_found",
            "objectifs-0-target": "300",
            "objectifs-0-label": "",
            "objectifs-1-indicator": "",
            "objectifs-1-target": "",
            "objectifs-1-label": "",
        },
    )
    line = FundingLine.objects.get(label="ACI – permanences")
    assert response.status_code == 302
    assert list(line.objectives.values_list("indicator", "target")) == [("patients_gp_found", 300)]


@pytest.mark.django_db
def test_funding_line_with_end_before_start_is_refused_in_french(client):
    client.force_login(make_user(Role.COORDINATOR))
    response = client.post(
        reverse("reporting:funding_line_create"),
        {
            "funder": FunderFactory().pk,
            "label": "X",
            "purpose": "other",
            "amount_granted": "10",
            "period_start": "01/06/2026",
            "period_end": "01/01/2026",
            "objectifs-TOTAL_FORMS": "0",
            "objectifs-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "La fin de la période doit suivre son début." in response.content.decode()
    assert not FundingLine.objects.exists()


@pytest.mark.django_db
def test_permanence_hours_expense_is_hours_times_rate(client):
    line = FundingLineFactory()
    client.force_login(make_user(Role.COORDINATOR))
    response = client.post(
        reverse("reporting:expense_create", args=[line.pk]),
        {
            "date": "31/03/2026",
            "category": "permanence_hours",
            "supplier": "Dr Martin",
            "hours": "12.5",
            "hourly_rate": "50",
            "amount": "",
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount == Decimal("625.00")
    assert AuditLog.objects.filter(action="create", object_type="reporting.Expense").exists()


@pytest.mark.django_db
def test_expense_outside_the_line_period_gets_a_clear_message(client):
    line = FundingLineFactory(period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30))
    client.force_login(make_user(Role.COORDINATOR))
    response = client.post(
        reverse("reporting:expense_create", args=[line.pk]),
        {"date": "15/09/2026", "category": "other", "supplier": "X", "amount": "100"},
    )
    assert response.status_code == 200
    assert "La date doit être comprise dans la période de la ligne" in response.content.decode()
    assert not Expense.objects.exists()


@pytest.mark.django_db
def test_funding_export_is_an_audited_workbook_with_lines_and_expenses(client):
    ExpenseFactory(supplier="Cabinet médical de Froidfond", amount=Decimal("480.00"))
    client.force_login(make_user(Role.COORDINATOR))
    response = client.get(reverse("reporting:funding_export"))
    assert response.status_code == 200
    import io

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Lignes de financement", "Dépenses"]
    rows = list(workbook["Dépenses"].iter_rows(min_row=2, values_only=True))
    assert rows[0][4] == "Cabinet médical de Froidfond" and rows[0][7] == 480.0
    assert AuditLog.objects.filter(action="export", object_type="reporting.FundingLine").exists()


@pytest.mark.django_db
def test_expense_delete_needs_post(client):
    expense = ExpenseFactory()
    client.force_login(make_user(Role.COORDINATOR))
    url = reverse("reporting:expense_delete", args=[expense.line_id, expense.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Expense.objects.exists()
