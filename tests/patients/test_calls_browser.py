"""A secretary takes a call on the unscheduled-care line and books a same-day slot, in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escorter.roles import Role
from patients.models import Call, CallOutcome
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, CommuneFactory, make_user
from tests.patients.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _snp_permanence_soon():
    from staffing.models import ConsultationKind
    from tests.staffing.factories import PermanenceFactory, PremisesFactory, RoomFactory

    now = timezone.localtime()
    start = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=60 - now.minute % 20)
    premises = PremisesFactory(name="Cabinet municipal de Beauvoir-sur-Mer", commune=CommuneFactory(name="Beauvoir"))
    return PermanenceFactory(
        room=RoomFactory(premises=premises),
        start=start,
        end=start + dt.timedelta(hours=2),
        kinds=[ConsultationKind.SNP],
    )


def test_secretary_logs_a_call_and_books_a_same_day_slot(page):
    make_user(Role.SECRETARY, username="sophie", first_name="Sophie")
    patient = PatientFactory(last_name="Guilbaud", first_names="Yvette", commune=CommuneFactory(name="Bouin"))
    permanence = _snp_permanence_soon()

    login_in_browser(page, "sophie", PASSWORD)
    page.goto(page.base_url + "/patients/appels/")
    page.get_by_role("button", name="Nouvel appel").click()
    page.get_by_role("heading", name="Appel en cours").wait_for()
    call = Call.objects.get()  # saved the moment it was opened

    page.keyboard.type("guilb")  # the search box has the focus
    page.get_by_role("option", name="GUILBAUD Yvette").click()
    page.get_by_role("link", name="GUILBAUD Yvette").wait_for()
    page.keyboard.press("Alt+KeyM")
    page.keyboard.type("Fièvre à 39 et toux depuis hier")
    page.get_by_label("Catégorie de motif").select_option("fever")
    page.get_by_text("Enregistré à").wait_for()

    first_time = timezone.localtime(permanence.start).strftime("%H:%M")
    page.locator("#snp-slots").get_by_role("button", name=first_time).click()
    page.locator("#booked-consultation").wait_for()

    call.refresh_from_db()
    assert call.patient == patient
    assert call.reason == "Fièvre à 39 et toux depuis hier"
    assert call.outcome in (CallOutcome.SAME_DAY, CallOutcome.WITHIN_48H)
    consultation = call.consultations.get()
    assert consultation.start == permanence.start
    assert consultation.patient == patient
    # the screen mirrors the outcome the booking chose, so a later autosave cannot erase it
    # (set by the HX-Trigger event that follows the swap: wait for it rather than race it)
    expect(page.locator(f"input[name='outcome'][value='{call.outcome}']")).to_be_checked()
    page.get_by_role("button", name="Enregistrer et clore").click()
    page.get_by_text("enregistré").first.wait_for()
    call.refresh_from_db()
    assert call.outcome in (CallOutcome.SAME_DAY, CallOutcome.WITHIN_48H)
    assert page.js_errors == []


def test_vital_emergency_shows_the_red_banner_at_once(page):
    make_user(Role.SECRETARY, username="sophie", first_name="Sophie")
    login_in_browser(page, "sophie", PASSWORD)
    page.goto(page.base_url + "/patients/appels/")
    page.keyboard.press("Alt+KeyN")
    page.get_by_role("heading", name="Appel en cours").wait_for()
    banner = page.locator("#vital-banner")
    assert not banner.is_visible()
    page.keyboard.press("Alt+KeyU")
    banner.wait_for(state="visible")
    assert "Appelez le 15 (SAMU)" in banner.inner_text()
    box = banner.bounding_box()
    assert box["y"] < 200 and box["width"] > 800  # at the top, across the page
    from tests.conftest import wait_until

    wait_until(lambda: Call.objects.filter(outcome=CallOutcome.VITAL_EMERGENCY).exists(), message="vital saved")
    page.reload()
    page.locator("#vital-banner").wait_for(state="visible")
    assert page.js_errors == []


def test_a_booking_whose_answer_the_page_missed_still_ticks_its_outcome(page):
    """A reload of the slots can detach the clicked time's button; htmx then drops the booking's
    answer and its event. The confirmation the reload shows carries the saved outcome instead."""
    from staffing.services.calls import book_from_call

    secretary = make_user(Role.SECRETARY, username="sophie", first_name="Sophie")
    patient = PatientFactory(last_name="Guilbaud", first_names="Yvette", commune=CommuneFactory(name="Bouin"))
    permanence = _snp_permanence_soon()
    login_in_browser(page, "sophie", PASSWORD)
    page.goto(page.base_url + "/patients/appels/")
    page.get_by_role("button", name="Nouvel appel").click()
    page.get_by_role("heading", name="Appel en cours").wait_for()
    page.keyboard.type("guilb")
    page.get_by_role("option", name="GUILBAUD Yvette").click()
    page.get_by_role("link", name="GUILBAUD Yvette").wait_for()
    page.locator("#snp-slots").get_by_role(
        "button", name=timezone.localtime(permanence.start).strftime("%H:%M")
    ).wait_for()

    call = Call.objects.get(patient=patient)
    book_from_call(
        call=call, permanence=permanence, start=permanence.start, user=secretary
    )  # the lost answer's booking
    call.refresh_from_db()
    assert not page.locator("input[name='outcome']:checked").count()
    page.evaluate("document.body.dispatchEvent(new Event('call-changed'))")  # the slots reload lands
    page.locator("#booked-consultation").wait_for()
    expect(page.locator(f"input[name='outcome'][value='{call.outcome}']")).to_be_checked()
    assert page.js_errors == []
