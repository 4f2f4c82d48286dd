"""Workflows of zones: fair assignment of a zone's customers to advisors, and the
redistribution of an advisor's portfolio when they leave or go on leave.

Each workflow comes in two steps. The plan function computes what would change and
writes nothing; its digest identifies that exact plan. The confirm function recomputes
the plan, rejects it if the digest differs (the data changed after the director's
preview) and only then writes, in one transaction, and notifies the advisors.
"""

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from core.mail import email_queue
from core.models import OutgoingEmail
from customers.models import Customer
from zones.distribution import Holding, distribute
from zones.models import AssignmentRun, CustomerAssignment, Zone

logger = logging.getLogger(__name__)

ASSIGNMENT_EMAIL_KIND = OutgoingEmail.Kind.ZONE_ASSIGNMENT
REDISTRIBUTION_EMAIL_KIND = OutgoingEmail.Kind.PORTFOLIO_REDISTRIBUTION


class AssignmentError(Exception):
    """An assignment request that cannot be carried out; the message is for staff."""


class StalePlanError(AssignmentError):
    """The data changed after the preview; `plan` is the preview of the current data."""

    def __init__(self, message: str, *, plan):
        super().__init__(message)
        self.plan = plan


@dataclass(frozen=True)
class CustomerMove:
    """One customer that changes hands; `advisor` is None when left unassigned."""

    customer: Customer
    previous_advisor: User | None
    advisor: User | None


@dataclass(frozen=True)
class AdvisorShare:
    """One advisor's portfolio in a zone after the plan, and how much of it changes."""

    advisor: User
    new_count: int
    existing_count: int
    received: int
    released: int

    @property
    def total(self) -> int:
        return self.new_count + self.existing_count


@dataclass(frozen=True)
class AssignmentPlan:
    """The fair distribution of a zone's customers among the chosen advisors."""

    zone: Zone
    advisors: tuple[User, ...]
    shares: tuple[AdvisorShare, ...]
    moves: tuple[CustomerMove, ...]
    new_count: int
    existing_count: int
    digest: str

    @property
    def customer_count(self) -> int:
        return self.new_count + self.existing_count


@dataclass(frozen=True)
class RedistributionPlan:
    """The spread of a departing advisor's customers over each of their zones."""

    advisor: User
    zone_plans: tuple[AssignmentPlan, ...]
    # Customers with no zone, or whose zone has no other available advisor.
    unassigned: tuple[CustomerMove, ...]
    digest: str
    moves: tuple[CustomerMove, ...] = field(init=False)

    def __post_init__(self):
        moves = [move for plan in self.zone_plans for move in plan.moves]
        object.__setattr__(self, "moves", (*moves, *self.unassigned))

    @property
    def customer_count(self) -> int:
        """Number of customers assigned to the departing advisor now."""
        return sum(1 for move in self.moves if move.previous_advisor == self.advisor)


def assignable_advisors():
    """Advisors who may receive customers: active, advisor role, available."""
    return User.objects.advisors().filter(available_for_assignment=True)


def assignment_plan(*, zone: Zone, advisors: Sequence[User]) -> AssignmentPlan:
    """Compute the fair assignment of every customer of `zone` to `advisors`.

    Writes nothing. Customers already with one of `advisors` stay where the quotas
    allow, so repeating a confirmed plan moves no customer.
    """
    _check_zone_and_advisors(zone, advisors)
    customers = Customer.objects.filter(zone=zone).select_related("advisor")
    return _build_plan(zone, advisors, customers)


def assignment_confirm(
    *, zone: Zone, advisors: Sequence[User], user: User, plan_digest: str
) -> AssignmentRun:
    """Apply the previewed assignment of `zone` and e-mail each advisor their share.

    Raises StalePlanError, carrying the current plan, when the customers or advisors
    changed after the preview identified by `plan_digest`.
    """
    with transaction.atomic():
        # Locking the zone serialises two confirmations of the same zone.
        Zone.objects.select_for_update().get(pk=zone.pk)
        _lock_customers(Customer.objects.filter(zone=zone))
        plan = assignment_plan(zone=zone, advisors=advisors)
        _check_digest(plan, plan_digest)
        if plan.customer_count == 0:
            raise AssignmentError(
                _("La zona %(zone)s no tiene clientes; no hay nada que asignar.")
                % {"zone": zone.name}
            )

        run = AssignmentRun.objects.create(
            kind=AssignmentRun.Kind.ASSIGN,
            zone=zone,
            created_by=user,
            customer_count=len(plan.moves),
        )
        _apply_moves(plan.moves, run=run, user=user)
        # The chosen advisors now have every customer of the zone, so they are the
        # zone's advisors. Advisors left out have no customers there any more.
        zone.advisors.set(plan.advisors)
        for share in plan.shares:
            _notify_assignment(plan, share, user=user)

    logger.info(
        "Assignment run %s: zone %s, %s customers moved among %s advisors",
        run.pk,
        zone.pk,
        len(plan.moves),
        len(plan.advisors),
    )
    return run


