"""The /fhir/ endpoints' common machinery: bearer tokens, scopes, rate limit, audit, FHIR errors.

These views are for machines: no session, no login page, no CSRF (the bearer token is
the credential and is never sent by a browser on its own). A logged-in user's session
gives nothing here, so a funder's browser reaches no slot nor appointment.
"""

from __future__ import annotations

import json
import logging
import time
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from escorter.audit import client_ip
from escorter.models import AuditLog
from interop.fhir import CONTENT_TYPE, operation_outcome
from interop.models import ApiClient, hash_token

logger = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 60


class FhirError(Exception):
    """Raised by a view to answer with an OperationOutcome and an HTTP status."""

    def __init__(self, status: int, message: str, *, code: str = "processing", details=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.details = details or []
        self.headers = headers or {}


def fhir_response(resource: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(resource, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    response["Cache-Control"] = "no-store"
    return response


def error_response(error: FhirError) -> HttpResponse:
    return fhir_response(
        operation_outcome(error.message, code=error.code, details=error.details), error.status, error.headers
    )


def authenticate(request) -> ApiClient:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    unauthorized = {"WWW-Authenticate": 'Bearer realm="escorter-fhir"'}
    if scheme.lower() != "bearer" or not token:
        raise FhirError(
            401,
            "Authentification requise : jeton d'accès absent (Authorization: Bearer …).",
            code="login",
            headers=unauthorized,
        )
    client = ApiClient.objects.filter(token_hash=hash_token(token)).first()
    if client is None or client.is_revoked:
        logger.warning("FHIR call with an unknown or revoked token from %s", client_ip(request))
        raise FhirError(401, "Jeton d'accès inconnu ou révoqué.", code="login", headers=unauthorized)
    return client


def check_rate(client: ApiClient, *, now: float | None = None) -> None:
    """Fixed window per client and minute, counted in the shared cache (Redis in production)."""
    window = int((now if now is not None else time.time()) // RATE_WINDOW_SECONDS)
    key = f"interop:rate:{client.pk}:{window}"
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS + 5)
        count = 1
    if count > client.rate_per_minute:
        retry = RATE_WINDOW_SECONDS - int(time.time()) % RATE_WINDOW_SECONDS
        raise FhirError(
            429,
            f"Trop d'appels : {client.rate_per_minute} par minute au plus pour ce client. Réessayez dans {retry} s.",
            code="throttled",
            headers={"Retry-After": str(retry)},
        )


def audit(request, client: ApiClient, *, action: str, object_type: str, object_id="", status: int) -> None:
    query = request.META.get("QUERY_STRING", "")
    AuditLog.objects.create(
        username=f"API {client.name}"[:150],
        role="api",
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        detail=f"{request.method} {request.path}{'?' + query if query else ''} → {status}"[:2000],
        ip=client_ip(request),
    )


def _check_method(request, methods: tuple[str, ...]) -> None:
    if request.method not in methods:
        raise FhirError(
            405,
            f"Méthode {request.method} non prise en charge ici (admises : {', '.join(methods)}).",
            code="not-supported",
            headers={"Allow": ", ".join(methods)},
        )


def _internal_error(request) -> FhirError:
    logger.exception("FHIR %s %s failed", request.method, request.path)
    return FhirError(500, "Erreur interne du serveur : l'équipe technique est prévenue.", code="exception")


def fhir_endpoint(*, methods: tuple[str, ...], scope: str | None, object_type: str, action: str = AuditLog.Action.VIEW):
    """Decorate a view taking (request, client, ...) and returning (resource, status, headers, object_id).

    Checks method, token, scope and rate before the view; turns FhirError (and anything
    unexpected) into an OperationOutcome; writes one audit entry per authenticated call.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                client = authenticate(request)
            except FhirError as error:
                return error_response(error)
            object_id = ""
            try:
                _check_method(request, methods)
                if scope is not None and not client.has_scope(scope):
                    raise FhirError(
                        403, f"Ce client n'a pas le droit « {scope} » nécessaire à cet appel.", code="forbidden"
                    )
                check_rate(client)
                resource, status, headers, object_id = view(request, client, *args, **kwargs)
                response = fhir_response(resource, status, headers)
            except FhirError as error:
                response = error_response(error)
            except Exception:
                response = error_response(_internal_error(request))
            audit(
                request,
                client,
                action=AuditLog.Action.UPDATE if request.method == "PUT" else action,
                object_type=object_type,
                object_id=object_id,
                status=response.status_code,
            )
            return response

        return csrf_exempt(login_not_required(wrapped))

    return decorator


def public_fhir_endpoint(*, methods: tuple[str, ...]):
    """The capability statement and unknown paths: public as in every FHIR server (no data)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                _check_method(request, methods)
                return fhir_response(*view(request, *args, **kwargs))
            except FhirError as error:
                return error_response(error)

        return csrf_exempt(login_not_required(wrapped))

    return decorator


def read_json(request) -> dict:
    """The request body as a JSON object, or a 400 OperationOutcome."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > 64 * 1024:
        raise FhirError(413, "Ressource trop volumineuse (64 Ko au plus).", code="too-costly")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FhirError(400, f"Corps de requête illisible : JSON attendu ({exc.__class__.__name__}).", code="structure")
    if not isinstance(data, dict):
        raise FhirError(
            400, "Corps de requête invalide : une ressource FHIR (objet JSON) est attendue.", code="structure"
        )
    return data
