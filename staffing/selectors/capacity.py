"""Free consultation times per premises in the coming weeks, read the way the capacity planner
reads them (its baseline: permanences minus bookings, then the rota beyond the generated weeks,
the scheduler's reserve for phone bookings kept free). Reads only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from staffing.selectors.booking import grid_starts
from staffing.services.planner_supply import Scenario, projected_slots
from staffing.services.scheduler.run import proposable


def free_times_by_premises(*, weeks: int = 4, now: dt.datetime | None = None) -> dict[int, int]:
    """Premises id -> consultation times the scheduler could still fill within `weeks`."""
    now = now or timezone.now()
    slots, booked_free = projected_slots(now, now + dt.timedelta(weeks=weeks), scenario=Scenario.BASELINE, params={})
    free: dict[int, int] = {}
    for slot in slots:
        starts = (
            booked_free.get(slot.pk)
            if isinstance(slot.pk, int)
            else grid_starts(slot, slot.professional.default_consultation_minutes)
        )
        count = len(proposable(slot, starts or []))
        free[slot.premises.pk] = free.get(slot.premises.pk, 0) + count
    return free


def latest_projection_summary():
    """The last finished capacity projection (its TaskRun), or None: each tier's projected wait."""
    from escorter.models import TaskRun

    return (
        TaskRun.objects.filter(task_name="staffing.tasks.project_capacity", status=TaskRun.Status.SUCCESS)
        .order_by("-finished_at")
        .first()
    )
