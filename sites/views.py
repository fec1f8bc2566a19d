"""Views of the sites app: the premises the communes lend, on a list and a map."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from escorter.roles import CARE_TEAM, Role, has_role, role_required
from sites import selectors
from sites.forms import ClosureForm, PremisesForm, RoomForm
from sites.models import Closure, Premises, Room


@role_required(*CARE_TEAM)
def premises_list(request):
    premises = list(selectors.premises_list())
    return render(
        request,
        "sites/premises_list.html",
        {
            "premises_list": premises,
            "map": selectors.territory_map(premises),
            "can_edit": has_role(request.user, Role.COORDINATOR),
        },
    )


@role_required(*CARE_TEAM)
def premises_detail(request, pk: int):
    premises = selectors.premises_detail(pk)
    return render(
        request,
        "sites/premises_detail.html",
        {
            "premises": premises,
            "rooms": premises.rooms.all(),
            "closures": premises.closures.select_related("room").order_by("-start_date")[:20],
            "can_edit": has_role(request.user, Role.COORDINATOR),
            "week": request.GET.get("semaine", ""),
        },
    )


@role_required(Role.COORDINATOR)
def premises_edit(request, pk: int | None = None):
    premises = get_object_or_404(Premises, pk=pk) if pk else None
    form = PremisesForm(request.POST or None, instance=premises)
    if request.method == "POST" and form.is_valid():
        premises = form.save()
        messages.success(request, f"Local « {premises.name} » enregistré.")
        return redirect("sites:premises_detail", pk=premises.pk)
    return render(request, "sites/premises_form.html", {"form": form, "premises": premises})


@role_required(Role.COORDINATOR)
def room_edit(request, premises_pk: int, pk: int | None = None):
    premises = get_object_or_404(Premises, pk=premises_pk)
    room = get_object_or_404(Room, pk=pk, premises=premises) if pk else Room(premises=premises)
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Salle « {room.name} » enregistrée.")
        return redirect("sites:premises_detail", pk=premises.pk)
    return render(request, "sites/room_form.html", {"form": form, "premises": premises, "room": room})


@role_required(Role.COORDINATOR)
def closure_create(request, premises_pk: int):
    premises = get_object_or_404(Premises, pk=premises_pk)
    form = ClosureForm(request.POST or None, premises=premises)
    if request.method == "POST" and form.is_valid():
        closure = form.save()
        messages.success(
            request,
            f"Fermeture enregistrée du {closure.start_date:%d/%m/%Y} au {closure.end_date:%d/%m/%Y}. "
            "Les permanences déjà prévues ces jours-là restent à annuler une par une si besoin.",
        )
        return redirect("sites:premises_detail", pk=premises.pk)
    return render(request, "sites/closure_form.html", {"form": form, "premises": premises})


@require_POST
@role_required(Role.COORDINATOR)
def closure_delete(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk)
    closure.delete()
    messages.success(request, "Fermeture supprimée.")
    return redirect("sites:premises_detail", pk=closure.premises_id)
