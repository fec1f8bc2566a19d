"""Worker tasks of the reporting app (thin wrappers over reporting.services.reports)."""

from celery import shared_task

from escorter.taskruns import tracked

BUSY_RETRY_SECONDS = 30


@shared_task(name="reporting.tasks.build_monthly_report", bind=True, max_retries=20, idempotent=True)
def build_monthly_report(self, task_run_id: int | None = None, *, report_id: int, notify: bool = False) -> dict:
    """Build one report row (created by request_monthly_report); safe to run twice."""
    from reporting.services import reports

    busy = False
    with tracked(task_run_id, "reporting.tasks.build_monthly_report", {"report_id": report_id}) as progress:
        try:
            outcome = reports.build_report(report_id=report_id, progress=progress.step)
        except reports.ReportBusy:
            busy = True
            progress.step(0, "Ce rapport est en cours de construction par un autre processus ; nouvel essai bientôt.")
        else:
            sent = reports.notify_audience(report=outcome.report) if notify else 0
            report = outcome.report
            progress.result = {"report_id": report.pk, "built": outcome.built, "emails": sent}
            progress.step(
                100,
                f"Rapport {report.month:%m/%Y} version {report.version} publié pour {report.audience}."
                if outcome.built
                else f"Le rapport {report.month:%m/%Y} version {report.version} était déjà publié.",
            )
    if busy:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return {"report_id": report_id}


@shared_task(name="reporting.tasks.build_last_month_reports", idempotent=True)
def build_last_month_reports(task_run_id: int | None = None) -> dict:
    """Beat, the 1st of each month at 06:00 (Europe/Paris): last month's report for every funder."""
    from reporting.services import reports

    with tracked(task_run_id, "reporting.tasks.build_last_month_reports") as progress:
        outcomes = reports.build_last_month_reports(progress=progress.step)
        progress.result = {"reports": [o.report.pk for o in outcomes], "built": sum(o.built for o in outcomes)}
    return {"reports": [o.report.pk for o in outcomes]}


@shared_task(name="reporting.tasks.refresh_month_ends", idempotent=True)
def refresh_month_ends() -> dict:
    """Beat, every ten minutes, and on the dashboard's request: the closed months' snapshots that
    are missing or reached by a back-dated write (a no-op otherwise)."""
    from reporting.services import month_ends

    taken = month_ends.refresh_month_ends()
    return {"months": [month.key for month in taken]}