def advisor_redistribution_plan(*, advisor: User) -> RedistributionPlan:
    """Compute how `advisor`'s customers are spread when they stop taking customers.

    In each zone of their customers, the pool is those customers plus the ones held
    by the zone's other available advisors, distributed fairly among the latter.
    Writes nothing.
    """
    customers = Customer.objects.filter(advisor=advisor).select_related(
        "advisor", "zone"
    )
    by_zone = defaultdict(list)
    unassigned = []
    for customer in customers.order_by("pk"):
        if customer.zone is None:
            unassigned.append(CustomerMove(customer, advisor, None))
        else:
            by_zone[customer.zone].append(customer)

    zone_plans = []
    for zone in sorted(by_zone, key=lambda item: item.pk):
        receivers = [
            other
            for other in assignable_advisors().filter(zones=zone)
            if other.pk != advisor.pk
        ]
        if not receivers:
            unassigned += [CustomerMove(c, advisor, None) for c in by_zone[zone]]
            continue
        pool = Customer.objects.filter(
            zone=zone, advisor__in=[advisor, *receivers]
        ).select_related("advisor")
        zone_plans.append(_build_plan(zone, receivers, pool))

    digest = _digest(
        [
            advisor.pk,
            [plan.digest for plan in zone_plans],
            [move.customer.pk for move in unassigned],
        ]
    )
    return RedistributionPlan(
        advisor=advisor,
        zone_plans=tuple(zone_plans),
        unassigned=tuple(unassigned),
        digest=digest,
    )


def advisor_redistribute(
    *, advisor: User, user: User, reason: str, plan_digest: str
) -> AssignmentRun:
    """Mark `advisor` unavailable and apply the previewed spread of their customers.

    Receivers are e-mailed what they got. Raises StalePlanError, carrying the current
    plan, when the data changed after the preview identified by `plan_digest`.
    """
    reason = reason.strip()
    if not reason:
        raise AssignmentError(
            _("Escriba el motivo de la redistribución (retiro, licencia, ...).")
        )

    with transaction.atomic():
        User.objects.select_for_update().get(pk=advisor.pk)
        _lock_customers(Customer.objects.filter(advisor=advisor))
        plan = advisor_redistribution_plan(advisor=advisor)
        _check_digest(plan, plan_digest)

        advisor.available_for_assignment = False
        advisor.save(update_fields=["available_for_assignment"])
        run = AssignmentRun.objects.create(
            kind=AssignmentRun.Kind.REDISTRIBUTE,
            departing_advisor=advisor,
            note=reason,
            created_by=user,
            customer_count=len(plan.moves),
        )
        _apply_moves(plan.moves, run=run, user=user)
        _notify_redistribution(plan, user=user)

    logger.info(
        "Redistribution run %s: advisor %s marked unavailable, %s customers moved",
        run.pk,
        advisor.pk,
        len(plan.moves),
    )
    return run


def advisor_mark_available(*, advisor: User, user: User) -> None:
    """Let `advisor` receive customers again, e.g. back from leave.

    Their former customers do not come back by themselves; the next zone assignment
    that includes them gives them a fair share.
    """
    advisor.available_for_assignment = True
    advisor.save(update_fields=["available_for_assignment"])
    logger.info("Advisor %s marked available by user %s", advisor.pk, user.pk)


def _check_zone_and_advisors(zone: Zone, advisors: Sequence[User]) -> None:
    if not zone.is_active:
        raise AssignmentError(
            _("La zona %(zone)s está inactiva; actívela antes de asignar clientes.")
            % {"zone": zone.name}
        )
    if not advisors:
        raise AssignmentError(_("Elija al menos un asesor para la zona."))

    allowed = set(
        assignable_advisors()
        .filter(pk__in=[a.pk for a in advisors])
        .values_list("pk", flat=True)
    )
    for advisor in advisors:
        if advisor.pk not in allowed:
            raise AssignmentError(
                _(
                    "%(advisor)s no puede recibir clientes: debe ser un asesor "
                    "comercial activo y disponible para asignación."
                )
                % {"advisor": advisor}
            )


def _build_plan(
    zone: Zone, advisors: Sequence[User], customers: Iterable[Customer]
) -> AssignmentPlan:
    customers = sorted(customers, key=lambda customer: customer.pk)
    advisors_by_pk = {advisor.pk: advisor for advisor in advisors}
    holdings = [
        Holding(
            customer_id=customer.pk,
            is_new=customer.customer_type == Customer.CustomerType.NEW,
            advisor_id=customer.advisor_id,
        )
        for customer in customers
    ]
    chosen = distribute(holdings=holdings, advisor_ids=list(advisors_by_pk))

    moves = [
        CustomerMove(customer, customer.advisor, advisors_by_pk[chosen[customer.pk]])
        for customer in customers
        if chosen[customer.pk] != customer.advisor_id
    ]
    new_count = sum(1 for holding in holdings if holding.is_new)
    digest = _digest(
        [
            zone.pk,
            sorted(advisors_by_pk),
            [
                [h.customer_id, h.is_new, h.advisor_id, chosen[h.customer_id]]
                for h in holdings
            ],
        ]
    )
    return AssignmentPlan(
        zone=zone,
        advisors=tuple(sorted(advisors, key=_name_order)),
        shares=_shares(advisors, holdings, chosen),
        moves=tuple(
            sorted(moves, key=lambda move: (move.customer.sort_name, move.customer.pk))
        ),
        new_count=new_count,
        existing_count=len(holdings) - new_count,
        digest=digest,
    )


