"""The FHIR API for the SAS (/fhir/) — thin: parse, call one selector or service, answer.

Search parameters follow the guide's flux 3A (Slot search, CPTS case); creation and
cancellation its appointment page (create, then conditional update by identifier).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from escorter.models import AuditLog
from interop import fhir
from interop.api import FhirError, fhir_endpoint, public_fhir_endpoint, read_json
from interop.appointments import parse_booking, parse_update
from interop.models import Scope
from interop.selectors import MAX_SEARCH_DAYS, published_slots, sas_appointment, sas_appointment_by_pk
from interop.services import book_from_sas, cancel_from_sas
from staffing.services import BookingError, SlotUnavailable

MAX_PRACTITIONERS = 25


def _base(request) -> str:
    return request.build_absolute_uri(reverse("fhir_metadata")).removesuffix("metadata")


@public_fhir_endpoint(methods=("GET",))
def metadata(request):
    return fhir.capability_statement(base=_base(request)), 200


@public_fhir_endpoint(methods=("GET", "POST", "PUT", "DELETE", "PATCH"))
def unknown(request, rest):
    raise FhirError(404, f"Ressource ou opération inconnue : /fhir/{rest}", code="not-found")


# --- Slot search -------------------------------------------------------------------------------


def _when(raw: str, *, end_of_day: bool) -> dt.datetime:
    # an unencoded "+02:00" arrives as " 02:00"
    value = raw.strip().replace(" ", "+")
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
        else:
            moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise FhirError(
            400, f"Date invalide dans le paramètre start : « {raw} » (AAAA-MM-JJ ou date-heure ISO 8601).", code="value"
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _period(request) -> tuple[dt.datetime, dt.datetime]:
    bounds: dict[str, dt.datetime] = {}
    for raw in request.GET.getlist("start"):
        prefix, value = raw[:2], raw[2:]
        if prefix not in ("ge", "gt", "le", "lt") or prefix[0] in {k[0] for k in bounds}:
            raise FhirError(
                400, f"Paramètre start invalide : « {raw} » (attendus : start=ge… et start=le…).", code="value"
            )
        bounds[prefix] = _when(value, end_of_day=prefix[0] == "l")
    low = bounds.get("ge") or bounds.get("gt")
    high = bounds.get("le") or bounds.get("lt")
    if low is None or high is None:
        raise FhirError(400, "Les paramètres start=ge… (début) et start=le… (fin) sont obligatoires.", code="required")
    if high < low:
        raise FhirError(400, "La fin de la période (start=le…) précède son début (start=ge…).", code="value")
    if high - low > dt.timedelta(days=MAX_SEARCH_DAYS):
        raise FhirError(400, f"Période de recherche trop longue : {MAX_SEARCH_DAYS} jours au plus.", code="too-costly")
    return low, high


def _practitioners(request) -> set[str] | None:
    values = request.GET.getlist("schedule.actor:Practitioner.identifier")
    if not values:
        return None
    tokens = [t.strip() for value in values for t in value.split(",") if t.strip()]
    if len(tokens) > MAX_PRACTITIONERS:
        raise FhirError(
            400, f"{MAX_PRACTITIONERS} identifiants de praticiens au plus par recherche.", code="too-costly"
        )
    rpps = set()
    for token in tokens:
        system, _, value = token.rpartition("|")
        if system and system != fhir.SYSTEM_RPPS:
            raise FhirError(
                400,
                f"Système d'identifiant non pris en charge : « {system} » (attendu : {fhir.SYSTEM_RPPS}).",
                code="not-supported",
            )
        if value.startswith("8") and len(value) == 12 and value.isdigit():
            rpps.add(value[1:])  # RPPS with its national prefix 8; ADELI (0) professionals hold no SNP time here
    return rpps


@fhir_endpoint(methods=("GET",), scope=Scope.SLOT_READ, object_type="fhir.Slot")
def slot_search(request, client):
    low, high = _period(request)
    status = request.GET.get("status")
    if status != "free":
        raise FhirError(
            400, "Le paramètre status=free est obligatoire (seuls les créneaux libres sont publiés).", code="required"
        )
    slots = published_slots(start=low, end=high, rpps=_practitioners(request))
    includes = set(request.GET.getlist("_include")) | set(request.GET.getlist("_include:iterate"))
    bundle = fhir.slot_bundle(
        slots,
        base=_base(request),
        self_url=request.build_absolute_uri(),
        booking_url=request.build_absolute_uri(reverse("patients:call_list")),
        includes=includes,
    )
    return bundle, 200, {}, f"{len(slots)} créneaux"


# --- Appointments -------------------------------------------------------------------------------


def _location(request, appointment) -> dict:
    return {"Location": f"{_base(request)}Appointment/{appointment.pk}"}


def _booking_error(exc: Exception) -> FhirError:
    if isinstance(exc, SlotUnavailable):
        return FhirError(409, str(exc), code="conflict")
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return FhirError(422, " ".join(messages), code="business-rule")


@fhir_endpoint(
    methods=("POST", "PUT"),
    scope=Scope.APPOINTMENT_WRITE,
    object_type="fhir.Appointment",
    action=AuditLog.Action.CREATE,
)
def appointments(request, client):
    """POST: create. PUT ?identifier=[system|]value: conditional update (the SAS cancels this way)."""
    data = read_json(request)
    if request.method == "PUT":
        return _update(request, client, data, request.GET.get("identifier") or request.GET.get("Identifier"))
    booking = parse_booking(data)
    try:
        appointment, created = book_from_sas(client=client, request=booking)
    except (SlotUnavailable, BookingError, ValidationError) as exc:
        raise _booking_error(exc)
    return (
        fhir.appointment_resource(appointment),
        201 if created else 200,
        _location(request, appointment),
        appointment.pk,
    )


def _update(request, client, data: dict, identifier: str | None):
    update = parse_update(data)
    if identifier:
        system, _, value = identifier.rpartition("|")
        if value != update.identifier_value or (system and system != update.identifier_system):
            raise FhirError(400, "L'identifiant de l'URL et celui de la ressource diffèrent.", code="value")
    appointment = sas_appointment(client, system=update.identifier_system, value=update.identifier_value)
    if appointment is None:
        raise FhirError(404, "Aucun rendez-vous ne porte cet identifiant pour ce client.", code="not-found")
    return _apply_status(request, appointment, update.status)


def _apply_status(request, appointment, status: str):
    if status == "cancelled":
        try:
            appointment = cancel_from_sas(appointment=appointment)
        except (BookingError, ValidationError) as exc:
            raise _booking_error(exc)
    elif status != fhir.appointment_resource(appointment)["status"]:
        raise FhirError(
            422,
            f"Seule l'annulation (status = cancelled) est possible par mise à jour (reçu : « {status} »).",
            code="business-rule",
        )
    return fhir.appointment_resource(appointment), 200, _location(request, appointment), appointment.pk


@fhir_endpoint(
    methods=("GET", "PUT"), scope=Scope.APPOINTMENT_WRITE, object_type="fhir.Appointment", action=AuditLog.Action.VIEW
)
def appointment_detail(request, client, pk):
    appointment = sas_appointment_by_pk(client, pk)
    if appointment is None:
        raise FhirError(404, "Rendez-vous introuvable.", code="not-found")
    if request.method == "PUT":
        update = parse_update(read_json(request))
        if (update.identifier_system, update.identifier_value) != (
            appointment.identifier_system,
            appointment.identifier_value,
        ):
            raise FhirError(400, "L'identifiant de la ressource ne correspond pas à ce rendez-vous.", code="value")
        return _apply_status(request, appointment, update.status)
    return fhir.appointment_resource(appointment), 200, {}, appointment.pk
