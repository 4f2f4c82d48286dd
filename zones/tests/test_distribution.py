"""Property tests of the fair distribution: fairness, stability, determinism."""

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zones.distribution import Holding, distribute


@st.composite
def zones(draw):
    """A zone with 1 to 8 advisors, a random mix of new and existing customers, and
    current advisors that are in the set, outside it (ids 100+) or missing."""
    advisor_ids = draw(
        st.lists(st.integers(1, 30), min_size=1, max_size=8, unique=True)
    )
    current = st.one_of(st.none(), st.sampled_from(advisor_ids), st.integers(100, 102))
    rows = draw(st.lists(st.tuples(st.booleans(), current), max_size=60))
    holdings = [
        Holding(customer_id=number, is_new=is_new, advisor_id=advisor_id)
        for number, (is_new, advisor_id) in enumerate(rows, start=1)
    ]
    return holdings, advisor_ids


def counts(holdings, result, advisor_ids, is_new=None):
    chosen = [
        result[h.customer_id] for h in holdings if is_new is None or h.is_new == is_new
    ]
    tally = Counter(chosen)
    return [tally[advisor] for advisor in advisor_ids]


def kept(holdings, result):
    return sum(1 for h in holdings if result[h.customer_id] == h.advisor_id)


def best_possible_kept(holdings, advisor_ids):
    """Try every fair choice of who gets the remainders and count who could stay."""
    k = len(advisor_ids)
    best = 0
    held = {
        is_new: Counter(h.advisor_id for h in holdings if h.is_new == is_new)
        for is_new in (True, False)
    }
    size = {is_new: sum(held[is_new].values()) for is_new in (True, False)}
    for extra_new in itertools.combinations(advisor_ids, size[True] % k):
        for extra_existing in itertools.combinations(advisor_ids, size[False] % k):
            totals = [(a in extra_new) + (a in extra_existing) for a in advisor_ids]
            if max(totals) - min(totals) > 1:
                continue
            stay = 0
            for a in advisor_ids:
                stay += min(held[True][a], size[True] // k + (a in extra_new))
                stay += min(held[False][a], size[False] // k + (a in extra_existing))
            best = max(best, stay)
    return best


@given(zones())
def test_every_customer_gets_one_of_the_advisors(zone):
    holdings, advisor_ids = zone
    result = distribute(holdings=holdings, advisor_ids=advisor_ids)
    assert set(result) == {h.customer_id for h in holdings}
    assert set(result.values()) <= set(advisor_ids)


@given(zones())
def test_totals_differ_by_at_most_one(zone):
    holdings, advisor_ids = zone
    result = distribute(holdings=holdings, advisor_ids=advisor_ids)
    totals = counts(holdings, result, advisor_ids)
    assert max(totals) - min(totals) <= 1


@given(zones())
def test_new_counts_differ_by_at_most_one(zone):
    holdings, advisor_ids = zone
    result = distribute(holdings=holdings, advisor_ids=advisor_ids)
    new_counts = counts(holdings, result, advisor_ids, is_new=True)
    assert max(new_counts) - min(new_counts) <= 1


@given(zones())
def test_existing_counts_differ_by_at_most_one(zone):
    holdings, advisor_ids = zone
    result = distribute(holdings=holdings, advisor_ids=advisor_ids)
    existing_counts = counts(holdings, result, advisor_ids, is_new=False)
    assert max(existing_counts) - min(existing_counts) <= 1


@given(zones())
def test_nobody_moves_while_their_advisor_has_room(zone):
    """An advisor never receives a customer of a kind while losing one of the same."""
    holdings, advisor_ids = zone
    result = distribute(holdings=holdings, advisor_ids=advisor_ids)
    for is_new in (True, False):
        group = [h for h in holdings if h.is_new == is_new]
        losing = {h.advisor_id for h in group if result[h.customer_id] != h.advisor_id}
        gaining = {
            result[h.customer_id]
            for h in group
            if result[h.customer_id] != h.advisor_id
        }
        assert not (losing & gaining)


@settings(max_examples=150)
@given(zones())
def test_keeps_as_many_customers_as_any_fair_plan(zone):
    holdings, advisor_ids = zone
    result = distribute(holdings=holdings, advisor_ids=advisor_ids)
    assert kept(holdings, result) == best_possible_kept(holdings, advisor_ids)


@given(zones(), st.randoms())
def test_same_input_in_any_order_gives_same_plan(zone, random):
    holdings, advisor_ids = zone
    shuffled_holdings = list(holdings)
    shuffled_advisors = list(advisor_ids)
    random.shuffle(shuffled_holdings)
    random.shuffle(shuffled_advisors)
    first = distribute(holdings=holdings, advisor_ids=advisor_ids)
    second = distribute(holdings=shuffled_holdings, advisor_ids=shuffled_advisors)
    assert first == second


@given(zones())
def test_balanced_zone_stays_unchanged(zone):
    """Distributing an already fair assignment again moves nobody."""
    holdings, advisor_ids = zone
    first = distribute(holdings=holdings, advisor_ids=advisor_ids)
    settled = [Holding(h.customer_id, h.is_new, first[h.customer_id]) for h in holdings]
    again = distribute(holdings=settled, advisor_ids=advisor_ids)
    assert again == first


def test_example_split_of_new_and_existing():
    holdings = [Holding(n, n <= 4, None) for n in range(1, 11)]
    result = distribute(holdings=holdings, advisor_ids=[7, 3])
    new_counts = counts(holdings, result, [3, 7], is_new=True)
    existing_counts = counts(holdings, result, [3, 7], is_new=False)
    assert new_counts == [2, 2]
    assert existing_counts == [3, 3]


def test_no_advisors_is_rejected():
    with pytest.raises(ValueError):
        distribute(holdings=[], advisor_ids=[])
