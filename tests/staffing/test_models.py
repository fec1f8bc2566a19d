"""Rota invariants held by PostgreSQL, not only by forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from staffing.models import Permanence, Profession, Professional
from tests.staffing.factories import PermanenceFactory, ProfessionalFactory, RoomFactory, valid_rpps

pytestmark = pytest.mark.django_db


def test_factory_rpps_numbers_have_a_valid_luhn_key():
    ProfessionalFactory(rpps=valid_rpps(42)).full_clean()


def test_rpps_with_a_wrong_key_is_refused_with_a_french_message():
    rpps = valid_rpps(7)
    wrong = rpps[:-1] + str((int(rpps[-1]) + 1) % 10)
    professional = ProfessionalFactory.build(rpps=wrong, commune=None)
    with pytest.raises(ValidationError) as excinfo:
        professional.full_clean()
    assert "clé invalide" in str(excinfo.value)


def test_rpps_must_have_eleven_digits():
    with pytest.raises(ValidationError, match="11 chiffres"):
        ProfessionalFactory.build(rpps="1234", commune=None).full_clean()


def test_database_refuses_a_gp_without_rpps():
    with pytest.raises(IntegrityError):
        Professional.objects.create(first_name="A", last_name="B", profession=Profession.GP, rpps="")


def test_a_secretary_needs_no_rpps():
    ProfessionalFactory(profession=Profession.SECRETARY, rpps="").full_clean()


def test_database_refuses_overlapping_permanences_of_one_professional():
    first = PermanenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PermanenceFactory(professional=first.professional, start=first.start + dt.timedelta(hours=1))


def test_database_refuses_two_permanences_in_one_room_at_once():
    first = PermanenceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PermanenceFactory(room=first.room, start=first.start + dt.timedelta(hours=3))


def test_back_to_back_permanences_are_allowed_half_open_ranges():
    first = PermanenceFactory()
    PermanenceFactory(professional=first.professional, room=first.room, start=first.end)


def test_a_cancelled_permanence_frees_the_slot():
    first = PermanenceFactory()
    Permanence.objects.filter(pk=first.pk).update(status=Permanence.Status.CANCELLED, cancel_reason="Grève")
    PermanenceFactory(professional=first.professional, room=first.room, start=first.start)
    assert Permanence.objects.active().count() == 1


def test_start_must_precede_end():
    with pytest.raises(IntegrityError), transaction.atomic():
        permanence = PermanenceFactory.build(room=RoomFactory(), professional=ProfessionalFactory())
        permanence.end = permanence.start
        permanence.premises = permanence.room.premises
        permanence.save()
