"""Pages of a registry search: the exact route on every database, the broad route
and the choice between them on PostgreSQL."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from subscribers import pages, walk
from subscribers.models import SubscriberAccount, account_search_text
from subscribers.search import parse_query
from subscribers.tests.helpers import make_account
from subscribers.views import list_page
from tests.factories import make_zone


def add_accounts(count: int, name: str, zone=None, first: int = 0) -> list[int]:
    """Store `count` residential accounts in Melgar named `name` and a number;
    return their primary keys."""
    accounts = []
    for number in range(first, first + count):
        full_name = f"{name} {number}"
        accounts.append(
            SubscriberAccount(
                account_code=f"449{number:06d}",
                name=full_name,
                address=f"KR {number} # 8-15",
                municipality_id="73449",
                zone=zone,
                use_class=SubscriberAccount.UseClass.RESIDENTIAL,
                estrato=3,
                search_text=account_search_text(full_name, f"KR {number} # 8-15", ""),
            )
        )
    return [account.pk for account in SubscriberAccount.objects.bulk_create(accounts)]


@pytest.fixture
def registry(db, advisor):
    """130 GARCIA accounts (100 in the advisor's zone, 20 in another zone, 10
    without zone) and 40 PEREZ accounts in the advisor's zone."""
    melgar = make_zone("Melgar", advisors=[advisor])
    sumapaz = make_zone("Sumapaz")
    return {
        "melgar": add_accounts(100, "GARCIA", melgar, first=0),
        "sumapaz": add_accounts(20, "GARCIA", sumapaz, first=100),
        "none": add_accounts(10, "GARCIA", None, first=120),
        "perez": add_accounts(40, "PEREZ", melgar, first=130),
    }


@pytest.fixture
def broad(monkeypatch):
    """Make the first page probe 20 entries and find the exact route costly,
    so that a search of many matches takes the broad route."""
    monkeypatch.setattr(walk, "PROBE_ROWS", 20)
    monkeypatch.setattr(pages, "MATCH_COST", 10_000)


def search(user, query: str, **parameters):
    data = QueryDict(mutable=True)
    data["q"] = query
    for name, value in parameters.items():
        data[name] = str(value)
    _form, page = list_page(user, data)
    return page


def keys(page) -> list[int]:
    return [account.pk for account in page.object_list]


def every_page(user, query: str) -> list:
    """Follow the next links of a search from its first page to its last."""
    page = search(user, query)
    result = [page]
    while page.has_next:
        page = search(user, query, **QueryDict(page.next_query).dict())
        result.append(page)
    return result


def test_exact_route_counts_matches(registry, director):
    assert search(director, "garcia").total == 130


def test_exact_route_sorts_by_code(registry, director):
    codes = [account.account_code for account in search(director, "garcia").object_list]
    assert codes == [f"449{number:06d}" for number in range(50)]


def test_exact_route_last_page(registry, director):
    page = search(director, "garcia", page=3)
    assert len(page.object_list) == 30
    assert not page.has_next


def test_exact_route_of_advisor(registry, advisor):
    assert search(advisor, "garcia").total == 100


def test_exact_route_without_matches(registry, director):
    assert search(director, "zapata").total == 0


def test_exact_route_lists_address_before_id(db, director):
    """«14 64» reads as a house number, so the address «14-64» comes before an
    ID that starts with 1464, though its account code sorts after."""
    make_account(account_code="100000001", id_number="14640001", address="KR 1 # 2-3")
    make_account(account_code="999000001", address="CL 10 # 14-64")
    make_account(account_code="999000002", address="CL 11 # 14-64A")
    codes = [account.account_code for account in search(director, "14 64").object_list]
    assert codes == ["999000001", "999000002", "100000001"]


def test_search_without_zones_is_empty(registry, other_advisor):
    page = search(other_advisor, "garcia")
    assert page.object_list == []
    assert page.total == 0


@pytest.mark.postgresql
def test_broad_route_shows_a_full_page(registry, director, broad):
    page = search(director, "garcia")
    assert page.scattered
    assert len(page.object_list) == 50
    assert page.has_next


@pytest.mark.postgresql
def test_broad_route_does_not_count(registry, director, broad):
    assert search(director, "garcia").total is None


