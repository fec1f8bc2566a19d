"""Views of the sites app: the CPTS territory, and the premises the communes lend, on a list and a map."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from escorter.roles import CARE_TEAM, Role, has_role, role_required
from sites import selectors, services
from sites.forms import PremisesForm, RoomForm, TerritoryForm
from sites.models import Closure, Department, Premises, Room
from sites.outlines import outline_map


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


# Declaring a closure lives in staffing (staffing.views.disruptions.closure_create): it cancels the
# permanences then and moves their patients, which sites cannot do without importing staffing.


@require_POST
@role_required(Role.COORDINATOR)
def closure_delete(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk)
    closure.delete()
    messages.success(request, "Fermeture supprimée.")
    return redirect("sites:premises_detail", pk=closure.premises_id)


@role_required(Role.COORDINATOR)
def territory(request):
    """Choose the territory département by département: whole EPCIs or single communes, on a list and a map."""
    code = request.POST.get("departement") or request.GET.get("departement") or selectors.main_department()
    department = Department.objects.filter(code=code).first() if code else None
    if code and department is None:
        messages.error(request, f"Département inconnu : « {code[:10]} ».")
    groups = selectors.department_epcis(department.code) if department else []
    form = TerritoryForm(request.POST if request.method == "POST" else None, groups=groups)
    if request.method == "POST" and department is not None and form.is_valid():
        size = services.choose_territory_in_department(
            department=department.code,
            epci_codes=form.cleaned_data["epcis"],
            commune_codes=form.cleaned_data["communes"],
        )
        messages.success(request, f"Territoire enregistré : {size} commune{'s' if size > 1 else ''}.")
        return redirect(f"{request.path}?departement={department.code}")
    communes = [c for g in groups for c in g.communes]
    return render(
        request,
        "sites/territory.html",
        {
            "department": department,
            "departments": selectors.department_choices(),
            "groups": groups,
            "form": form,
            "map": outline_map(communes) if communes else None,
            "summary": selectors.territory_summary(),
        },
    )
