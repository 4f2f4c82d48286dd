"""The data step of migration 0010, which fills the new sort keys."""

import importlib

from django.apps import apps

from customers.models import Customer
from tests.factories import make_customer

sort_name = importlib.import_module("customers.migrations.0010_sort_name")


def test_existing_customers_get_their_sort_names(db):
    customer = make_customer(name="Álvaro Muñoz")
    Customer.objects.update(sort_name="")
    sort_name.fill_sort_names(apps, None)
    customer.refresh_from_db()
    assert customer.sort_name == "alvaro mun~oz"
