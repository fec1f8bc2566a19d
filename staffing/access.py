"""The one door to each object of the staffing app a URL names: a consultation, a permanence, a line
to call back;
and which patient files a practitioner may open (those of the patients they hold a
consultation with)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from escorter.access import open_object
from escorter.roles import CARE_TEAM, STAFF, has_role
from staffing.models import CallBack, Consultation, Permanence

# "Holding a consultation": one already held (seen or not), or booked within this horizon.
UPCOMING_HORIZON = dt.timedelta(weeks=4)


def holds_consultation(*, user, patient_id: int, now: dt.datetime | None = None) -> bool:
    """A booked, held or missed consultation of `user`'s with the patient, past or within 4 weeks."""
    now = now or timezone.now()
    return Consultation.objects.filter(
        patient_id=patient_id,
        professional__user=user,
        status__in=Consultation.HELD_STATUSES,
        start__lt=now + UPCOMING_HORIZON,
    ).exists()


def consultation_for_user(user, pk, *, request=None) -> Consultation:
    """The consultation `pk` for `user`: care team only (funders 403), audited, 404 if missing.

    A practitioner reaches only the consultations they hold (their own agenda);
    coordinators and secretaries reach all.
    """
    return open_object(
        Consultation.objects.select_related(
            "patient__commune", "professional", "permanence__premises__commune", "permanence__room"
        ),
        pk,
        user=user,
        roles=CARE_TEAM,
        not_found="Consultation introuvable.",
        may_open=lambda consultation: has_role(user, *STAFF) or consultation.professional.user_id == user.pk,
        refused="Cette consultation n'est pas dans votre agenda.",
        request=request,
    )


def permanence_for_user(user, pk) -> Permanence:
    """A permanence the user may see: staff see all, a practitioner only their own (not nominative: no audit)."""
    return open_object(
        Permanence.objects.select_related("professional", "premises", "room", "rule"),
        pk,
        user=user,
        roles=CARE_TEAM,
        not_found="Permanence introuvable.",
        may_open=lambda permanence: has_role(user, *STAFF) or permanence.professional.user_id == user.pk,
        refused="Cette permanence n'est pas la vôtre.",
        audit=False,
    )


def call_back_for_user(user, pk) -> CallBack:
    """A line of the 'à rappeler' queue, to close: coordination and secretariat. Not audited as a read:
    the queue page that lists it is, and closing it keeps who and when on the line."""
    return open_object(
        CallBack.objects.select_related("patient"),
        pk,
        user=user,
        roles=STAFF,
        not_found="Rappel introuvable.",
        audit=False,
    )
