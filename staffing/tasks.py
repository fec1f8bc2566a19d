"""Tasks of the staffing app: thin Celery wrappers around services."""

from __future__ import annotations

from celery import shared_task

from escorter.taskruns import tracked
from staffing.services import rota


@shared_task(name="staffing.tasks.generate_permanences", idempotent=True)
def generate_permanences(task_run_id: int | None = None, weeks: int = rota.DEFAULT_WEEKS) -> dict:
    """Nightly: materialise the next `weeks` of the rota. Idempotent (keyed by rule and date)."""
    with tracked(task_run_id, "staffing.tasks.generate_permanences", {"weeks": weeks}) as progress:
        report = rota.generate_permanences(weeks=weeks, progress=progress)
        progress.result = report.as_dict()
        progress.run.message = report.summary
    return report.as_dict()


# --- Booking -----------------------------------------------------------------------


@shared_task(name="staffing.tasks.schedule_consultations", idempotent=True)
def schedule_consultations(task_run_id: int | None = None, horizon_days: int = 28, user_id: int | None = None) -> dict:
    """Nightly and on demand: propose consultations to waiting patients. Idempotent, under a lock."""
    from django.contrib.auth import get_user_model

    from staffing.services.scheduler.run import schedule_consultations as run

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with tracked(task_run_id, "staffing.tasks.schedule_consultations", {"horizon_days": horizon_days}) as progress:
        report = run(horizon_days=horizon_days, user=user, progress=progress)
        progress.result = report.as_dict()
        progress.run.message = report.summary
    return report.as_dict()


@shared_task(name="staffing.tasks.send_reminders", idempotent=True)
def send_reminders(task_run_id: int | None = None, at: str | None = None) -> dict:
    """Hourly: the day-before reminders. Each reminder is claimed before sending: sent at most once.

    `at` (ISO datetime) replays a given hour, e.g. after an outage; default now.
    """
    from django.utils.dateparse import parse_datetime

    from staffing.services.reminders import send_due_reminders

    now = parse_datetime(at) if at else None
    with tracked(task_run_id, "staffing.tasks.send_reminders", {"at": at} if at else {}) as progress:
        report = send_due_reminders(now=now, progress=progress)
        progress.result = report.as_dict()
        progress.run.message = report.summary
    return report.as_dict()


@shared_task(name="staffing.tasks.expire_proposals")
def expire_proposals() -> int:
    """Hourly: withdraw scheduler proposals nobody confirmed in time, freeing their time."""
    from staffing.services.booking import expire_proposals as expire

    return expire()


# --- Disruptions (issue 12) ------------------------------------------------------------------


@shared_task(name="staffing.tasks.send_move_notices")
def send_move_notices(at: str | None = None) -> dict:
    """After a disruption: the "your appointment moved" SMS, each claimed before sending (at most once).

    `at` (ISO datetime): the disruption's time, checked against the sending hours.
    """
    from django.utils.dateparse import parse_datetime

    from staffing.services.reminders import send_move_notices as send

    return send(now=parse_datetime(at) if at else None).as_dict()


@shared_task(bind=True, name="staffing.tasks.refill_freed_time", max_retries=30)
def refill_freed_time(self, permanence_ids: list[int]) -> dict:
    """Minutes after time is freed: a small scheduler run for it. Idempotent (proposed time is not free);
    if the nightly run holds the lock, try again a minute later."""
    from staffing.services.scheduler.run import refill_freed_time as refill

    report = refill(permanence_ids=permanence_ids)
    if report.skipped and not self.request.is_eager:
        raise self.retry(countdown=60)
    return report.as_dict()


# --- Capacity planner (issue 11) --------------------------------------------------------------


@shared_task(name="staffing.tasks.project_capacity")
def project_capacity(
    task_run_id: int | None = None,
    weeks: int = 26,
    scenario: str = "baseline",
    params: dict | None = None,
    weights: dict | None = None,
) -> dict:
    """On demand: each tier's projected wait, today's rule and rota against a draft rule or a
    what-if. Reads only, so running it twice is harmless."""
    from staffing.services.planner import compare_projections

    arguments = {"weeks": weeks, "scenario": scenario, "params": params or {}, "weights": weights or {}}
    with tracked(task_run_id, "staffing.tasks.project_capacity", arguments) as progress:
        result = compare_projections(
            weeks=weeks, scenario=scenario, params=params or {}, weights=weights or None, progress=progress
        )
        progress.result = result
        progress.run.message = result["summary"]
    return result
