from unittest import mock

import pytest

from demo.management.commands import load_demo as load_demo_command


@pytest.fixture(scope="session", autouse=True)
def load_demo_without_sales():
    """Run `load_demo` in these tests without its sales and after-sales parts,
    which render about 60 PDFs per load. test_sales.py and test_after_sales.py
    load those parts themselves, and put them back for the command tests that
    need them."""
    with (
        mock.patch.object(load_demo_command, "demo_sales_load"),
        mock.patch.object(load_demo_command, "demo_after_sales_load"),
    ):
        yield
