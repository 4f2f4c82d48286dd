"""The registry list and detail pages, their filters and their forbidden cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from subscribers.models import SubscriberAccount
from subscribers.tests.helpers import make_account
from tests.factories import make_user, make_zone

LIST_URL = reverse("subscribers:list")


@pytest.fixture
def zoned_account(db, advisor):
    zone = make_zone("Melgar", advisors=[advisor])
    return make_account(name="JOSÉ GARCÍA", zone=zone, account_code="449000001")


@pytest.fixture
def unzoned_account(db):
    return make_account(
        name="EMPRESA OFICIAL",
        account_code="148000002",
        municipality_id="73148",
        use_class="oficial",
        estrato=None,
        producer_type="gran",
        status="suspendido",
    )


def listed_codes(response) -> list[str]:
    return [account.account_code for account in response.context["page"].object_list]


@pytest.mark.parametrize(
    "persona", ["director", "coordinator", "billing_user", "operations_user"]
)
def test_list_shows_every_account_to_reading_roles(
    client, request, persona, zoned_account, unzoned_account
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert listed_codes(response) == ["148000002", "449000001"]


def test_list_shows_advisor_only_their_zones(
    client, advisor, zoned_account, unzoned_account
):
    client.force_login(advisor)
    assert listed_codes(client.get(LIST_URL)) == ["449000001"]


def test_list_is_forbidden_without_role(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get(LIST_URL).status_code == 403


def test_list_is_forbidden_to_logistics(client, db):
    client.force_login(make_user(Role.LOGISTICS, "logistica"))
    assert client.get(LIST_URL).status_code == 403


def test_list_requires_login(client, db):
    response = client.get(LIST_URL)
    assert response.status_code == 302


def test_list_search_ignores_accents(client, director, zoned_account, unzoned_account):
    client.force_login(director)
    assert listed_codes(client.get(LIST_URL, {"q": "garcia"})) == ["449000001"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"municipio": "73148"}, ["148000002"]),
        ({"uso": "residencial"}, ["449000001"]),
        ({"estrato": "3"}, ["449000001"]),
        ({"estado": "suspendido"}, ["148000002"]),
        ({"productor": "gran"}, ["148000002"]),
    ],
)
def test_list_filters(
    client, director, zoned_account, unzoned_account, filters, expected
):
    client.force_login(director)
    assert listed_codes(client.get(LIST_URL, filters)) == expected


def test_list_htmx_returns_the_table_only(client, director, zoned_account):
    client.force_login(director)
    response = client.get(
        LIST_URL,
        {"q": "garcia"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="account-table",
    )
    assert next(t.name for t in response.templates) == "subscribers/_table.html"


def test_list_paginates(client, director, db):
    for number in range(51):
        make_account(account_code=f"449{number:06d}")
    client.force_login(director)
    response = client.get(LIST_URL, {"page": 2})
    assert listed_codes(response) == ["449000050"]


def test_list_summary_counts_a_single_page(client, director, zoned_account):
    client.force_login(director)
    assert "1 cuenta" in client.get(LIST_URL).content.decode()


def test_list_summary_of_a_long_list(client, director, db):
    for number in range(51):
        make_account(account_code=f"449{number:06d}")
    client.force_login(director)
    content = client.get(LIST_URL).content.decode()
    assert "Cuentas 1 a 50 de más de 50" in content
    assert "Siguiente" in content


def test_list_page_beyond_the_end_is_empty(client, director, zoned_account):
    client.force_login(director)
    response = client.get(LIST_URL, {"page": "9"})
    assert listed_codes(response) == []
    assert "Volver a la primera página" in response.content.decode()


def test_list_invalid_page_shows_the_first(client, director, zoned_account):
    client.force_login(director)
    assert listed_codes(client.get(LIST_URL, {"page": "x"})) == ["449000001"]


def test_detail_shows_account_and_history(client, director, zoned_account):
    zoned_account.status = SubscriberAccount.Status.UNLINKED
    zoned_account.save()
    client.force_login(director)
    response = client.get(zoned_account.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "JOSÉ GARCÍA" in content
    assert "<del>Activo</del> → <ins>Desvinculado</ins>" in content


def test_detail_of_account_outside_advisor_zones_is_404(
    client, other_advisor, zoned_account
):
    client.force_login(other_advisor)
    assert client.get(zoned_account.get_absolute_url()).status_code == 404


def test_detail_is_forbidden_without_role(client, no_role_user, zoned_account):
    client.force_login(no_role_user)
    assert client.get(zoned_account.get_absolute_url()).status_code == 403


def test_detail_reachable_by_advisor_of_the_zone(client, advisor, zoned_account):
    client.force_login(advisor)
    assert client.get(zoned_account.get_absolute_url()).status_code == 200


def test_list_rejects_post(client, director):
    client.force_login(director)
    assert client.post(LIST_URL).status_code == 405


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("director", True),
        ("billing_user", True),
        ("advisor", True),
        ("operations_user", True),
        ("no_role_user", False),
    ],
)
def test_menu_entry(db, client, request, persona, shown):
    client.force_login(request.getfixturevalue(persona))
    content = client.get(reverse("customers:list")).content.decode()
    assert (f'href="{LIST_URL}">Catastro<' in content) is shown


def test_import_page_offers_the_registry(client, director):
    client.force_login(director)
    response = client.get(reverse("core:import_upload", args=["catastro"]))
    assert response.status_code == 200


def test_import_page_is_forbidden_to_billing(client, billing_user):
    client.force_login(billing_user)
    response = client.get(reverse("core:import_upload", args=["catastro"]))
    assert response.status_code == 403


def test_list_summary_counts_two_accounts(client, director, zoned_account):
    make_account(account_code="449000002")
    client.force_login(director)
    assert "2 cuentas" in client.get(LIST_URL).content.decode()


@pytest.mark.parametrize(("units", "expected"), [(1, "1 unidad<"), (12, "12 unidades")])
def test_detail_counts_multiuser_units(client, director, db, units, expected):
    account = make_account(is_multiuser=True, unit_count=units)
    client.force_login(director)
    page = client.get(account.get_absolute_url()).content.decode()
    assert expected in page


def test_list_search_too_short_shows_why(client, director, zoned_account):
    client.force_login(director)
    content = client.get(LIST_URL, {"q": "ab"}).content.decode()
    assert "Escriba al menos 3 letras o números para buscar." in content


def test_list_search_too_short_lists_all(
    client, director, zoned_account, unzoned_account
):
    client.force_login(director)
    response = client.get(LIST_URL, {"q": "ab"})
    assert listed_codes(response) == ["148000002", "449000001"]


def test_list_invalid_filter_keeps_the_search(
    client, director, zoned_account, unzoned_account
):
    client.force_login(director)
    response = client.get(LIST_URL, {"q": "garcia", "estrato": "9"})
    assert listed_codes(response) == ["449000001"]


def test_list_search_counts_matches(client, director, db):
    for number in range(60):
        make_account(account_code=f"449{number:06d}", name="PEDRO GARCÍA")
    client.force_login(director)
    content = client.get(LIST_URL, {"q": "garcia"}).content.decode()
    assert "Cuentas 1 a 50 de 60" in content


def test_list_search_second_page(client, director, db):
    for number in range(60):
        make_account(account_code=f"449{number:06d}", name="PEDRO GARCÍA")
    client.force_login(director)
    response = client.get(LIST_URL, {"q": "garcia", "page": "2"})
    assert listed_codes(response) == [f"449{number:06d}" for number in range(50, 60)]


def test_list_search_without_matches(client, director, zoned_account):
    client.force_login(director)
    content = client.get(LIST_URL, {"q": "zapata"}).content.decode()
    assert "No hay cuentas que coincidan con la búsqueda o los filtros." in content


@pytest.mark.postgresql
def test_list_broad_search_says_it_is_unordered(client, director, db, monkeypatch):
    from subscribers import pages, walk

    monkeypatch.setattr(walk, "PROBE_ROWS", 20)
    monkeypatch.setattr(pages, "MATCH_COST", 10_000)
    for number in range(60):
        make_account(account_code=f"449{number:06d}", name="PEDRO GARCÍA")
    client.force_login(director)
    content = client.get(LIST_URL, {"q": "garcia"}).content.decode()
    assert "sin un orden particular" in content
    assert "desde=" in content


def count_list_queries(client, parameters) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST_URL, parameters)
    return len(queries)


@pytest.mark.parametrize("parameters", [{}, {"q": "garcia"}])
def test_list_queries_do_not_grow_with_rows(client, director, db, parameters):
    client.force_login(director)
    make_account(name="ANA GARCÍA")
    few = count_list_queries(client, parameters)
    for _ in range(4):
        make_account(name="ANA GARCÍA")
    assert count_list_queries(client, parameters) == few
