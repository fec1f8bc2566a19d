"""Writes for iCal subscriptions and coverage targets."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sites.models import Premises
from staffing.models import CalendarFeed, CoverageTarget, Professional


@transaction.atomic
def renew_calendar_feed(
    *, professional: Professional | None = None, premises: Premises | None = None, user
) -> CalendarFeed:
    """A new subscription URL; the previous one of the same subject stops working at once."""
    subject = {"professional": professional} if professional is not None else {"premises": premises}
    CalendarFeed.objects.filter(revoked_at__isnull=True, **subject).update(revoked_at=timezone.now())
    return CalendarFeed.objects.create(created_by=user if user.is_authenticated else None, **subject)


@transaction.atomic
def revoke_calendar_feed(*, feed: CalendarFeed) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def set_coverage_target(
    *, premises: Premises, profession: str, hours_per_week: Decimal | None
) -> CoverageTarget | None:
    """Set (or with None/0, remove) the weekly hours the coordinator wants at `premises` for `profession`."""
    if not hours_per_week:
        CoverageTarget.objects.filter(premises=premises, profession=profession).delete()
        return None
    target, _ = CoverageTarget.objects.update_or_create(
        premises=premises, profession=profession, defaults={"hours_per_week": hours_per_week}
    )
    return target
