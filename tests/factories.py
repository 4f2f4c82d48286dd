"""Builders for test data: users in each role, zones and customers with valid IDs."""

import itertools
from datetime import datetime

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


def make_accepted_quotation(*, customer, advisor, lines=(), on=None):
    """Create an accepted quotation without rendering its PDF. `lines`
    contains (tariff item, quantity) pairs, and the code comes from the quotation
    series."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from core.numbering import number_take
    from quotations.models import Quotation
    from quotations.services import quotation_create, quotation_line_add

    quotation = quotation_create(
        customer=customer, advisor=advisor, user=advisor, on=on
    )
    for item, quantity in lines:
        quotation_line_add(
            quotation=quotation, tariff_item=item, quantity=Decimal(quantity)
        )
    with transaction.atomic():
        taken = number_take(kind="quotation", year=quotation.date.year)
        now = timezone.now()
        Quotation.objects.filter(pk=quotation.pk).update(
            code=taken.code,
            status=Quotation.Status.ACCEPTED,
            issued_at=now,
            issued_by=advisor,
            accepted_at=now,
            accepted_on=quotation.date,
            acceptance_channel=Quotation.Channel.EMAIL,
            acceptance_email_text="Aceptamos la cotización.",
        )
    quotation.refresh_from_db()
    return quotation


def make_service_order(
    *, quotation, user=None, status=None, executed_on=None, **fields
):
    """Create a service order of `quotation` with a copy of its lines, as the
    service_orders app does, bypassing its checks. With `executed_on`, the order is
    executed that day with the ordered quantities."""
    from django.db import transaction

    from core.numbering import number_take
    from service_orders.models import ServiceOrder, ServiceOrderLine

    user = user or quotation.advisor
    customer = quotation.customer
    defaults = {
        "quotation": quotation,
        "customer": customer,
        "advisor": quotation.advisor,
        "address": customer.address or "Calle 1 # 1-1",
        "barrio": customer.barrio,
        "municipality": customer.municipality,
        "created_by": user,
    }
    if executed_on is not None:
        defaults.update(
            status=ServiceOrder.Status.EXECUTED,
            scheduled_date=executed_on,
            executed_on=executed_on,
            executed_recorded_by=user,
        )
    if status is not None:
        defaults["status"] = status
    defaults.update(fields)
    with transaction.atomic():
        taken = number_take(kind="service_order", year=quotation.date.year)
        order = ServiceOrder.objects.create(code=taken.code, **defaults)
        for position, line in enumerate(quotation.lines.all()):
            ServiceOrderLine.objects.create(
                order=order,
                position=position,
                quotation_line=line,
                code=line.code,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                tax_rate=line.tax_rate,
                executed_quantity=line.quantity if executed_on else None,
            )
    return order


def pdf_bytes(text: str = "Documento de prueba") -> bytes:
    """Return a small, well-formed one-page PDF, as a scanner would produce."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (200, 120), "white")
    ImageDraw.Draw(image).text((10, 50), text, fill="black")
    output = io.BytesIO()
    # Fixed dates keep the bytes equal between calls: Pillow would otherwise
    # stamp the current second, and tests compare a stored upload with a new call.
    stamp = datetime(2026, 1, 2, 10, 0, 0).timetuple()
    image.save(output, format="PDF", resolution=72, creationDate=stamp, modDate=stamp)
    return output.getvalue()


def image_bytes(image_format: str = "PNG", colour: str = "navy") -> bytes:
    """Return a small, well-formed PNG or JPEG image."""
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(output, format=image_format)
    return output.getvalue()
