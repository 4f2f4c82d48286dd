import io

import openpyxl
import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer, make_zone
from zones.models import Municipality

LIST_URL = reverse("customers:list")
EXPORT_URL = reverse("customers:export")


def listed_names(response) -> list[str]:
    return [customer.name for customer in response.context["page"].object_list]


def test_list_shows_customers_to_director(client, director):
    make_customer(name="Hotel Los Arrayanes")
    client.force_login(director)
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "Hotel Los Arrayanes" in response.content.decode()


def test_list_paginates_by_fifty(client, director):
    for index in range(51):
        make_customer(name=f"Cliente {index:02d}")
    client.force_login(director)
    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})
    assert len(listed_names(first)) == 50
    assert listed_names(second) == ["Cliente 50"]


def test_list_runs_constant_queries(
    client, director, advisor, django_assert_max_num_queries
):
    zone = make_zone("URBANA")
    for index in range(30):
        make_customer(name=f"Cliente {index}", zone=zone, advisor=advisor)
    client.force_login(director)
    client.get(LIST_URL)  # warm the session and group caches
    with django_assert_max_num_queries(12):
        client.get(LIST_URL)


def test_filter_by_advisor_none(client, director, advisor):
    make_customer(name="Asignado", advisor=advisor)
    make_customer(name="Huérfano")
    client.force_login(director)
    response = client.get(LIST_URL, {"asesor": "ninguno"})
    assert listed_names(response) == ["Huérfano"]


def test_filter_by_advisor(client, director, advisor, other_advisor):
    make_customer(name="De Andrés", advisor=advisor)
    make_customer(name="De Beatriz", advisor=other_advisor)
    client.force_login(director)
    response = client.get(LIST_URL, {"asesor": advisor.pk})
    assert listed_names(response) == ["De Andrés"]


def test_filter_by_customer_type(client, director):
    make_customer(name="Nuevo", customer_type=Customer.CustomerType.NEW)
    make_customer(name="Antiguo", customer_type=Customer.CustomerType.EXISTING)
    client.force_login(director)
    response = client.get(LIST_URL, {"tipo": "nuevo"})
    assert listed_names(response) == ["Nuevo"]


def test_filter_by_zone(client, director):
    urbana = make_zone("URBANA")
    rural = make_zone("RURAL")
    make_customer(name="Urbano", zone=urbana)
    make_customer(name="Rural", zone=rural)
    client.force_login(director)
    response = client.get(LIST_URL, {"zona": rural.pk})
    assert listed_names(response) == ["Rural"]


def test_filter_by_municipality(client, director):
    flandes = Municipality.objects.get(dane_code="73275")
    make_customer(name="En Melgar")
    make_customer(name="En Flandes", municipality=flandes)
    client.force_login(director)
    response = client.get(LIST_URL, {"municipio": "73275"})
    assert listed_names(response) == ["En Flandes"]


def test_filter_by_catastro(client, director):
    make_customer(name="Suscriptor", in_catastro=True)
    make_customer(name="No suscriptor", in_catastro=False)
    client.force_login(director)
    response = client.get(LIST_URL, {"catastro": "si"})
    assert listed_names(response) == ["Suscriptor"]


def test_invalid_filter_value_is_ignored(client, director):
    make_customer(name="Cualquiera")
    client.force_login(director)
    response = client.get(LIST_URL, {"zona": "999999", "tipo": "raro"})
    assert response.status_code == 200


def test_htmx_search_returns_only_the_table(client, director):
    make_customer(name="Hotel Guadual")
    client.force_login(director)
    response = client.get(
        LIST_URL,
        {"q": "guadual"},
        headers={"HX-Request": "true", "HX-Target": "customer-table"},
    )
    content = response.content.decode()
    assert "Hotel Guadual" in content
    assert "<html" not in content


def test_advisor_list_holds_exactly_their_customers(client, advisor, other_advisor):
    own = {make_customer(advisor=advisor).name for _ in range(3)}
    make_customer(advisor=other_advisor)
    make_customer()
    client.force_login(advisor)
    response = client.get(LIST_URL)
    assert set(listed_names(response)) == own


def test_advisor_has_no_advisor_filter(client, advisor):
    client.force_login(advisor)
    response = client.get(LIST_URL)
    assert "asesor" not in response.context["form"].fields


def test_advisor_cannot_widen_list_with_advisor_filter(client, advisor, other_advisor):
    make_customer(name="Ajeno", advisor=other_advisor)
    client.force_login(advisor)
    response = client.get(LIST_URL, {"asesor": other_advisor.pk})
    assert listed_names(response) == []


