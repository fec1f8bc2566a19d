"""The coordinator's SAS page: what is published, the API clients, how the SAS reaches us."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from escorter.roles import Role, role_required
from interop.forms import PermanenceShareForm, PublicationForm
from interop.models import ApiClient
from interop.selectors import default_share, publication_overview
from interop.services import set_permanence_publication, set_publication
from staffing.models import Permanence


@role_required(Role.COORDINATOR)
def publication(request):
    if request.method == "POST":
        form = PublicationForm(request.POST)
        if form.is_valid():
            set_publication(share_percent=form.cleaned_data["share_percent"], user=request.user)
            messages.success(request, "Part des créneaux publiée au SAS enregistrée.")
            return redirect("interop:publication")
    else:
        form = PublicationForm(initial={"share_percent": default_share()})
    return render(
        request,
        "interop/publication.html",
        {
            "form": form,
            "rows": publication_overview(),
            "share_form": PermanenceShareForm(),
            "clients": ApiClient.objects.all(),
            "fhir_base": request.build_absolute_uri(reverse("fhir_metadata")).removesuffix("metadata"),
        },
    )


@role_required(Role.COORDINATOR)
@require_POST
def permanence_share(request, pk: int):
    permanence = get_object_or_404(Permanence, pk=pk)
    form = PermanenceShareForm(request.POST)
    if form.is_valid():
        set_permanence_publication(
            permanence=permanence, share_percent=form.cleaned_data["share_percent"], user=request.user
        )
        messages.success(request, f"Publication au SAS modifiée : {permanence}.")
    else:
        messages.error(request, "Part invalide.")
    return redirect("interop:publication")
