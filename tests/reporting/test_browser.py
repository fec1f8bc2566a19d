"""Browser journeys: the funder downloads a report; the coordinator's dashboard draws its charts."""

from __future__ import annotations

import pytest

from escorter.roles import Role
from reporting.models import Funder
from reporting.periods import Month
from reporting.services import reports
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, FunderFactory, make_user
from tests.reporting.factories import FundingLineFactory, make_patient


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_funder_downloads_the_pdf_from_the_portal(page):
    cpam = FunderFactory(name="CPAM de la Vendée", kind=Funder.Kind.CPAM)
    make_patient()
    report = reports.request_monthly_report(audience=cpam, month=Month(2026, 10))
    reports.build_report(report_id=report.pk)
    user = make_user(Role.FUNDER, funder=cpam, username="marc")
    login_in_browser(page, user.username, PASSWORD)
    page.wait_for_url("**/rapports/portail/")
    assert page.get_by_role("heading", name="Portail financeur · CPAM de la Vendée").is_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF").click()
    assert info.value.suggested_filename == "rapport-cpam-de-la-vendee-2026-10-v1.pdf"
    assert not page.js_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_dashboard_draws_its_charts_without_errors(page):
    make_patient(tier="P1")
    FundingLineFactory()
    user = make_user(Role.COORDINATOR, username="claire")
    login_in_browser(page, user.username, PASSWORD)
    page.goto(page.base_url + "/rapports/tableau-de-bord/")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length >= 3")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => Chart.getChart(c) !== undefined)"
    )
    assert drawn
    assert not page.js_errors
