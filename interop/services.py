"""Writes of the SAS connector: API clients, the publication choice, SAS bookings and cancellations.

Bookings go through staffing's book_consultation, so the same exclusion constraints
decide between a SAS regulator and a secretary booking the same time at the same moment.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from escorter.audit import record_system
from escorter.phones import format_phone
from interop.appointments import Identity, SasRequest
from interop.models import ApiClient, PermanencePublication, PublicationPolicy, SasAppointment, Scope
from interop.selectors import parse_slot_id, published_slot, sas_appointment, slot_id
from patients.models import Patient
from patients.normalise import identity_key
from patients.services import DuplicateNir, create_patient
from sites.models import Commune
from staffing.models import Consultation, ConsultationKind, Permanence
from staffing.services import BookingError, SlotUnavailable, book_consultation, cancel_consultation

SAS_CANCEL_REASON = "Annulée par le SAS"


class NotPublished(SlotUnavailable):
    """The slot is unknown to the SAS: not published, already taken, or past."""


class IdentifierTaken(SlotUnavailable):
    """This client already used the appointment identifier for another slot."""


# --- API clients ---------------------------------------------------------------------------


@transaction.atomic
def create_api_client(*, name: str, scopes: list[str] | None = None, rate_per_minute: int = 120):
    """A new client and its token. The token is returned once and only its hash is stored."""
    name = (name or "").strip()
    scopes = list(scopes if scopes is not None else Scope.values)
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValidationError(f"Droit(s) inconnu(s) : {', '.join(sorted(unknown))}.")
    token = ApiClient.new_token()
    client = ApiClient(name=name, scopes=scopes, rate_per_minute=rate_per_minute)
    client.set_token(token)
    client.full_clean()
    client.save()
    record_system("create", object_type="interop.ApiClient", object_id=client.pk, detail=f"client {name}")
    return client, token


def revoke_api_clients(*, clients, user=None, now: dt.datetime | None = None) -> int:
    count = clients.filter(revoked_at__isnull=True).update(revoked_at=now or timezone.now())
    for client in clients:
        record_system("update", object_type="interop.ApiClient", object_id=client.pk, detail="jeton révoqué", user=user)
    return count


# --- Publication -----------------------------------------------------------------------------


@transaction.atomic
def set_publication(*, share_percent: int, user) -> PublicationPolicy:
    policy, _ = PublicationPolicy.objects.update_or_create(pk=1, defaults={"share_percent": share_percent})
    record_system(
        "update", object_type="interop.PublicationPolicy", object_id=1, detail=f"{share_percent} %", user=user
    )
    return policy


@transaction.atomic
def set_permanence_publication(*, permanence: Permanence, share_percent: int | None, user) -> None:
    """`None` goes back to the default share."""
    if share_percent is None:
        PermanencePublication.objects.filter(permanence=permanence).delete()
    else:
        PermanencePublication.objects.update_or_create(permanence=permanence, defaults={"share_percent": share_percent})
    record_system(
        "update",
        object_type="interop.PermanencePublication",
        object_id=permanence.pk,
        detail="défaut" if share_percent is None else f"{share_percent} %",
        user=user,
    )


# --- Patients ------------------------------------------------------------------------------------


def _commune(identity: Identity) -> Commune | None:
    if not identity.postal_code:
        return None
    communes = list(Commune.objects.filter(current=True, postal_codes__contains=[identity.postal_code])[:20])
    if len(communes) == 1:
        return communes[0]
    from patients.normalise import simplify

    named = [c for c in communes if simplify(c.name) == simplify(identity.city)]
    return named[0] if len(named) == 1 else None


def find_patient(identity: Identity) -> Patient | None:
    """By NIR first, else by name and birth date (the import's identity key, indexed)."""
    live = Patient.objects.filter(anonymised_at__isnull=True)
    if identity.nir:
        found = live.filter(nir=identity.nir).first()
        if found is not None:
            return found
    last, first, birth_date = identity_key(identity.last_name, identity.first_names, identity.birth_date)
    candidates = list(live.filter(identity_name=f"{last} {first}", birth_date=birth_date).order_by("pk")[:5])
    if identity.phone:
        same_phone = [p for p in candidates if identity.phone in (p.phone, p.phone_2)]
        if same_phone:
            return same_phone[0]
    # a known NIR that differs is another person
    candidates = [p for p in candidates if not (identity.nir and p.nir and p.nir != identity.nir)]
    return candidates[0] if candidates else None


def find_or_register_patient(identity: Identity) -> Patient:
    patient = find_patient(identity)
    if patient is not None:
        return patient
    try:
        with transaction.atomic():
            return create_patient(
                user=None,
                allow_unknown_commune=True,
                last_name=identity.last_name,
                first_names=identity.first_names,
                birth_date=identity.birth_date,
                sex=identity.sex,
                nir=identity.nir,
                phone=identity.phone,
                commune=_commune(identity),
                referral_source=Patient.ReferralSource.SAS,
                notes="Inscrit par une prise de rendez-vous du SAS.",
            )
    except DuplicateNir:  # registered by a concurrent booking meanwhile
        return Patient.objects.get(nir=identity.nir)


# --- Bookings ------------------------------------------------------------------------------------


@transaction.atomic
def book_from_sas(*, client: ApiClient, request: SasRequest, now: dt.datetime | None = None):
    """Book the published slot `request.slot_id` for the patient the SAS describes.

    Returns (appointment, created). The same identifier sent again for the same slot
    (a retry after a lost answer) returns the existing appointment. Raises NotPublished
    or SlotUnavailable (409), BookingError or ValidationError (422).
    """
    now = now or timezone.now()
    existing = sas_appointment(client, system=request.identifier_system, value=request.identifier_value)
    if existing is not None:
        consultation = existing.consultation
        if slot_id(consultation.permanence_id, consultation.start) == request.slot_id and consultation.is_active:
            return existing, False
        raise IdentifierTaken("Cet identifiant de rendez-vous est déjà utilisé pour un autre rendez-vous.")
    if parse_slot_id(request.slot_id) is None:
        raise BookingError(f"Créneau inconnu : « Slot/{request.slot_id} ».")
    slot = published_slot(request.slot_id, now=now)
    if slot is None:
        raise NotPublished("Ce créneau n'est plus disponible : il vient d'être pris ou n'est plus proposé au SAS.")
    patient = find_or_register_patient(request.identity)
    if not patient.is_active:
        team_phone = format_phone(settings.ESCORTER_TEAM_PHONE)
        phone = f" au {team_phone}" if team_phone else ""
        raise BookingError(
            f"Ce patient est connu de la CPTS mais son dossier est clos ({patient.get_status_display().lower()}) : "
            f"contactez le secrétariat de la CPTS{phone} pour ce rendez-vous."
        )
    consultation = book_consultation(
        patient=patient,
        permanence=slot.permanence,
        start=slot.start,
        kind=ConsultationKind.SNP,
        user=None,
        now=now,
        source=Consultation.Source.SAS,
    )
    try:
        with transaction.atomic():
            appointment = SasAppointment.objects.create(
                client=client,
                consultation=consultation,
                identifier_system=request.identifier_system,
                identifier_value=request.identifier_value,
                operator_system=request.operator_system,
                operator_value=request.operator_value,
                created_at=now,
            )
    except IntegrityError as exc:  # the same identifier booked concurrently: undo ours
        raise IdentifierTaken("Cet identifiant de rendez-vous est déjà utilisé.") from exc
    record_system(
        "create",
        object_type="interop.SasAppointment",
        object_id=appointment.pk,
        detail=f"client {client.name}, consultation {consultation.pk}",
    )
    return appointment, True


@transaction.atomic
def cancel_from_sas(*, appointment: SasAppointment, now: dt.datetime | None = None) -> SasAppointment:
    """The SAS cancels: the time is freed (and published again). Cancelling twice changes nothing."""
    consultation = appointment.consultation
    if consultation.status != Consultation.Status.CANCELLED:
        try:
            appointment.consultation = cancel_consultation(
                consultation=consultation, reason=SAS_CANCEL_REASON, user=None, now=now
            )
        except BookingError as exc:
            raise BookingError(
                "Ce rendez-vous a déjà eu lieu ou n'est plus modifiable : annulation impossible."
            ) from exc
    return appointment
