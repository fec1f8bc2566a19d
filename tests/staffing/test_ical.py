"""iCal feeds: the token is the only credential, revocable, built with icalendar, staff names only."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from escorter.roles import Role
from staffing.models import CalendarFeed, Permanence
from staffing.services import feeds
from tests.factories import make_user
from tests.staffing.factories import CalendarFeedFactory, PermanenceFactory, ProfessionalFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_professional_feed_is_a_valid_calendar_without_login(client):
    permanence = PermanenceFactory(professional__first_name="Paul", professional__last_name="Martin")
    PermanenceFactory(
        professional=permanence.professional,
        start=permanence.start + dt.timedelta(days=1),
        end=permanence.end + dt.timedelta(days=1),
        status=Permanence.Status.CANCELLED,
        cancel_reason="Formation",
    )
    feed = CalendarFeedFactory(professional=permanence.professional)
    response = client.get(f"/equipe/ical/professionnels/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    first = events[0]
    assert first["uid"] == f"permanence-{permanence.pk}@escorter"
    assert first.decoded("dtstart") == permanence.start
    assert str(first["summary"]).startswith("Permanence ")
    assert str(events[1]["status"]) == "CANCELLED"
    assert calendar["x-wr-calname"] == "Permanences – Dr Paul Martin"
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_premises_feed_names_the_professionals_and_nobody_else(client):
    room = RoomFactory()
    PermanenceFactory(room=room, professional__first_name="Anne", professional__last_name="Rousseau")
    feed = CalendarFeed.objects.create(premises=room.premises)
    body = client.get(f"/equipe/ical/locaux/{feed.token}.ics").content.decode()
    assert "Dr Anne Rousseau" in body
    assert "patient" not in body.lower()


def test_unknown_or_revoked_token_gets_404(client):
    feed = CalendarFeedFactory()
    feeds.revoke_calendar_feed(feed=feed)
    assert client.get(f"/equipe/ical/professionnels/{feed.token}.ics").status_code == 404
    assert client.get("/equipe/ical/professionnels/invente.ics").status_code == 404


def test_a_professional_token_does_not_open_a_premises_feed(client):
    feed = CalendarFeedFactory()
    assert client.get(f"/equipe/ical/locaux/{feed.token}.ics").status_code == 404


def test_renewing_revokes_the_previous_address():
    professional = ProfessionalFactory()
    user = make_user(Role.COORDINATOR)
    old = feeds.renew_calendar_feed(professional=professional, user=user)
    new = feeds.renew_calendar_feed(professional=professional, user=user)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None and old.token != new.token
    assert len(new.token) >= 40


def test_practitioner_creates_and_revokes_their_own_feed_with_csrf():
    user = make_user(Role.PRACTITIONER)
    professional = ProfessionalFactory(user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = client.get("/equipe/abonnements/").cookies["csrftoken"].value
    response = client.post(
        "/equipe/abonnements/nouveau/", {"csrfmiddlewaretoken": token, "professional": professional.pk}
    )
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(professional=professional)
    page = client.get("/equipe/abonnements/").content.decode()
    assert f"/equipe/ical/professionnels/{feed.token}.ics" in page
    client.post(f"/equipe/abonnements/{feed.pk}/revoquer/", {"csrfmiddlewaretoken": token})
    feed.refresh_from_db()
    assert feed.revoked_at is not None


def test_practitioner_cannot_issue_or_revoke_a_colleagues_feed(client, login_as):
    user = login_as(Role.PRACTITIONER)
    ProfessionalFactory(user=user)
    colleague = ProfessionalFactory()
    assert client.post("/equipe/abonnements/nouveau/", {"professional": colleague.pk}).status_code == 403
    feed = CalendarFeedFactory(professional=colleague)
    assert client.post(f"/equipe/abonnements/{feed.pk}/revoquer/").status_code == 403
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert feed.token not in client.get("/equipe/abonnements/").content.decode()


def test_forged_ids_get_a_french_message_not_a_500(client, login_as):
    login_as(Role.COORDINATOR)
    response = client.post("/equipe/abonnements/nouveau/", {"professional": "abc"}, follow=True)
    assert "Choisissez un professionnel ou un local." in response.content.decode()
    assert client.post("/equipe/abonnements/nouveau/", {"professional": "999999"}).status_code == 404


def test_funder_gets_403_on_the_subscriptions_page(client, login_as):
    login_as(Role.FUNDER)
    assert client.get("/equipe/abonnements/").status_code == 403


def test_feed_only_covers_recent_and_coming_permanences(client):
    professional = ProfessionalFactory()
    old_start = timezone.now() - dt.timedelta(days=400)
    PermanenceFactory(professional=professional, start=old_start, end=old_start + dt.timedelta(hours=4))
    feed = CalendarFeedFactory(professional=professional)
    calendar = icalendar.Calendar.from_ical(client.get(f"/equipe/ical/professionnels/{feed.token}.ics").content)
    assert list(calendar.walk("VEVENT")) == []
