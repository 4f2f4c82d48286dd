"""Builders for registry tests."""

from itertools import count

from subscribers.models import SubscriberAccount

_sequence = count(1)


def make_account(**fields) -> SubscriberAccount:
    """Save a residential account in Melgar, with `fields` overriding the defaults."""
    number = next(_sequence)
    values = {
        "account_code": f"449{number:06d}",
        "name": f"Suscriptor {number}",
        "municipality_id": "73449",
        "use_class": SubscriberAccount.UseClass.RESIDENTIAL,
        "estrato": 3,
        **fields,
    }
    return SubscriberAccount.objects.create(**values)
