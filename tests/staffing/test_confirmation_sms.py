"""The secretary's confirmation SMS: only with the patient's consent, and every sending kept as a Reminder."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escorter.roles import Role
from staffing.models import Reminder
from tests.staffing.booking_helpers import patient, permanence
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db


def test_sms_confirmation_needs_consent(client, login_as, settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    refused = ConsultationFactory(permanence=permanence(), patient=patient(sms_consent=False))
    accepted = ConsultationFactory(permanence=permanence(days=8), patient=patient(sms_consent=True))
    login_as(Role.SECRETARY)
    assert client.post(reverse("staffing:consultation_send_sms", args=[refused.pk])).status_code == 403
    client.post(reverse("staffing:consultation_send_sms", args=[accepted.pk]))
    assert accepted.patient.phone in settings.SMS_FILE_PATH.read_text()
    sent = Reminder.objects.get()
    assert (sent.consultation, sent.purpose, sent.status) == (accepted, Reminder.Purpose.CONFIRMATION, "sent")
    assert sent.recipient == accepted.patient.phone and sent.sent_at is not None


def test_each_sms_confirmation_is_recorded_even_when_it_fails(client, login_as, settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.log"
    accepted = ConsultationFactory(permanence=permanence(), patient=patient(sms_consent=True))
    login_as(Role.SECRETARY)
    client.post(reverse("staffing:consultation_send_sms", args=[accepted.pk]))
    settings.SMS_BACKEND, settings.SMS_HTTP_URL = "escorter.sms.HttpSmsBackend", ""  # no provider configured
    response = client.post(reverse("staffing:consultation_send_sms", args=[accepted.pk]), follow=True)
    assert "SMS_HTTP_URL" in response.content.decode()
    statuses = list(Reminder.objects.filter(consultation=accepted).order_by("pk").values_list("status", "error"))
    assert statuses == [("sent", ""), ("failed", "SMS_HTTP_URL n'est pas configuré.")]


def test_an_sms_log_that_cannot_be_written_is_a_failed_sending_not_a_500(client, login_as, settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path  # a folder: writing the SMS raises OSError
    accepted = ConsultationFactory(permanence=permanence(), patient=patient(sms_consent=True))
    login_as(Role.SECRETARY)
    response = client.post(reverse("staffing:consultation_send_sms", args=[accepted.pk]), follow=True)
    assert response.status_code == 200
    assert Reminder.objects.get(consultation=accepted).status == "failed"
