"""On a 390 px phone no page of the demo scrolls sideways: every navbar page of each role,
plus the pages reached from them that people use on the move (a patient's file, a call,
a premises' week). One browser context; the roles log in one after the other."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.db import transaction

from escorter.management.commands.seed_demo import demo_steps
from patients.models import Call, Patient
from sites.models import Premises
from tests.conftest import WEEKDAY_MORNING, login_in_browser

DEMO_PASSWORD = "Escorter-2026"
PHONE = {"width": 390, "height": 844}
ROLES = ["coordination", "secretariat", "dr.martin", "ars"]
# scrollWidth beyond the viewport, and the widest elements that stick out (for the message)
OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const out = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + String(e.className).trim().replace(/\\s+/g, '.'));
  return `${root.scrollWidth}px > ${root.clientWidth}px (${out.join(', ')})`;
}"""


# Months of call history and the funders' monthly figures (40 s of the demo's 85) only add
# rows to lists every other step already fills: the layout is the same without them.
SKIPPED_STEPS = {("staffing.demo", "seed_calls"), ("reporting.demo", "seed_data")}


def _seed_demo_for_layout() -> None:
    steps = [step for step, _label in demo_steps()]
    assert SKIPPED_STEPS <= {(step.__module__, step.__name__) for step in steps}
    for step in steps:
        if (step.__module__, step.__name__) not in SKIPPED_STEPS:
            with transaction.atomic():
                step(stdout=io.StringIO())


def _navbar_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(href for href in hrefs if not href.startswith("/deconnexion")))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
# a weekday morning: the day pages hold the demo's consultations, the call line this morning's calls
@time_machine.travel(WEEKDAY_MORNING, tick=True)
def test_no_page_of_any_role_scrolls_sideways_on_a_phone(browser, live_server):
    _seed_demo_for_layout()
    extra = {
        "coordination": [
            f"/patients/{Patient.objects.filter(ald=True).order_by('pk').first().pk}/",
            f"/patients/appels/{Call.objects.order_by('-pk').first().pk}/",
            f"/equipe/calendrier/locaux/{Premises.objects.order_by('pk').first().pk}/",
        ],
    }
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.base_url = live_server.url
    overflowing: list[str] = []
    visited = 0
    for username in ROLES:
        context.clear_cookies()
        login_in_browser(page, username, DEMO_PASSWORD)
        page.wait_for_url(lambda url: "/connexion/" not in url)
        for path in _navbar_links(page) + extra.get(username, []):
            response = page.goto(page.base_url + path)
            assert response.status == 200, f"{username} {path}: HTTP {response.status}"
            visited += 1
            if finding := page.evaluate(OVERFLOW):
                overflowing.append(f"{username} {path}: {finding}")
    context.close()
    assert visited > 25
    assert overflowing == []
