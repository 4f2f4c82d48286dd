"""The arithmetic of a fair distribution of customers among advisors, without the ORM.

Fair means: the totals per advisor differ by at most one, and so do the new and the
existing ("nuevo" / "antiguo") counts each. Among the distributions that are fair, the
one chosen keeps the largest number of customers with the advisor they already have.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Holding:
    """A customer reduced to what the distribution needs: kind and current advisor."""

    customer_id: int
    is_new: bool
    advisor_id: int | None


def distribute(
    *, holdings: Sequence[Holding], advisor_ids: Sequence[int]
) -> dict[int, int]:
    """Return the advisor chosen for every customer, as {customer_id: advisor_id}.

    The result depends only on the set of holdings and advisors, not on their order.
    """
    advisors = sorted(set(advisor_ids))
    if not advisors:
        raise ValueError("advisor_ids is empty; distribute() requires one or more.")

    by_kind = {True: [], False: []}
    for holding in sorted(holdings, key=lambda item: item.customer_id):
        by_kind[holding.is_new].append(holding)

    quotas = _quotas(advisors, by_kind)
    result = {}
    for is_new, group in by_kind.items():
        result.update(_fill(advisors, group, quotas[is_new]))
    return result


def _quotas(
    advisors: list[int], by_kind: dict[bool, list[Holding]]
) -> dict[bool, dict[int, int]]:
    """Return how many new and how many existing customers each advisor receives."""
    count = len(advisors)
    base = {is_new: len(group) // count for is_new, group in by_kind.items()}
    extra_slots = {is_new: len(group) % count for is_new, group in by_kind.items()}

    # An extra customer of a kind keeps one more customer in place only for an
    # advisor who already has more than the base number of that kind.
    wants_extra = {}
    for is_new, group in by_kind.items():
        held = defaultdict(int)
        for holding in group:
            held[holding.advisor_id] += 1
        wants_extra[is_new] = {a for a in advisors if held[a] > base[is_new]}

    extra_new, extra_existing = _choose_extra_slots(
        advisors,
        wants_first=wants_extra[True],
        wants_second=wants_extra[False],
        first_slots=extra_slots[True],
        second_slots=extra_slots[False],
    )
    return {
        True: {a: base[True] + (a in extra_new) for a in advisors},
        False: {a: base[False] + (a in extra_existing) for a in advisors},
    }


def _choose_extra_slots(
    advisors: list[int],
    *,
    wants_first: set[int],
    wants_second: set[int],
    first_slots: int,
    second_slots: int,
) -> tuple[set[int], set[int]]:
    """Choose who gets the remainder of each kind so that totals stay within one.

    With no more remainders than advisors, nobody may get both. With more, everyone
    gets at least one, which is the same problem for those who go without each kind.
    """
    count = len(advisors)
    if first_slots + second_slots <= count:
        return _pick_disjoint(
            advisors, wants_first, wants_second, first_slots, second_slots
        )

    everyone = set(advisors)
    without_first, without_second = _pick_disjoint(
        advisors,
        everyone - wants_first,
        everyone - wants_second,
        count - first_slots,
        count - second_slots,
    )
    return everyone - without_first, everyone - without_second


def _pick_disjoint(
    advisors: list[int],
    wants_first: set[int],
    wants_second: set[int],
    first_slots: int,
    second_slots: int,
) -> tuple[set[int], set[int]]:
    """Pick two disjoint groups of the given sizes, satisfying the most wishes.

    Advisors who want only one kind are placed first, then those who want either,
    then the rest. Each advisor satisfies at most one wish, so no other choice
    satisfies more.
    """
    only_first = [a for a in advisors if a in wants_first and a not in wants_second]
    only_second = [a for a in advisors if a in wants_second and a not in wants_first]
    both = [a for a in advisors if a in wants_first and a in wants_second]

    first = only_first[:first_slots]
    second = only_second[:second_slots]
    for advisor in both:
        if len(first) < first_slots:
            first.append(advisor)
        elif len(second) < second_slots:
            second.append(advisor)

    taken = set(first) | set(second)
    rest = [a for a in advisors if a not in taken]
    missing_first = first_slots - len(first)
    first += rest[:missing_first]
    second += rest[missing_first:][: second_slots - len(second)]
    return set(first), set(second)


def _fill(
    advisors: list[int], group: list[Holding], quota: dict[int, int]
) -> dict[int, int]:
    """Keep each advisor's customers up to their quota and hand out the rest."""
    result = {}
    room = dict(quota)
    pool = []
    for holding in group:
        if room.get(holding.advisor_id, 0) > 0:
            result[holding.customer_id] = holding.advisor_id
            room[holding.advisor_id] -= 1
        else:
            pool.append(holding)

    receivers = iter(a for a in advisors for _ in range(room[a]))
    for holding in pool:
        result[holding.customer_id] = next(receivers)
    return result