@pytest.mark.postgresql
def test_broad_pages_show_every_match_once(registry, director, broad):
    listed = [key for page in every_page(director, "garcia") for key in keys(page)]
    expected = registry["melgar"] + registry["sumapaz"] + registry["none"]
    assert len(listed) == len(expected)
    assert set(listed) == set(expected)


@pytest.mark.postgresql
def test_broad_pages_are_numbered(registry, director, broad):
    numbers = [page.number for page in every_page(director, "garcia")]
    assert numbers == [1, 2, 3]


@pytest.mark.postgresql
def test_broad_route_of_advisor_stays_in_zone(registry, advisor, broad):
    listed = [key for page in every_page(advisor, "garcia") for key in keys(page)]
    assert sorted(listed) == sorted(registry["melgar"])


@pytest.mark.postgresql
def test_broad_previous_page_is_the_one_before(registry, director, broad):
    _first, second, third = every_page(director, "garcia")
    previous = search(director, "garcia", **QueryDict(third.previous_query).dict())
    assert keys(previous) == keys(second)
    assert previous.number == 2


@pytest.mark.postgresql
def test_broad_second_page_links_back_to_the_first(registry, director, broad):
    _first, second, _third = every_page(director, "garcia")
    assert second.previous_query == "page=1"


@pytest.mark.postgresql
def test_few_matches_take_exact_route(registry, director, broad):
    page = search(director, "garcia 17")
    assert not page.scattered
    assert page.total == 1


@pytest.mark.postgresql
def test_search_with_filters_takes_exact_route(registry, director, broad):
    data = QueryDict(mutable=True)
    data.update({"q": "garcia", "estado": "activo"})
    _form, page = list_page(director, data)
    assert not page.scattered
    assert page.total == 130


@pytest.mark.postgresql
def test_long_number_skips_the_probe(registry, director, broad):
    with CaptureQueriesContext(connection) as queries:
        page = search(director, "449000017")
    assert page.total == 1
    assert not any("UNION ALL" in query["sql"] for query in queries)


@pytest.mark.postgresql
def test_broad_next_page_starts_after_key(registry, director, broad):
    first = search(director, "garcia")
    later = search(director, "garcia", desde=first.last_key, page=2)
    assert not set(keys(first)) & set(keys(later))


@pytest.mark.postgresql
def test_invalid_key_shows_the_first_page(registry, director, broad):
    first = search(director, "garcia")
    assert keys(search(director, "garcia", desde="x")) == keys(first)


@pytest.mark.postgresql
def test_broad_route_matches_whole_street_words(registry, director, broad):
    """Every account of the registry fixture is on a «KR» street. The added
    KRISTINA accounts are not."""
    add_accounts(10, "KRISTINA", first=170)
    SubscriberAccount.objects.filter(name__startswith="KRISTINA").update(
        search_text="kristina vda el carmen"
    )
    pages_found = every_page(director, "carrera")
    listed = [key for page in pages_found for key in keys(page)]
    assert pages_found[0].scattered
    assert len(listed) == 170


@pytest.mark.postgresql
def test_broad_route_finds_street_word_prefix(registry, director, broad):
    pages_found = every_page(director, "carre")
    listed = [key for page in pages_found for key in keys(page)]
    assert pages_found[0].scattered
    assert len(listed) == 170


@pytest.mark.postgresql
def test_broad_route_finds_name_and_number_apart(registry, director, broad):
    """Every account of the registry fixture has «# 8-15» in its address, so
    «garcia 8» finds every GARCIA account, not only GARCIA 8 and 80 to 89."""
    pages_found = every_page(director, "garcia 8")
    listed = [key for page in pages_found for key in keys(page)]
    assert pages_found[0].scattered
    assert len(listed) == 130


@pytest.mark.postgresql
def test_exact_cost_leaves_out_street_word_alternative(registry):
    """«carre» may be the street word " kr ", which has no trigrams, so the
    index reads «garcia» alone. Every GARCIA account is on a «KR» street."""
    with_prefix = pages._exact_cost(parse_query("garcia carre"))
    alone = pages._exact_cost(parse_query("garcia"))
    assert with_prefix == alone
