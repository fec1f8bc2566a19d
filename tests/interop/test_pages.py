"""The coordinator chooses what the SAS sees; secretaries see SAS bookings marked "SAS"."""

from __future__ import annotations

import pytest
from django.utils import timezone

from escorter.roles import Role
from interop.models import PermanencePublication, PublicationPolicy
from staffing.models import Consultation, ConsultationKind
from staffing.services import book_consultation
from tests.interop.conftest import snp_permanence
from tests.staffing.booking_helpers import patient

pytestmark = pytest.mark.django_db


def test_coordinator_sets_the_default_share_and_one_permanence_s_share(client, login_as):
    perm = snp_permanence(days=1, hours=2)
    login_as(Role.COORDINATOR)
    page = client.get("/sas/publication/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Publication au SAS" in body and "/fhir/" in body
    assert client.post("/sas/publication/", {"share_percent": "50"}).status_code == 302
    assert PublicationPolicy.objects.get().share_percent == 50
    row = client.get("/sas/publication/").context["rows"][0]
    assert (row.times, row.published, row.published_free) == (6, 3, 3)
    client.post(f"/sas/publication/permanences/{perm.pk}/", {"share_percent": "0"})
    assert PermanencePublication.objects.get(permanence=perm).share_percent == 0
    client.post(f"/sas/publication/permanences/{perm.pk}/", {"share_percent": ""})
    assert not PermanencePublication.objects.exists()


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.PRACTITIONER, Role.FUNDER])
def test_only_the_coordinator_reaches_the_publication_page(client, login_as, role):
    login_as(role)
    assert client.get("/sas/publication/").status_code == 403
    assert client.post("/sas/publication/", {"share_percent": "0"}).status_code == 403
    assert not PublicationPolicy.objects.exists()


def _sas_booking(*, days=1, hour=9):
    perm = snp_permanence(days=days, hour=hour)
    who = patient(last_name="Regulé")
    return book_consultation(
        patient=who,
        permanence=perm,
        start=perm.start,
        kind=ConsultationKind.SNP,
        user=None,
        source=Consultation.Source.SAS,
    )


def test_call_line_lists_sas_bookings_marked_sas(client, login_as):
    consultation = _sas_booking(days=1, hour=9)
    book_consultation(  # a team booking is not listed
        patient=patient(last_name="Equipe"),
        permanence=consultation.permanence,
        start=consultation.end,
        kind=ConsultationKind.SNP,
        user=None,
    )
    login_as(Role.SECRETARY)
    assert "/equipe/appels/sas/" in client.get("/patients/appels/").content.decode()
    fragment = client.get("/equipe/appels/sas/").content.decode()
    assert consultation.patient.full_name in fragment and ">SAS</span>" in fragment
    assert "EQUIPE" not in fragment.upper()


def test_day_page_marks_sas_bookings(client, login_as):
    consultation = _sas_booking(days=1, hour=9)
    login_as(Role.SECRETARY)
    day = timezone.localdate(consultation.start)
    body = client.get(f"/equipe/journee/?date={day:%Y-%m-%d}").content.decode()
    assert consultation.patient.full_name in body and "text-bg-sas" in body
