"""The foundation path in Chromium: the director imports the customer file and
assigns a zone, and then each advisor's list shows exactly their own customers."""

from pathlib import Path

import pytest

from customers.models import Customer
from tests.factories import DEFAULT_PASSWORD
from zones.models import Zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = (
    Path(__file__).resolve().parents[2] / "customers/tests/data/clientes_base_datos.csv"
)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/ingresar/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.click("text=Salir")
    page.wait_for_url("**/ingresar/")


def import_sample(page, live_server):
    page.goto(f"{live_server.url}/importaciones/nueva/clientes/")
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.click("text=Revisar archivo")
    page.locator("text=Confirmar importación").wait_for()
    # The preview lists the wrong check digits before anything is written.
    assert "no corresponde al número 52676942" in page.inner_text("main")
    assert Customer.objects.count() == 0

    page.check("input[name=skip_invalid]")
    page.click("text=Confirmar importación")
    page.get_by_text("Completada").first.wait_for(timeout=120_000)


def assign_zone(page, live_server, zone, advisors):
    page.goto(f"{live_server.url}/zonas/{zone.pk}/asignar/")
    for advisor in advisors:
        page.get_by_label(advisor.get_full_name()).check()
    page.click("text=Vista previa")
    page.locator("text=Confirmar asignación").wait_for()
    page.click("text=Confirmar asignación")
    page.wait_for_url("**/zonas/asignaciones/*/")


def listed_names(page, live_server):
    """Collect the customer names on every page of the signed-in user's list."""
    names = []
    number = 1
    while True:
        page.goto(f"{live_server.url}/clientes/?page={number}")
        links = page.locator("#customer-table tbody tr td:nth-child(2) > a")
        names.extend(name.strip() for name in links.all_inner_texts())
        if page.locator("#customer-table a", has_text="Siguiente").count() == 0:
            return names
        number += 1


def test_director_imports_assigns_and_advisors_see_their_own(
    page, live_server, director, advisor, other_advisor
):
    log_in(page, live_server, "director")
    import_sample(page, live_server)
    assert Customer.objects.count() == 590

    zone = Zone.objects.get(name="CORREDOR VIAL")
    assign_zone(page, live_server, zone, [advisor, other_advisor])
    log_out(page)

    first = list(
        Customer.objects.filter(advisor=advisor).values_list("name", flat=True)
    )
    second = list(
        Customer.objects.filter(advisor=other_advisor).values_list("name", flat=True)
    )
    assert len(first) + len(second) == zone.customers.count()
    assert abs(len(first) - len(second)) <= 1

    log_in(page, live_server, "asesor1")
    assert sorted(listed_names(page, live_server)) == sorted(first)
    log_out(page)

    log_in(page, live_server, "asesor2")
    assert sorted(listed_names(page, live_server)) == sorted(second)
