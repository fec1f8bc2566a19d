"""iCal feeds: revocable subscription URLs to a professional's or a premises' permanences."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from escorter.fields import recorded_by
from sites.models import Premises
from staffing.models.people import Professional


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A revocable iCal subscription URL for one professional or one premises; the token is the only credential."""

    token = models.CharField("jeton", max_length=64, unique=True, default=new_feed_token, editable=False)
    professional = models.ForeignKey(
        Professional,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name="professionnel",
    )
    premises = models.ForeignKey(
        Premises, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds", verbose_name="local"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    created_by = recorded_by("créé par")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    last_used_at = models.DateTimeField("dernier accès", null=True, blank=True)

    class Meta:
        verbose_name = "abonnement iCal"
        verbose_name_plural = "abonnements iCal"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(professional__isnull=False) & Q(premises__isnull=True))
                | (Q(professional__isnull=True) & Q(premises__isnull=False)),
                name="calendarfeed_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"Agenda iCal de {self.professional or self.premises}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
