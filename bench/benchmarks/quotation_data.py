"""Quotation data shared by the quotation benchmarks: users, customers, a tariff."""

from datetime import date
from decimal import Decimal


def create_sales_team(advisors: int = 8):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role

    director = User.objects.create_user(
        "director", first_name="Diana", last_name="Rojas"
    )
    director.groups.add(Group.objects.get(name=Role.DIRECTOR.value))
    advisor_group = Group.objects.get(name=Role.ADVISOR.value)
    team = []
    for index in range(advisors):
        advisor = User.objects.create_user(
            f"asesor{index}", first_name="Asesor", last_name=f"Número {index}"
        )
        advisor.groups.add(advisor_group)
        team.append(advisor)
    return director, team


def create_customers(advisors, count: int):
    from customers.identification import compute_check_digit
    from customers.models import Customer

    customers = []
    for index in range(count):
        number = str(900_000_000 + index * 7919)
        customer = Customer(
            id_type="NIT",
            id_number=number,
            check_digit=compute_check_digit(number),
            name=f"Compañía de Construcción Número {index} S.A.S.",
            address="Calle 10 # 5-32",
            advisor=advisors[index % len(advisors)],
        )
        customer.fill_derived_fields()
        customers.append(customer)
    return Customer.objects.bulk_create(customers, batch_size=2000)


def create_tariff(user):
    from django.utils import timezone

    from tariffs.models import TariffItem, TariffVersion

    version = TariffVersion.objects.create(
        name="Tarifas de referencia",
        status=TariffVersion.Status.APPROVED,
        created_by=user,
        approved_by=user,
        approved_at=timezone.now(),
    )
    return TariffItem.objects.create(
        version=version,
        code="SE-101",
        service="Recolección y disposición de escombros en volqueta",
        unit="m3",
        unit_price=Decimal("85000"),
        tax_treatment="gravado_19",
        valid_from=date(2020, 1, 1),
    )