def _shares(
    advisors: Sequence[User], holdings: list[Holding], chosen: dict[int, int]
) -> tuple[AdvisorShare, ...]:
    tally = defaultdict(lambda: defaultdict(int))
    for holding in holdings:
        target = chosen[holding.customer_id]
        tally[target]["new" if holding.is_new else "existing"] += 1
        if target != holding.advisor_id:
            tally[target]["received"] += 1
            tally[holding.advisor_id]["released"] += 1
    return tuple(
        AdvisorShare(
            advisor=advisor,
            new_count=tally[advisor.pk]["new"],
            existing_count=tally[advisor.pk]["existing"],
            received=tally[advisor.pk]["received"],
            released=tally[advisor.pk]["released"],
        )
        for advisor in sorted(advisors, key=_name_order)
    )


def _name_order(advisor: User) -> tuple[str, int]:
    return advisor.sort_name, advisor.pk


def _digest(payload) -> str:
    text = json.dumps(payload, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _check_digest(plan, plan_digest: str) -> None:
    if plan.digest != plan_digest:
        raise StalePlanError(
            _(
                "Los clientes o los asesores cambiaron después de la vista previa. "
                "Revise la nueva vista previa y confirme de nuevo."
            ),
            plan=plan,
        )


def _lock_customers(customers) -> None:
    # PostgreSQL locks the rows until the transaction ends; SQLite ignores
    # select_for_update, but its IMMEDIATE transactions already serialise writers.
    list(customers.select_for_update(of=("self",)).values_list("pk", flat=True))


def _apply_moves(
    moves: Sequence[CustomerMove], *, run: AssignmentRun, user: User
) -> None:
    """Write each customer's new advisor with its history row and assignment record."""
    now = timezone.now()
    customers = []
    for move in moves:
        move.customer.advisor = move.advisor
        move.customer.updated_at = now
        customers.append(move.customer)
    bulk_update_with_history(
        customers,
        Customer,
        ["advisor", "updated_at"],
        default_user=user,
        default_change_reason=run.get_kind_display(),
        default_date=now,
    )
    CustomerAssignment.objects.bulk_create(
        CustomerAssignment(
            customer=move.customer,
            advisor=move.advisor,
            previous_advisor=move.previous_advisor,
            zone=move.customer.zone,
            run=run,
            assigned_by=user,
        )
        for move in moves
    )


def _portfolio_url() -> str:
    return settings.SITE_URL + reverse("customers:list")


def _notify_assignment(
    plan: AssignmentPlan, share: AdvisorShare, *, user: User
) -> None:
    advisor = share.advisor
    if not advisor.email:
        logger.warning(
            "Advisor %s has no e-mail; assignment notice skipped", advisor.pk
        )
        return
    subject = ngettext(
        "Asignación de zona %(zone)s: %(count)d cliente",
        "Asignación de zona %(zone)s: %(count)d clientes",
        share.total,
    ) % {"zone": plan.zone.name, "count": share.total}
    email_queue(
        kind=ASSIGNMENT_EMAIL_KIND,
        to=[advisor.email],
        subject=subject,
        template="zones/email/assignment",
        context={
            "advisor": advisor,
            "zone": plan.zone,
            "share": share,
            "portfolio_url": _portfolio_url(),
        },
        created_by=user,
    )


def _notify_redistribution(plan: RedistributionPlan, *, user: User) -> None:
    """E-mail each advisor who receives customers, one message per advisor."""
    received = defaultdict(list)
    for zone_plan in plan.zone_plans:
        for share in zone_plan.shares:
            if share.received:
                received[share.advisor].append((zone_plan.zone, share))

    for advisor, zone_shares in sorted(received.items(), key=lambda item: item[0].pk):
        if not advisor.email:
            logger.warning(
                "Advisor %s has no e-mail; redistribution notice skipped", advisor.pk
            )
            continue
        count = sum(share.received for _zone, share in zone_shares)
        subject = ngettext(
            "Redistribución de cartera: recibió %(count)d cliente",
            "Redistribución de cartera: recibió %(count)d clientes",
            count,
        ) % {"count": count}
        email_queue(
            kind=REDISTRIBUTION_EMAIL_KIND,
            to=[advisor.email],
            subject=subject,
            template="zones/email/redistribution",
            context={
                "advisor": advisor,
                "departing_advisor": plan.advisor,
                "zone_shares": zone_shares,
                "received_count": count,
                "portfolio_url": _portfolio_url(),
            },
            created_by=user,
        )
