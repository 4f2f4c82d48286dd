"""How long a request has waited, as the queue shows it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def age_display(since: datetime, now: datetime | None = None) -> str:
    """Return the time since `since` in the short form of the queue: «hace 5 min»,
    «hace 3 h», «hace 2 d»."""
    elapsed = (now or timezone.now()) - since
    minutes = max(int(elapsed.total_seconds() // 60), 0)
    if minutes < 1:
        return _("hace un momento")
    if minutes < 60:
        return _("hace %(count)d min") % {"count": minutes}
    if minutes < 48 * 60:
        return _("hace %(count)d h") % {"count": minutes // 60}
    return _("hace %(count)d d") % {"count": minutes // (24 * 60)}


def is_stale(quote_request, now: datetime | None = None) -> bool:
    """Return whether an open request has waited longer than
    QUOTE_REQUEST_STALE_HOURS."""
    limit = timedelta(hours=settings.QUOTE_REQUEST_STALE_HOURS)
    return (
        quote_request.is_open
        and (now or timezone.now()) - quote_request.received_at > limit
    )
