"""The filtered lists in Chromium: after Back and Forward, the search box and
the filters show those of the list on the page."""

import pytest

from subscribers.models import Competitor
from subscribers.tests.helpers import make_account
from terminations.tests.conftest import make_account as make_termination_account
from terminations.tests.conftest import make_request
from tests.factories import DEFAULT_PASSWORD, make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each list's address, the element htmx swaps and a builder of one row named
# `name`. Each list shows 50 rows a page.
LISTS = {
    "customers": (
        "/clientes/",
        "#customer-table",
        lambda name: make_customer(name=name),
    ),
    "registry": (
        "/catastro/",
        "#account-table",
        lambda name: make_account(name=name),
    ),
}


def searched(url: str) -> bool:
    """True for the address of the first page of the search for «garcia»."""
    return "q=garcia" in url and not paged(url)


def paged(url: str) -> bool:
    """True for the address of a later page (by number, or by key on the
    registry's broad route)."""
    return any(name in url for name in ("page=", "desde=", "hasta="))


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("list_name", LISTS)
def test_back_and_forward_keep_search_box(page, live_server, director, list_name):
    path, table, make_row = LISTS[list_name]
    for number in range(60):
        make_row(f"Ferretería García {number:02d}")
        make_row(f"Almacén El Sol {number:02d}")
    log_in(page, live_server, "director")
    page.goto(f"{live_server.url}{path}")
    search_box = page.locator("input[name=q]")
    rows = page.locator(f"{table} tbody tr")

    search_box.fill("garcia")
    page.wait_for_url(searched)
    page.locator(table).get_by_text("Siguiente").click()
    page.wait_for_url(lambda url: "q=garcia" in url and paged(url))
    assert "García" in rows.first.inner_text()

    page.go_back()
    page.wait_for_url(searched)
    assert search_box.input_value() == "garcia"
    assert "García" in rows.first.inner_text()

    page.go_back()
    page.wait_for_url(f"{live_server.url}{path}")
    assert search_box.input_value() == ""
    assert page.locator(table).get_by_text("Almacén El Sol").count() > 0

    page.go_forward()
    page.wait_for_url(searched)
    assert search_box.input_value() == "garcia"
    assert page.locator(table).get_by_text("Almacén El Sol").count() == 0


def test_back_and_forward_keep_request_filters(page, live_server, director):
    competitor = Competitor.objects.create(
        name="Aseo Total S.A. E.S.P.", nit="900123456"
    )
    for number in range(3):
        make_request(
            competitor,
            make_termination_account(f"4490005{number:02d}", name="Ana García"),
        )
    for number in range(2):
        make_request(
            competitor,
            received_code=f"4491234{number:02d}",
            received={"NOMBRE SUSCRIPTOR": "Luis García"},
        )
    make_request(competitor, make_termination_account("449000600", name="Eva Ruiz"))
    log_in(page, live_server, "director")
    page.goto(f"{live_server.url}/terminaciones/")
    search_box = page.locator("input[name=q]")
    flag = page.locator("select[name=alerta]")
    rows = page.locator("table tbody tr")

    search_box.fill("garcia")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "q=garcia" in url and "alerta=&" in url)
    assert rows.count() == 5
    flag.select_option("sin_cuenta")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**alerta=sin_cuenta*")
    assert rows.count() == 2

    page.go_back()
    page.wait_for_url(lambda url: "q=garcia" in url and "alerta=&" in url)
    assert rows.count() == 5
    assert flag.input_value() == ""
    assert search_box.input_value() == "garcia"

    page.go_back()
    page.wait_for_url(f"{live_server.url}/terminaciones/")
    assert rows.count() == 6
    assert search_box.input_value() == ""

    page.go_forward()
    page.wait_for_url(lambda url: "q=garcia" in url and "alerta=&" in url)
    assert search_box.input_value() == "garcia"
    assert flag.input_value() == ""

    page.go_forward()
    page.wait_for_url("**alerta=sin_cuenta*")
    assert rows.count() == 2
    assert flag.input_value() == "sin_cuenta"

    # Leaving the list with the filter's empty choice, then coming back.
    flag.select_option("")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "q=garcia" in url and "alerta=&" in url)
    assert rows.count() == 5
    page.go_back()
    page.wait_for_url("**alerta=sin_cuenta*")
    assert rows.count() == 2
    assert flag.input_value() == "sin_cuenta"
