"""iCal subscriptions: the token-only feeds a phone subscribes to, and the page that issues and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from escorter.roles import CARE_TEAM, Role, has_role, role_required
from sites.models import Premises
from staffing.models import CalendarFeed, Professional
from staffing.selectors import rota as selectors
from staffing.services import feeds as services


def _feed(token: str, **subject) -> CalendarFeed:
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True, **subject)
        .select_related("professional", "premises")
        .first()
    )
    if feed is None:
        raise Http404("Abonnement inconnu ou révoqué.")
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


# The token in the URL is the only credential: calendar apps cannot log in.
@login_not_required
@require_GET
def ical_professional(request, token: str):
    feed = _feed(token, professional__isnull=False)
    return _ics(selectors.ical_document(professional=feed.professional), "permanences.ics")


@login_not_required
@require_GET
def ical_premises(request, token: str):
    feed = _feed(token, premises__isnull=False)
    return _ics(selectors.ical_document(premises=feed.premises), "local.ics")


def _feed_url(request, feed: CalendarFeed) -> str:
    from django.urls import reverse

    name = "staffing:ical_professional" if feed.professional_id else "staffing:ical_premises"
    return request.build_absolute_uri(reverse(name, args=[feed.token]))


@never_cache
@role_required(*CARE_TEAM)
def calendar_links(request):
    """Coordinators manage every subscription; a practitioner only their own."""
    if has_role(request.user, Role.COORDINATOR):
        feeds = CalendarFeed.objects.filter(revoked_at__isnull=True).select_related("professional", "premises")
        professionals, premises = Professional.objects.filter(active=True), Premises.objects.all()
    else:
        own = selectors.professional_of(request.user)
        feeds = CalendarFeed.objects.filter(revoked_at__isnull=True, professional=own).select_related("professional")
        professionals, premises = ([own] if own else []), []
    rows = [{"feed": feed, "url": _feed_url(request, feed)} for feed in feeds]
    return render(
        request,
        "staffing/calendar_links.html",
        {"rows": rows, "professionals": professionals, "premises_list": premises},
    )


def _may_manage(user, *, professional_id=None, premises_id=None) -> bool:
    if has_role(user, Role.COORDINATOR):
        return True
    own = selectors.professional_of(user)
    return own is not None and professional_id is not None and own.pk == professional_id


@require_POST
@role_required(*CARE_TEAM)
def calendar_link_renew(request):
    professional_id = request.POST.get("professional") or None
    premises_id = request.POST.get("premises") or None
    ids = (professional_id, premises_id)
    if not (professional_id or premises_id) or not all(v is None or v.isdigit() for v in ids):
        messages.error(request, "Choisissez un professionnel ou un local.")
        return redirect("staffing:calendar_links")
    professional_id = int(professional_id) if professional_id else None
    premises_id = int(premises_id) if premises_id else None
    if not _may_manage(request.user, professional_id=professional_id, premises_id=premises_id):
        raise PermissionDenied("Vous ne pouvez gérer que votre propre abonnement.")
    if professional_id:
        feed = services.renew_calendar_feed(
            professional=get_object_or_404(Professional, pk=professional_id), user=request.user
        )
    else:
        feed = services.renew_calendar_feed(premises=get_object_or_404(Premises, pk=premises_id), user=request.user)
    messages.success(request, f"Nouvelle adresse d'abonnement créée pour {feed.professional or feed.premises}.")
    return redirect("staffing:calendar_links")


@require_POST
@role_required(*CARE_TEAM)
def calendar_link_revoke(request, pk: int):
    feed = get_object_or_404(CalendarFeed.objects.filter(Q(revoked_at__isnull=True)), pk=pk)
    if not _may_manage(request.user, professional_id=feed.professional_id, premises_id=feed.premises_id):
        raise PermissionDenied("Vous ne pouvez gérer que votre propre abonnement.")
    services.revoke_calendar_feed(feed=feed)
    messages.success(request, "Abonnement révoqué : l'ancienne adresse ne fonctionne plus.")
    return redirect("staffing:calendar_links")
