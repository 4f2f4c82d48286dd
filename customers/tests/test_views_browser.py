"""The customer list in a real browser: htmx live search swaps only the table."""

import pytest

from tests.factories import DEFAULT_PASSWORD, make_customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_live_search_filters_table_without_reload(page, live_server, director):
    make_customer(name="Hotel García Márquez")
    make_customer(name="Condominio Los Almendros P.H.")
    log_in(page, live_server, "director")
    page.goto(f"{live_server.url}/clientes/")
    page.evaluate("window.notReloaded = true")

    page.fill("input[name=q]", "garcia")
    page.wait_for_url("**/clientes/?q=garcia*")
    rows = page.locator("table.customer-table tbody tr")
    rows.first.wait_for()

    assert rows.count() == 1
    assert "Hotel García Márquez" in rows.first.inner_text()
    assert page.evaluate("window.notReloaded") is True


def test_advisor_browser_list_shows_only_portfolio(
    page, live_server, advisor, other_advisor
):
    make_customer(name="Hotel Propio", advisor=advisor)
    make_customer(name="Hotel Ajeno", advisor=other_advisor)
    log_in(page, live_server, "asesor1")
    page.goto(f"{live_server.url}/clientes/")
    names = page.locator("table.customer-table tbody tr td:nth-child(2) a")
    assert names.all_inner_texts() == ["Hotel Propio"]
