"""The periodic tasks (Celery beat), in one table read by settings.CELERY_BEAT_SCHEDULE.

Times are Europe/Paris (CELERY_TIMEZONE).
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "recompute-priorities-nightly": {
        "task": "patients.tasks.recompute_priorities",
        "schedule": crontab(hour=2, minute=0),
    },
    "generate-permanences-nightly": {
        "task": "staffing.tasks.generate_permanences",
        "schedule": crontab(hour=1, minute=30),
    },
    "schedule-consultations-nightly": {
        "task": "staffing.tasks.schedule_consultations",
        "schedule": crontab(hour=3, minute=0),  # after generate_permanences and recompute_priorities
    },
    "send-reminders-hourly": {
        "task": "staffing.tasks.send_reminders",
        "schedule": crontab(minute=5),
    },
    "expire-proposals-hourly": {
        "task": "staffing.tasks.expire_proposals",
        "schedule": crontab(minute=0),
    },
    "purge-import-files-hourly": {
        "task": "patients.tasks.purge_import_files",
        "schedule": crontab(minute=20),
    },
    "reporting-monthly-reports": {
        "task": "reporting.tasks.build_last_month_reports",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),  # CELERY_TIMEZONE: Europe/Paris
    },
    # the closed months' registry snapshots (the dashboard's bars): the month just closed, and
    # again those reached by a back-dated import or erasure; a no-op otherwise
    "reporting-month-ends": {
        "task": "reporting.tasks.refresh_month_ends",
        "schedule": crontab(minute="*/10"),
    },
    "discard-empty-calls": {
        "task": "patients.tasks.discard_empty_calls",
        "schedule": crontab(minute="*/10"),
    },
    # only the owner role can purge: routed to the `maintenance` queue (settings.CELERY_TASK_ROUTES)
    "purge-audit-log-monthly": {
        "task": "escorter.tasks.purge_audit_log",
        "schedule": crontab(minute=30, hour=4, day_of_month=2),
    },
    "fail-stale-task-runs": {
        "task": "escorter.tasks.fail_stale_task_runs",
        "schedule": crontab(minute="*/2"),
    },
}
