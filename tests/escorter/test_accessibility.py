"""axe-core (vendored) on each role's main pages of the demo territory, in a real browser:
any serious or critical WCAG 2.1 A/AA finding, or a heading level skipped, fails the test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from tests.conftest import WEEKDAY_MORNING, login_in_browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "Escorter-2026"
# the pages each role lives in (demo accounts of seed_demo)
PAGES = {
    "coordination": [
        "/",
        "/patients/",
        "/rapports/tableau-de-bord/",
        "/equipe/calendrier/mois/",
        "/equipe/roulement/",
        "/territoire/locaux/",
        "/rapports/financements/",
    ],
    "secretariat": ["/patients/", "/equipe/journee/", "/patients/appels/", "/equipe/planification/"],
    "dr.martin": ["/equipe/ma-journee/", "/equipe/mon-agenda/"],
    "ars": ["/rapports/portail/"],
}
# pages reached by a button rather than a link: (role, page, button) -> the page it opens
# (the call screen, with its free SNP times loaded by htmx)
OPENED_BY = [("secretariat", "/patients/appels/", "Nouvel appel")]
# WCAG A/AA rules failing seriously or critically, and heading order (axe files it under
# best practice, moderate; screen-reader users navigate by headings, so a skipped level fails)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """(wcag) => axe.run(document, {runOnly: {type: 'tag', values: wcag.concat(['best-practice'])}})
  .then(r => r.violations.filter(v => v.id === 'heading-order'
      || ((v.impact === 'serious' || v.impact === 'critical') && v.tags.some(t => wcag.includes(t))))
  .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | ')))"""


def _findings(page, path: str, button: str = "") -> list[str]:
    response = page.goto(page.base_url + path)
    assert response.status == 200, f"{path}: HTTP {response.status}"
    if button:
        page.get_by_role("button", name=re.compile(button)).first.click()
        page.wait_for_url(lambda url: not url.endswith(path))
        path = page.url.removeprefix(page.base_url)
    page.wait_for_load_state("networkidle")
    # the page's own CSP forbids injected scripts: the browser context bypasses it for axe only
    page.add_script_tag(path=str(AXE))
    return [f"{path}: {finding}" for finding in page.evaluate(AXE_RUN, WCAG)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
# a weekday morning: the day pages hold the demo's consultations with their buttons
@time_machine.travel(WEEKDAY_MORNING, tick=True)
def test_each_role_main_pages_have_no_serious_accessibility_finding(browser, live_server):
    call_command("seed_demo", verbosity=0)
    findings: list[str] = []
    headings: list[str] = []
    for username, paths in PAGES.items():
        context = browser.new_context(
            locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1366, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.base_url = live_server.url
        login_in_browser(page, username, DEMO_PASSWORD)
        page.wait_for_url(lambda url: "/connexion/" not in url)
        opened = [(path, button) for role, path, button in OPENED_BY if role == username]
        for path, button in [(path, "") for path in paths] + opened:
            findings += _findings(page, path, button)
            if page.locator("h1").count() != 1:
                headings.append(f"{username} {page.url}: {page.locator('h1').count()} <h1>")
        context.close()
    assert findings == []
    assert headings == []
