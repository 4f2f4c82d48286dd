"""The rule for "complete proof" of an executed service, and the coordinator's
inbox of executed services whose proof is incomplete.

An order's proof is complete when every requirement of settings.PROOF_REQUIRED_KINDS
is met by at least one uploaded proof, plus PROOF_WEIGHED_REQUIRED_KINDS when a line
of the order is charged by weight (its unit is in PROOF_WEIGHED_UNITS). Each
requirement is a string of proof kinds separated by "|", any of which meets it: the
default "orden_firmada|acta_obra" takes a signed service order or a works record.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Prefetch

from field_work.models import ServiceProof
from service_orders.models import ServiceOrder, ServiceOrderLine
from tariffs.models import Unit


@dataclass(frozen=True)
class Requirement:
    """One required proof, met by any of `kinds`."""

    kinds: tuple[str, ...]

    @property
    def label(self) -> str:
        labels = dict(ServiceProof.Kind.choices)
        return " o ".join(str(labels.get(kind, kind)) for kind in self.kinds)


def _parse(entries) -> list[Requirement]:
    requirements = []
    for entry in entries:
        kinds = tuple(kind.strip() for kind in entry.split("|") if kind.strip())
        if kinds:
            requirements.append(Requirement(kinds))
    return requirements


def _weighed_units() -> set[str]:
    """Return the folded codes and labels of settings.PROOF_WEIGHED_UNITS, because
    order lines copy the quotation's unit label ("Tonelada"), not the code."""
    units = set()
    for code in settings.PROOF_WEIGHED_UNITS:
        units.add(code.strip().lower())
        if code in Unit.values:
            units.add(str(Unit(code).label).lower())
    return units


def _is_weighed(order: ServiceOrder) -> bool:
    # Uses the prefetched lines when the caller loaded them.
    weighed = _weighed_units()
    return any(line.unit.strip().lower() in weighed for line in order.lines.all())


def _proof_kinds(order: ServiceOrder) -> set[str]:
    return {proof.kind for proof in order.proofs.all()}


def proof_requirements(order: ServiceOrder) -> list[Requirement]:
    """Return the proof requirements of `order` under the current settings."""
    requirements = _parse(settings.PROOF_REQUIRED_KINDS)
    if _is_weighed(order):
        requirements += _parse(settings.PROOF_WEIGHED_REQUIRED_KINDS)
    return requirements


def proof_missing(order: ServiceOrder) -> list[Requirement]:
    """Return the requirements of `order` that no uploaded proof meets yet."""
    present = _proof_kinds(order)
    return [
        requirement
        for requirement in proof_requirements(order)
        if not present.intersection(requirement.kinds)
    ]


def proof_is_complete(order: ServiceOrder) -> bool:
    """Return True when the uploaded proof of `order` meets every requirement."""
    return not proof_missing(order)


def proof_count(order: ServiceOrder) -> int:
    """Return the number of proof files uploaded for `order`."""
    return order.proofs.count()


@dataclass(frozen=True)
class InboxRow:
    order: ServiceOrder
    age_days: int
    missing: list[Requirement]
    proof_count: int


@dataclass(frozen=True)
class InboxDay:
    executed_on: date
    rows: list[InboxRow]


def proof_inbox(*, user, today: date) -> list[InboxDay]:
    """Return the executed orders `user` may see that are not handed over to billing
    and lack complete proof, grouped by execution day, oldest day first."""
    orders = (
        ServiceOrder.objects.visible_to(user)
        .filter(status=ServiceOrder.Status.EXECUTED, handoff__isnull=True)
        .select_related("customer", "supervisor")
        .prefetch_related(
            Prefetch("lines", queryset=ServiceOrderLine.objects.only("order", "unit")),
            Prefetch("proofs", queryset=ServiceProof.objects.only("order", "kind")),
        )
        .order_by("executed_on", "code")
    )
    # NOTE: completeness is evaluated in Python for every executed order that is
    # not handed over yet; that set is about one month of services.
    days: dict[date, list[InboxRow]] = {}
    for order in orders:
        missing = proof_missing(order)
        if not missing:
            continue
        row = InboxRow(
            order=order,
            age_days=(today - order.executed_on).days,
            missing=missing,
            proof_count=len(order.proofs.all()),
        )
        days.setdefault(order.executed_on, []).append(row)
    return [InboxDay(executed_on=day, rows=rows) for day, rows in days.items()]
