"""Deployment checks (`manage.py check --deploy`): settings that would mislead patients or the SAS."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def team_phone_is_set(app_configs=None, **kwargs):
    if settings.ESCORTER_TEAM_PHONE != settings.DEMO_TEAM_PHONE:
        return []
    return [
        Warning(
            "ESCORTER_TEAM_PHONE is the demo number: patients' confirmations, SMS and the SAS would give it.",
            hint="Set ESCORTER_TEAM_PHONE to the team's own number in the environment.",
            id="escorter.W001",
        )
    ]
