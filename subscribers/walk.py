"""Reads of the walk index `subscriber_search_walk_idx` for the broad route of
registry search (see `subscribers.pages`).

The index holds, per zone, every account in search order (`search_order_key`)
with the columns a search tests, so a walk reads it without visiting the table.
A walk merges the zones in search order with one branch per zone.

The SQL is written here rather than built with the ORM: a director's walk has
one branch per zone, and building each with the ORM took longer than the
database took to run them.
"""

from dataclasses import dataclass

from django.db import connection

from subscribers.models import (
    SEARCH_ORDER_MODULUS,
    SEARCH_ORDER_MULTIPLIER,
    SubscriberAccount,
)
from subscribers.search import Term

# Index entries the first page of a search reads in search order to choose
# the route, and the fewer entries on which it counts each phrase and every
# match when it must estimate the exact route.
PROBE_ROWS = 5_000
STATS_ROWS = 1_000

TABLE = SubscriberAccount._meta.db_table
# The expression of search_order_key as the walk index stores it, with % doubled
# for the database driver.
ORDER_KEY = f"((id * {SEARCH_ORDER_MULTIPLIER}) %% {SEARCH_ORDER_MODULUS})"
CONTAINS = "strpos(search_text, %s) > 0"
# For a phrase with a street word at an end (see subscribers.search.Term).
PADDED_CONTAINS = "strpos(' ' || search_text || ' ', %s) > 0"


@dataclass
class Probe:
    """The first PROBE_ROWS entries of a walk: the matches among them as
    (key, pk) in search order, how many entries were read and the last key."""

    matches: list[tuple[int, int]]
    read: int
    last_key: int

    @property
    def exhausted(self) -> bool:
        """True when the walk has no entries beyond these."""
        return self.read < PROBE_ROWS


@dataclass
class Counts:
    """Estimated numbers of accounts that contain each phrase and that match
    every term, from the first STATS_ROWS entries of every zone."""

    phrases: list[float]
    matches: float


class Walk:
    """Reads of the walk index in search order for the accounts of `branches`
    (zone keys, None for the accounts without zone) matching `terms`."""

    def __init__(self, terms: list[Term], branches: list[int | None]):
        self.terms = terms
        self.branches = branches

    def probe(self) -> Probe:
        condition = walk_sql(self.terms)
        sql, params = self._entries({"matches": condition}, limit=PROBE_ROWS)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT array_agg(order_key ORDER BY order_key) FILTER (WHERE matches), "
                "array_agg(pk ORDER BY order_key) FILTER (WHERE matches), "
                f"count(*), max(order_key) FROM ({sql}) AS walked",
                params,
            )
            keys, pks, read, last_key = cursor.fetchone()
        return Probe(list(zip(keys or [], pks or [], strict=True)), read, last_key or 0)

    def counts(self) -> Counts:
        flags = {
            f"phrase_{index}_{variant}": (contains_sql(phrase), [phrase])
            for index, term in enumerate(self.terms)
            for variant, phrase in enumerate(term.phrases)
        }
        flags["matches"] = walk_sql(self.terms)
        sql, params = self._entries(flags, limit=STATS_ROWS)
        counts = ", ".join(f"count(*) FILTER (WHERE {name})" for name in flags)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT max(order_key), {counts} FROM ({sql}) AS walked", params
            )
            last_key, *found = cursor.fetchone()
        # The keys are spread evenly over [0, 2**32), so the share of that range
        # the entries cover is the share of the accounts they are.
        scale = SEARCH_ORDER_MODULUS / ((last_key or 0) + 1)
        return Counts([count * scale for count in found[:-1]], found[-1] * scale)

    def matches(self, limit: int, after=None, before=None, budget=None):
        """Return up to `limit` matches as (key, pk), from key `after` forwards
        or from `before` backwards. With a `budget`, read at most that many
        entries."""
        condition = walk_sql(self.terms)
        if budget is None:
            sql, params = self._entries(
                {}, after=after, before=before, limit=limit, where=condition
            )
            query = f"SELECT order_key, pk FROM ({sql}) AS walked"
        else:
            sql, params = self._entries(
                {"matches": condition}, after=after, before=before, limit=budget
            )
            query = f"SELECT order_key, pk FROM ({sql}) AS walked WHERE matches"
        direction = " DESC" if before is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"{query} ORDER BY order_key{direction} LIMIT %s", [*params, limit]
            )
            return cursor.fetchall()

    def _entries(self, flags, limit: int, after=None, before=None, where=None):
        """Return the SQL and parameters of the first `limit` entries in search
        order after `after` (or before `before`, backwards), merged from every
        branch, with a boolean column for each (SQL, parameters) of `flags`."""
        direction = " DESC" if before is not None else ""
        columns = "".join(f", {sql} AS {name}" for name, (sql, _p) in flags.items())
        column_params = [param for _sql, params in flags.values() for param in params]

        conditions, condition_params = [], []
        if after is not None:
            conditions.append(f"{ORDER_KEY} > %s")
            condition_params.append(after)
        if before is not None:
            conditions.append(f"{ORDER_KEY} < %s")
            condition_params.append(before)
        if where is not None:
            conditions.append(where[0])
            condition_params.extend(where[1])

        selects, params = [], []
        for zone in self.branches:
            zone_sql = "zone_id IS NULL" if zone is None else "zone_id = %s"
            selects.append(
                f"(SELECT {ORDER_KEY} AS order_key, id AS pk{columns} FROM {TABLE} "
                f"WHERE {' AND '.join([zone_sql, *conditions])} "
                f"ORDER BY {ORDER_KEY}{direction} LIMIT %s)"
            )
            zone_params = [] if zone is None else [zone]
            params += [*column_params, *zone_params, *condition_params, limit]

        union = " UNION ALL ".join(selects)
        return (
            f"SELECT * FROM ({union}) AS branches "
            f"ORDER BY order_key{direction} LIMIT %s",
            [*params, limit],
        )


def walk_sql(terms: list[Term]) -> tuple[str, list]:
    """Return the SQL and parameters of `match_condition` in a form no index
    serves (strpos), which the walk tests on each entry it reads. Every
    column it names is in the walk index."""
    parts, params = [], []
    for term in terms:
        alternatives = []
        for phrase in term.phrases:
            alternatives.append(contains_sql(phrase))
            params.append(phrase)
        if term.key:
            alternatives += [
                "strpos(account_code, %s) = 1",
                "strpos(billing_account, %s) = 1",
                "strpos(id_number, %s) = 1",
            ]
            params += [term.key, term.key, term.id_key]
            if term.id_and_check_digit:
                alternatives.append("(id_number = %s AND check_digit = %s)")
                params += list(term.id_and_check_digit)
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts), params


def contains_sql(phrase: str) -> str:
    """Return the SQL test that the search text contains `phrase`."""
    return CONTAINS if phrase == phrase.strip() else PADDED_CONTAINS
