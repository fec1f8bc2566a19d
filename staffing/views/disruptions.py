"""Pages of the disruption path: see who is affected, confirm, then work the "à rappeler" queue.

Every page that takes time away shows the preview first (`disruptions.preview`: the same
solver, nothing written) and acts only on an explicit confirmation.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from escorter.audit import record
from escorter.roles import STAFF, Role, role_required
from sites.forms import ClosureForm
from sites.models import Premises
from staffing.access import call_back_for_user, permanence_for_user
from staffing.forms.rota import AbsenceForm, CallBackDoneForm, CancelPermanenceForm, ShortenPermanenceForm
from staffing.models import Professional
from staffing.selectors import disruptions as selectors
from staffing.selectors.calendars import paris_datetime
from staffing.services import disruptions, rota

CONFIRM = "confirm"


def _two_step(request, form, *, plan, act, context: dict, done_url: str, preview_at_once: bool = False):
    """GET/POST "preview": the form and, once valid, who is affected. POST "confirm": act, then go on."""
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == CONFIRM:
            try:
                result = act(form)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"C'est fait. {result.summary}")
                if result.queued:
                    messages.warning(
                        request, f"{len(result.queued)} patient(s) ajouté(s) en tête de la liste « À rappeler »."
                    )
                return redirect(done_url)
        else:
            preview = disruptions.preview(plan(form))
    elif preview_at_once:
        preview = disruptions.preview(plan(form))
    return render(
        request, "staffing/disruptions/confirm.html", {"form": form, "preview": preview, "confirm": CONFIRM, **context}
    )


@role_required(*STAFF)
def permanence_cancel(request, pk: int):
    permanence = permanence_for_user(request.user, pk)
    form = CancelPermanenceForm(request.POST or None)
    return _two_step(
        request,
        form,
        plan=lambda f: disruptions.for_permanence(permanence, "…"),
        act=lambda f: rota.cancel_permanence(permanence=permanence, reason=f.cleaned_data["reason"], user=request.user),
        context={
            "title": "Annuler la permanence",
            "subject": rota.describe(permanence),
            "back_url": reverse("staffing:permanence_detail", args=[pk]),
            "confirm_label": "Confirmer l'annulation",
            "inactive": "" if permanence.is_active else "Cette permanence est déjà annulée.",
        },
        done_url=reverse("staffing:permanence_detail", args=[pk]),
        preview_at_once=permanence.is_active,
    )


@role_required(Role.COORDINATOR)
def permanence_shorten(request, pk: int):
    permanence = permanence_for_user(request.user, pk)
    start, end = timezone.localtime(permanence.start), timezone.localtime(permanence.end)
    form = ShortenPermanenceForm(request.POST or None, initial={"start_time": start.time(), "end_time": end.time()})

    def bounds(f):
        day = start.date()
        return paris_datetime(day, f.cleaned_data["start_time"]), paris_datetime(day, f.cleaned_data["end_time"])

    def act(f):
        new_start, new_end = bounds(f)
        return disruptions.shorten_permanence(
            permanence=permanence, start=new_start, end=new_end, reason=f.cleaned_data["reason"], user=request.user
        )

    return _two_step(
        request,
        form,
        plan=lambda f: disruptions.for_shortening(permanence, start=bounds(f)[0], end=bounds(f)[1], reason="…"),
        act=act,
        context={
            "title": "Raccourcir la permanence",
            "subject": rota.describe(permanence),
            "back_url": reverse("staffing:permanence_detail", args=[pk]),
            "confirm_label": "Confirmer les nouveaux horaires",
            "inactive": "" if permanence.is_active else "Cette permanence est annulée.",
        },
        done_url=reverse("staffing:permanence_detail", args=[pk]),
    )


@role_required(Role.COORDINATOR)
def absence_create(request):
    form = AbsenceForm(request.POST or None)

    def plan(f):
        return disruptions.for_absence(f.save(commit=False), now=timezone.now())

    return _two_step(
        request,
        form,
        plan=plan,
        act=lambda f: rota.record_absence(absence=f.save(commit=False), user=request.user),
        context={
            "title": "Déclarer une absence",
            "subject": "Les permanences du professionnel ces jours-là seront annulées.",
            "back_url": reverse("staffing:absences"),
            "confirm_label": "Enregistrer l'absence",
        },
        done_url=reverse("staffing:absences"),
    )


@role_required(Role.COORDINATOR)
def closure_create(request, premises_pk: int):
    premises = get_object_or_404(Premises, pk=premises_pk)
    form = ClosureForm(request.POST or None, premises=premises)
    return _two_step(
        request,
        form,
        plan=lambda f: disruptions.for_closure(f.save(commit=False), now=timezone.now()),
        act=lambda f: disruptions.record_closure(closure=f.save(commit=False), user=request.user),
        context={
            "title": f"Fermeture de {premises.name}",
            "subject": "Les permanences du local (ou de la salle) ces jours-là seront annulées.",
            "back_url": reverse("sites:premises_detail", args=[premises.pk]),
            "confirm_label": "Enregistrer la fermeture",
        },
        done_url=reverse("sites:premises_detail", args=[premises.pk]),
    )


@role_required(Role.COORDINATOR)
def professional_deactivate(request, pk: int):
    professional = get_object_or_404(Professional, pk=pk)
    form = forms.Form(request.POST or None)  # nothing to fill in: the page only confirms
    return _two_step(
        request,
        form,
        plan=lambda f: disruptions.for_deactivation(professional, now=timezone.now()),
        act=lambda f: disruptions.deactivate_professional(professional=professional, user=request.user),
        context={
            "title": f"Arrêter {professional.full_name}",
            "subject": "Ses permanences à venir seront annulées et ses patients déplacés.",
            "back_url": reverse("staffing:professional_list"),
            "confirm_label": "Confirmer l'arrêt",
            "inactive": "" if professional.active else "Ce professionnel ne consulte déjà plus pour l'équipe.",
            "hide_form": True,
        },
        done_url=reverse("staffing:professional_list"),
        preview_at_once=professional.active,
    )


# --- The "à rappeler" queue ------------------------------------------------------------------


@role_required(*STAFF)
def call_back_queue(request):
    page = Paginator(selectors.call_back_queue(), selectors.QUEUE_PAGE).get_page(request.GET.get("page"))
    record(request, "list", object_type="staffing.CallBack", detail="file « à rappeler »")
    return render(request, "staffing/disruptions/queue.html", {"page": page, "form": CallBackDoneForm()})


@require_POST
@role_required(*STAFF)
def call_back_done(request, pk: int):
    line = call_back_for_user(request.user, pk)
    form = CallBackDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la suite donnée à l'appel.")
    else:
        disruptions.close_call_back(call_back=line, note=form.cleaned_data["outcome_note"], user=request.user)
        messages.success(request, f"{line.patient.full_name} : rappel noté comme traité.")
    return redirect("staffing:call_back_queue")
