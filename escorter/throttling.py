"""Login throttling: django-axes per username + address, and per address alone.

Axes compares every lockout parameter against one failure limit. A shared office
connection (a practice behind one NAT address) must not be locked after five typos
spread over its staff, yet one address trying thirty usernames is an attack: so the
address alone has its own, higher limit (AXES_ADDRESS_FAILURE_LIMIT failures within
the cool-off), counted over every username it tried. A successful login resets only
that username's failures (AXES_RESET_ON_SUCCESS), never the address' count.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def failures_from_address(request) -> int:
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AddressThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and failures_from_address(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return limit  # the address is locked out, whichever username it tries next
        return failures
