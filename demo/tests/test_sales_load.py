"""The demo sales load as a whole: rejected in production, skipped by
`load_demo --if-empty`, and the same story for the same seed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from demo import sales
from demo.after_sales import demo_after_sales_load
from demo.management.commands import load_demo as load_demo_command
from demo.sales import demo_sales_load
from demo.services import DemoRefusedError, demo_load
from quotations.models import Quotation
from service_orders.models import ServiceOrder
from tariffs.models import TariffVersion
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_sales_in_command(monkeypatch):
    monkeypatch.setattr(load_demo_command, "demo_sales_load", demo_sales_load)
    monkeypatch.setattr(
        load_demo_command, "demo_after_sales_load", demo_after_sales_load
    )


def test_sales_load_refuses_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(DemoRefusedError):
        demo_sales_load()
    assert not TariffVersion.objects.exists()


def test_after_sales_load_refuses_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(DemoRefusedError):
        demo_after_sales_load()
    assert not ServiceOrder.objects.exists()


def test_if_empty_loads_no_sales(with_sales_in_command):
    make_customer(name="Cliente Existente")
    call_command("load_demo", "--if-empty", stdout=StringIO())
    assert not TariffVersion.objects.exists()
    assert not ServiceOrder.objects.exists()


def test_story_is_repeatable_with_seed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_load(customer_count=90)

    def load_story():
        with transaction.atomic():
            demo_sales_load(seed=7)
            story = list(
                Quotation.objects.order_by("pk").values_list(
                    "code", "status", "customer__id_number", "total"
                )
            )
            transaction.set_rollback(True)
        return story

    assert load_story() == load_story()


def test_sample_sheet_is_shipped_with_demo():
    assert sales.TARIFF_SHEET.is_file()
