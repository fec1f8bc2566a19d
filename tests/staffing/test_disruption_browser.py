"""A coordinator cancels a permanence with bookings, seeing each patient's fate first; a secretary
then works the "à rappeler" queue — in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest

from escorter.roles import Role
from staffing.models import CallBack, Consultation, Permanence
from staffing.services import book_consultation
from tests.conftest import login_in_browser
from tests.factories import PASSWORD, make_user
from tests.staffing.booking_helpers import patient, permanence


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_coordinator_cancels_a_booked_permanence_and_a_secretary_calls_back_the_patient_left(page, browser):
    lost = permanence(days=4)
    later = permanence(days=6, professional=lost.professional)
    later.end = later.start + dt.timedelta(minutes=20)  # room for one patient only
    later.save()
    fragile = patient(last_name="Guilbaud", first_names="Jeanne", ald=True, birth_date=dt.date(1936, 3, 2))
    other = patient(last_name="Moreau", first_names="Louis", phone="0611223344")
    for minutes, who in ((0, fragile), (20, other)):
        book_consultation(
            patient=who,
            permanence=lost,
            start=lost.start + dt.timedelta(minutes=minutes),
            kind="first_visit",
            user=None,
        )
    make_user(Role.COORDINATOR, username="claire")
    make_user(Role.SECRETARY, username="sophie")

    login_in_browser(page, "claire", PASSWORD)
    page.goto(f"{page.base_url}/equipe/permanences/{lost.pk}/")
    page.get_by_role("link", name="Annuler cette permanence").click()
    affected = page.get_by_role("region", name="Patients concernés")
    affected.get_by_text("GUILBAUD Jeanne").wait_for()
    rows = affected.locator("[data-move]")
    assert rows.count() == 2
    assert "Nouvelle proposition le" in rows.filter(has_text="GUILBAUD").inner_text()  # the most fragile moves
    assert "À rappeler par le secrétariat" in rows.filter(has_text="MOREAU Louis").inner_text()
    assert Permanence.objects.get(pk=lost.pk).status == Permanence.Status.PLANNED  # nothing done yet
    page.get_by_label("Motif de l'annulation").fill("Médecin malade")
    page.get_by_role("button", name="Confirmer l'annulation").click()
    page.get_by_text("ajouté(s) en tête de la liste « À rappeler »").wait_for()
    page.get_by_role("region", name="Patients déplacés").get_by_text("MOREAU Louis").wait_for()
    assert Permanence.objects.get(pk=lost.pk).status == Permanence.Status.CANCELLED
    assert Consultation.objects.get(patient=fragile, status="proposed").permanence == later
    assert page.js_errors == []

    secretary = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 390, "height": 844})
    phone = secretary.new_page()
    phone.base_url = page.base_url
    login_in_browser(phone, "sophie", PASSWORD)
    phone.goto(f"{phone.base_url}/equipe/a-rappeler/")
    line = phone.locator("[data-call-back]").filter(has_text="MOREAU Louis")
    assert "Médecin malade" in line.inner_text() and "0611223344" in line.inner_text()
    line.get_by_label("Suite donnée").fill("Rappelé : préfère attendre le retour du Dr")
    line.get_by_role("button", name="Traité").click()
    phone.get_by_text("Personne à rappeler.").wait_for()
    assert CallBack.objects.get(patient=other).outcome_note == "Rappelé : préfère attendre le retour du Dr"
    secretary.close()