def read_export(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_export_has_spanish_headers(client, director):
    make_customer(name="Hotel Exportado")
    client.force_login(director)
    rows = read_export(client.get(EXPORT_URL))
    assert rows[2][:3] == (
        "Tipo de documento",
        "Identificación",
        "Razón social o nombre",
    )


def test_export_writes_formatted_identification(client, director):
    make_customer(name="Exportado", id_number="900123456", check_digit="8")
    client.force_login(director)
    rows = read_export(client.get(EXPORT_URL))
    assert rows[3][1] == "900.123.456-8"


def test_export_follows_filters(client, director):
    make_customer(name="Nuevo", customer_type=Customer.CustomerType.NEW)
    make_customer(name="Antiguo", customer_type=Customer.CustomerType.EXISTING)
    client.force_login(director)
    rows = read_export(client.get(EXPORT_URL, {"tipo": "antiguo"}))
    assert [row[2] for row in rows[3:]] == ["Antiguo"]


def test_advisor_export_holds_exactly_their_customers(client, advisor, other_advisor):
    own = {make_customer(advisor=advisor).name for _ in range(3)}
    make_customer(advisor=other_advisor)
    make_customer()
    client.force_login(advisor)
    rows = read_export(client.get(EXPORT_URL))
    assert {row[2] for row in rows[3:]} == own


def test_export_keeps_formula_like_names_as_text(client, director):
    make_customer(name='=HYPERLINK("http://x")')
    client.force_login(director)
    rows = read_export(client.get(EXPORT_URL))
    assert rows[3][2] == '=HYPERLINK("http://x")'


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_user_without_role_is_forbidden(client, no_role_user, url):
    client.force_login(no_role_user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302


def test_export_leaves_advisor_blank_when_unassigned(client, director):
    make_customer(name="Sin asesor")
    client.force_login(director)
    rows = read_export(client.get(EXPORT_URL))
    assert rows[3][13] is None


@pytest.mark.parametrize("role", ["operations_user", "billing_user", "logistics"])
def test_export_forbidden_to_readers(client, db, role, request):
    from accounts.roles import Role
    from tests.factories import make_user

    make_customer(name="Hotel Solo Lectura")
    if role == "logistics":
        user = make_user(Role.LOGISTICS, "logistica")
    else:
        user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(EXPORT_URL).status_code == 403
    listing = client.get(LIST_URL)
    assert listing.status_code == 200
    assert "Hotel Solo Lectura" in listing.content.decode()
    assert EXPORT_URL not in listing.content.decode()


def test_export_link_shown_to_advisor(client, advisor):
    make_customer(advisor=advisor)
    client.force_login(advisor)
    assert EXPORT_URL in client.get(LIST_URL).content.decode()


def test_exportable_by_follows_roles(db, director, advisor, other_advisor):
    from accounts.roles import Role
    from tests.factories import make_user

    own = make_customer(advisor=advisor)
    other = make_customer(advisor=other_advisor)
    assert set(Customer.objects.exportable_by(director)) == {own, other}
    assert list(Customer.objects.exportable_by(advisor)) == [own]
    for role in (Role.OPERATIONS, Role.LOGISTICS, Role.BILLING):
        reader = make_user(role, f"lector-{role.name.lower()}")
        assert reader.reads_all_customers
        assert not Customer.objects.exportable_by(reader).exists()


SPANISH_ORDER = [
    "Adriana Ruiz",
    "Álvaro Pérez",
    "APARTAHOTEL LOS OCOBOS",
    "Muñoz Hnos.",
]


def make_in_scrambled_order(**fields):
    for name in (
        "Muñoz Hnos.",
        "APARTAHOTEL LOS OCOBOS",
        "Álvaro Pérez",
        "Adriana Ruiz",
    ):
        make_customer(name=name, **fields)


def test_list_sorts_names_in_spanish_order(client, director):
    make_in_scrambled_order()
    make_customer(name="Munera y Cía.")
    client.force_login(director)
    assert listed_names(client.get(LIST_URL)) == [
        *SPANISH_ORDER[:3],
        "Munera y Cía.",
        "Muñoz Hnos.",
    ]


def test_search_results_sort_names_in_spanish_order(client, director):
    make_in_scrambled_order(barrio="El Jordán")
    make_customer(name="Aaron Sin Barrio", barrio="Centro")
    client.force_login(director)
    assert listed_names(client.get(LIST_URL, {"q": "jordan"})) == SPANISH_ORDER


def test_export_sorts_names_in_spanish_order(client, director):
    make_in_scrambled_order()
    client.force_login(director)
    rows = read_export(client.get(EXPORT_URL))
    assert [row[2] for row in rows[3:]] == SPANISH_ORDER
