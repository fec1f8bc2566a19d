"""A request body size limit for the whole app: a body announced bigger than MAX_REQUEST_BYTES is
refused (413) before anything reads it, whatever the view. Django reads no body without a
Content-Length (a chunked body arrives empty), so the announced length is the one to check."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Longueur de requête invalide.", status=400, content_type="text/plain; charset=utf-8")
        limit = settings.MAX_REQUEST_BYTES
        if length > limit:
            return HttpResponse(
                f"Requête trop volumineuse : {length // (1024 * 1024)} Mo ({limit // (1024 * 1024)} Mo au plus). "
                "Pour une très grande liste, utilisez la commande import_patients.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
