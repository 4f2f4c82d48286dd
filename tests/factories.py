"""Builders for test data: users in each role, zones and customers with valid IDs."""

import itertools

from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from customers.identification import compute_check_digit
from customers.models import Customer
from zones.models import Municipality, Zone

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "clave-de-prueba-123"


def make_user(role: Role | None, username: str | None = None, **fields) -> User:
    number = next(_sequence)
    username = username or f"usuario{number}"
    user = User.objects.create_user(
        username=username,
        password=DEFAULT_PASSWORD,
        first_name=fields.pop("first_name", username.capitalize()),
        last_name=fields.pop("last_name", "Prueba"),
        email=fields.pop("email", f"{username}@aseo.example.com"),
        **fields,
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


def next_nit() -> tuple[str, str]:
    """Return a fresh company NIT and its correct DV."""
    number = str(900_000_000 + next(_sequence) * 7919)
    return number, compute_check_digit(number)


def make_zone(name: str | None = None, advisors=(), **fields) -> Zone:
    zone = Zone.objects.create(name=name or f"Zona {next(_sequence)}", **fields)
    if advisors:
        zone.advisors.set(advisors)
    return zone


def make_customer(**fields) -> Customer:
    number, check_digit = next_nit()
    defaults = {
        "id_type": "NIT",
        "id_number": number,
        "check_digit": check_digit,
        "name": f"Empresa de Prueba {number} S.A.S.",
        "customer_type": Customer.CustomerType.EXISTING,
        "address": "Calle 10 # 5-32",
        "municipality": Municipality.objects.get(dane_code="73449"),
    }
    defaults.update(fields)
    return Customer.objects.create(**defaults)
