"""Registry search by the cadastral number (número predial): the whole 30
digits or their start, on the search queryset and on the registry page."""

import pytest
from django.db import connection
from django.http import QueryDict

from subscribers import pages, walk
from subscribers.models import SubscriberAccount
from subscribers.tests.helpers import make_account
from subscribers.views import list_page

CADASTRAL = "731480106001001250020000000000"


@pytest.fixture
def accounts(db):
    return {
        "house": make_account(
            account_code="449100001",
            name="LUCERO DIAZ PORTILLA",
            cadastral_number=CADASTRAL,
        ),
        "shop": make_account(
            account_code="449100002",
            name="TIENDA LA ESQUINA",
            cadastral_number="731480106001001250030000000000",
        ),
        "elsewhere": make_account(
            account_code="449100003",
            name="LUCERO DIAZ",
            cadastral_number="734490101000000120005000000000",
        ),
    }


def found(query: str) -> set[str]:
    accounts = SubscriberAccount.objects.search(query)
    return set(accounts.values_list("account_code", flat=True))


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        (CADASTRAL, {"449100001"}),
        ("7314801060 0100 1250 02", {"449100001"}),
        ("7314801060", {"449100001", "449100002"}),
        ("73448-01", set()),
        ("lucero " + CADASTRAL, {"449100001"}),
    ],
)
def test_search_finds_cadastral_number(accounts, query, codes):
    assert found(query) == codes


def test_short_number_skips_cadastral_number(accounts):
    # The first 9 digits are the municipality, zone and sector.
    assert found("731480106") == set()


def test_registry_page_finds_cadastral_number(accounts, director, monkeypatch):
    # A small probe would otherwise send a short registry down the broad route.
    monkeypatch.setattr(walk, "PROBE_ROWS", 1)
    monkeypatch.setattr(pages, "MATCH_COST", 10_000)
    for query in (CADASTRAL, "lucero " + CADASTRAL):
        data = QueryDict(mutable=True)
        data["q"] = query
        _form, page = list_page(director, data)

        assert [account.account_code for account in page.object_list] == ["449100001"]


@pytest.mark.postgresql
def test_cadastral_prefix_uses_index(accounts):
    queryset = SubscriberAccount.objects.search("7314801060").values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "subscriber_predial_prefix_idx" in plan
