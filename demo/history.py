"""Authorship of the history records the demo writes."""

from contextlib import contextmanager
from types import SimpleNamespace

from simple_history.models import HistoricalRecords

from accounts.models import User


@contextmanager
def history_author(user: User):
    """Attribute to `user` the history records saved inside the block that name
    no user of their own, as django-simple-history's middleware does with the
    user of a web request."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous
