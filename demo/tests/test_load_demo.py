"""The load_demo command: repeatable, idempotent, and never run in production."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from customers.models import Customer

pytestmark = pytest.mark.django_db


def load_demo(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_is_repeatable_with_seed():
    load_demo("--customers", "40")
    first = sorted(Customer.objects.values_list("id_number", "name"))
    Customer.history.all().delete()
    Customer.objects.all().delete()
    load_demo("--customers", "40")
    second = sorted(Customer.objects.values_list("id_number", "name"))
    assert first == second


def test_if_empty_loads_into_empty_database():
    load_demo("--if-empty", "--customers", "20")
    assert Customer.objects.count() == 20


def test_if_empty_does_nothing_when_customers_exist():
    load_demo("--customers", "20")
    output = load_demo("--if-empty", "--customers", "40")
    assert Customer.objects.count() == 20
    assert "Ya hay clientes" in output


def test_second_run_adds_no_customers():
    load_demo("--customers", "20")
    load_demo("--customers", "20")
    assert Customer.objects.count() == 20


def test_demo_refuses_production_settings(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="producción"):
        call_command("load_demo")
    assert not Customer.objects.exists()


def test_demo_command_exits_non_zero_in_production(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "test-only-key-" + "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path),
    }
    completed = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode != 0
    assert "producción" in completed.stderr
