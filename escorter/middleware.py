"""Request ids (logs, 500 page), Permissions-Policy, and no caching of nominative responses."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Nothing the app does needs these browser features; a script injected despite the CSP
# still cannot switch on the camera or read the position.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(self), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


class RequestIdMiddleware:
    """Gives each request a short id, sent back as X-Request-ID and stamped on every log line.

    The id is ours, never the client's: a forged header cannot mix two requests' logs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id()
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; `Cache-Control: no-store` on every page and file
    served by the app (static files are served before this middleware and stay cacheable).

    Every view but the login page and /healthz is behind a login and most show patients or
    their files: a shared computer's browser cache or a proxy must keep none of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        cache_control = response.headers.get("Cache-Control", "")
        if "no-store" not in cache_control:
            response["Cache-Control"] = "no-store, private"
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (a dash outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# PostgreSQL repeats the whole rejected row in constraint errors: names, phone numbers.
_FAILING_ROW = re.compile(r"(Failing row contains|Key \([^)]*\)=)\s*\(.*?\)(?=[\s.]*$)", re.M)


class RedactingFormatter(logging.Formatter):
    """Log lines with the request id; database errors lose the row values they quote."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return _FAILING_ROW.sub(r"\1 (…)", super().format(record))


class ServerErrorMailHandler(logging.Handler):
    """Tells ADMINS that a server error happened: its id, time and path, never its data.

    Django's AdminEmailHandler would mail the request (query string, form fields) and
    local variables: patient data by e-mail. The details stay in the server's log, found
    by the id the user saw on the 500 page.
    """

    def __init__(self):
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        from django.conf import settings
        from django.core.mail import mail_admins

        if settings.DEBUG or not settings.ADMINS:
            return
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None) or request_id_var.get()
        path = getattr(request, "path", "")  # without the query string, which may carry names
        try:
            mail_admins(
                subject=f"Erreur serveur {request_id}",
                message=(
                    f"Une erreur serveur est survenue.\n\nIdentifiant : {request_id}\nChemin : {path}\n\n"
                    "Le détail (trace) est dans le journal du serveur, sous cet identifiant."
                ),
                fail_silently=True,
            )
        except Exception:  # noqa: BLE001 (a broken mail server must not hide the error itself)
            self.handleError(record)
