from unittest import mock

import pytest

from demo.management.commands import load_demo as load_demo_command


@pytest.fixture(scope="session", autouse=True)
def load_demo_without_sales():
    """Run `load_demo` in these tests without its sales part, which renders about
    36 PDFs per load. test_sales.py loads that part itself, and puts it back for
    the command tests that need it."""
    with mock.patch.object(load_demo_command, "demo_sales_load"):
        yield
