"""Pages of the registry list, with or without a search.

On PostgreSQL a search page is read along one of two routes:

- Exact: every match is read through the trigram and b-tree indexes, sorted by
  account code and counted. Its cost grows with the matches and with how
  common the searched words are. When a term reads as a house number («14
  64»), the accounts with it in the address come first, then those whose
  code or ID starts with its digits.
- Broad: the covering index `subscriber_search_walk_idx` is read in search
  order (`search_order_key`, a fixed order that looks random) until a page of
  matches turns up, without visiting the table. Its cost grows with the
  entries read per match, so it suits queries that many accounts match. The
  index leads with the zone, so an advisor reads only their zones, and the
  zones are merged in search order. Pages link by key (`desde`, `hasta`), their
  order means nothing to the user, and the matches are not counted. A house
  number's address matches cannot come first here, because that needs every
  match read.

The first page of a search reads PROBE_ROWS entries in search order (the
probe), and the matches among them choose the route by its estimated cost. A
registry smaller than the probe, a long number, SQLite and a search combined
with the other filters take the exact route. The links of a page keep its
route.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Case, Value, When

from subscribers.models import SEARCH_ORDER_MODULUS
from subscribers.search import (
    Term,
    address_condition,
    has_trigrams,
    match_condition,
    matches_cadastral_number,
)
from subscribers.walk import Walk
from zones.models import Zone

PAGE_SIZE = 50
# Most index entries a broad first page reads before it takes the exact route.
WALK_LIMIT = 50_000
# Estimated costs on the exact route, in index entries read on the broad route:
# an account that the trigram index lists for one phrase, and an account read
# from the table because it matches every term. Measured with bench/run.py
# registry_search (1,000,000 accounts, PostgreSQL 15, 2 shared cores): about
# 0.5 µs per entry read and tested, 0.2 to 0.3 µs per trigram posting, and 5 µs
# per account read from the table.
POSTING_COST = 0.5
MATCH_COST = 10
# A number with this many digits starts few codes and IDs, so its search takes
# the exact route without a probe.
LONG_NUMBER_DIGITS = 6


@dataclass
class AccountPage:
    """One page of the registry list.

    `total` is the number of matches when it is known (exact route of a search),
    else None. `scattered` is true on the broad route, whose pages follow the
    search order and link by key. Without a search, the list reads one row more
    than the page to know whether a next page exists: counting a million
    accounts takes many times longer than reading the page.
    """

    object_list: list
    number: int
    has_next: bool
    total: int | None = None
    scattered: bool = False
    first_key: int | None = None
    last_key: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.object_list)

    @property
    def is_complete(self) -> bool:
        """True when this page contains every match, so its size is the total."""
        return self.number == 1 and not self.has_next

    @property
    def next_query(self) -> str:
        """The page parameters of the link to the next page."""
        if self.scattered:
            return urlencode({"desde": self.last_key, "page": self.number + 1})
        return urlencode({"page": self.number + 1})

    @property
    def previous_query(self) -> str:
        """The page parameters of the link to the previous page."""
        if self.scattered and self.number > 2:
            return urlencode({"hasta": self.first_key, "page": self.number - 1})
        return urlencode({"page": self.number - 1})


def page_number(value) -> int:
    """Return `value` as a page number (1 for anything that is not a positive
    integer)."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def order_key(value) -> int | None:
    """Return `value` as a search-order key, or None when it is not one."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return key if 0 <= key < SEARCH_ORDER_MODULUS else None


def account_page(queryset, number) -> AccountPage:
    """Return page `number` of `queryset`, which is ordered, without counting."""
    number = page_number(number)
    offset = (number - 1) * PAGE_SIZE
    # Sort and cut the primary keys alone, then read the page's rows: a broad
    # listing covers a million accounts, and joining each to its
    # municipality before the sort costs more than the listing.
    keys = list(queryset.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
    return AccountPage(_rows(queryset, keys[:PAGE_SIZE]), number, len(keys) > PAGE_SIZE)


def search_page(
    accounts,
    terms: list[Term],
    parameters,
    zones: list[int] | None,
    filtered: bool = False,
) -> AccountPage:
    """Return the page of `accounts` matching `terms` that the request
    `parameters` (page, desde, hasta) ask for.

    `accounts` are the accounts in `zones` (from `visible_zone_ids`, None for
    every account) with the list's filters applied. `filtered` is true when
    filters other than the zones were applied.
    """
    number = page_number(parameters.get("page"))
    after = order_key(parameters.get("desde"))
    before = order_key(parameters.get("hasta"))
    if zones == []:
        return AccountPage([], number, False, total=0)
    if connection.vendor != "postgresql" or filtered:
        return _exact_page(accounts, terms, number)
    walk = Walk(terms, _branches(zones))
    if after is not None:
        return _broad_page(
            accounts, walk.matches(after=after, limit=PAGE_SIZE + 1), number
        )
    if before is not None:
        keys = walk.matches(before=before, limit=PAGE_SIZE)
        return _broad_page(accounts, keys[::-1], number, has_next=True)
    if number == 1 and not _is_narrow(terms):
        page = _first_broad_page(accounts, terms, walk)
        if page is not None:
            return page
    return _exact_page(accounts, terms, number)


def _branches(zones: list[int] | None) -> list[int | None]:
    """Return the zones to walk, None standing for the accounts without zone."""
    if zones is not None:
        return list(zones)
    return [*Zone.objects.order_by("pk").values_list("pk", flat=True), None]


def _is_narrow(terms) -> bool:
    """True when a term is a long number, which few accounts match, or a number
    searched in the cadastral number, which the walk index does not contain."""
    return any(
        (len(term.key) >= LONG_NUMBER_DIGITS and not term.phrases)
        or matches_cadastral_number(term)
        for term in terms
    )


def _first_broad_page(accounts, terms, walk) -> AccountPage | None:
    """Return the first page on the broad route, or None when the exact route
    is estimated cheaper."""
    probe = walk.probe()
    if probe.exhausted:
        # A registry this small is read whole at less cost than the probe.
        return None
    found = probe.matches
    if len(found) > PAGE_SIZE:
        return _broad_page(accounts, found[: PAGE_SIZE + 1], 1)
    if not found:
        # Nothing to extrapolate from: the matches are too few to walk to.
        # NOTE: for an advisor this includes a phrase common in other zones
        # only, and the exact route then reads those zones' matches as well,
        # because the trigram index has no zone.
        return None
    walk_rows = (PAGE_SIZE + 1 - len(found)) * probe.read / len(found)
    if walk_rows > WALK_LIMIT or walk_rows > _exact_cost(terms):
        return None
    more = walk.matches(
        after=probe.last_key,
        limit=PAGE_SIZE + 1 - len(found),
        budget=min(WALK_LIMIT - probe.read, int(2 * walk_rows) + 1),
    )
    if len(found) + len(more) <= PAGE_SIZE:
        return None
    return _broad_page(accounts, found + more, 1)


def _exact_cost(terms) -> float:
    """Estimate the cost of the exact route in index entries read: the trigram
    index lists the accounts that contain each phrase, and the table is read
    for every account that matches all the terms, visible or not."""
    counts = Walk(terms, _branches(None)).counts()
    per_term = []
    position = 0
    for term in terms:
        per_term.append(counts.phrases[position : position + len(term.phrases)])
        position += len(term.phrases)
    # The index serves a term only when each of its phrases has trigrams. A
    # phrase such as " dg ", the street word that «dia» may begin, has none,
    # so its term is tested on the rows the other terms find. A query with
    # no such term scans the table, which the sum of every count stands for.
    indexed = [
        sum(term_counts)
        for term, term_counts in zip(terms, per_term, strict=True)
        if term.phrases and all(has_trigrams(phrase) for phrase in term.phrases)
    ]
    postings = sum(indexed) if indexed else sum(counts.phrases)
    return postings * POSTING_COST + counts.matches * MATCH_COST


def _broad_page(accounts, keys, number, has_next=None) -> AccountPage:
    page_keys = keys[:PAGE_SIZE]
    return AccountPage(
        _rows(accounts, [pk for _key, pk in page_keys]),
        number,
        len(keys) > PAGE_SIZE if has_next is None else has_next,
        scattered=True,
        first_key=page_keys[0][0] if page_keys else None,
        last_key=page_keys[-1][0] if page_keys else None,
    )


def _exact_page(accounts, terms, number) -> AccountPage:
    """Return page `number` of every match in account-code order, a house
    number's address matches first, with the number of matches."""
    offset = (number - 1) * PAGE_SIZE
    matching, order = _with_sort_columns(
        accounts.filter(match_condition(terms)).order_by(), terms
    )

    if connection.vendor != "postgresql":
        total = matching.count()
        keys = matching.order_by(*order).values_list("pk", flat=True)
        page_keys = list(keys[offset : offset + PAGE_SIZE])
        return AccountPage(
            _rows(accounts, page_keys),
            number,
            offset + PAGE_SIZE < total,
            total=total,
        )

    sql, params = matching.values(*order).query.sql_with_params()
    with connection.cursor() as cursor:
        # OFFSET 0 keeps the planner from walking the account-code index and
        # testing each account: it must read the matches through their
        # indexes and sort them, which the count needs anyway.
        cursor.execute(
            "SELECT pk, count(*) OVER () "
            f"FROM ({sql} OFFSET 0) AS matching "
            f"ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
            [*params, PAGE_SIZE, offset],
        )
        rows = cursor.fetchall()

    # A page past the end has no rows to carry the count, so it stays unknown.
    if rows:
        total = rows[0][1]
    elif offset == 0:
        total = 0
    else:
        total = None
    page_keys = [pk for pk, _total in rows]
    has_next = total is not None and offset + PAGE_SIZE < total
    return AccountPage(_rows(accounts, page_keys), number, has_next, total=total)


def _with_sort_columns(matching, terms) -> tuple:
    """Return `matching` and the columns that sort it: the account code, after
    a rank that puts first the accounts that have in their address every term
    read as a house number. A query such as «14 64» then lists the addresses
    with «14-64» before the codes and IDs that start with 1464."""
    in_address = address_condition(terms)
    if in_address is None:
        return matching, ["account_code", "pk"]
    rank = Case(When(in_address, then=Value(0)), default=Value(1))
    return matching.annotate(address_rank=rank), ["address_rank", "account_code", "pk"]


def _rows(accounts, keys) -> list:
    """Read the accounts with primary keys `keys`, in that order."""
    by_key = accounts.order_by().in_bulk(keys)
    return [by_key[key] for key in keys if key in by_key]
