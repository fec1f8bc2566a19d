"""Error pages in French (the 500 page renders without context processors)."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from escorter.middleware import request_id_var


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    return render(request, "400.html", {"reason": str(exception or "")}, status=400)


def server_error(request):
    """Says what really happened: the error is logged under an id; ADMINS are mailed if configured."""
    context = {
        "request_id": getattr(request, "request_id", None) or request_id_var.get(),
        "admins_notified": bool(settings.ADMINS) and not settings.DEBUG,
    }
    return HttpResponseServerError(loader.get_template("500.html").render(context))
