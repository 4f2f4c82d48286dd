"""The «Pendientes» panel of the start page: for each role, how many records wait
on the user, each with a link to the page that lists them.

Every count starts from the app's `visible_to(user)` queryset, as the linked page
does, and reuses the app's own rule (proof_inbox, handoff_blockers,
orders_awaiting_aforo, delivery_candidates, novelty_report, the follow-up rows),
so a count matches what the user can open. An item appears only to the roles
whose work it is, and each of those roles may open its link.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.roles import Role
from billing.periods import Month
from billing.services import handoff_blockers
from certificates.models import Certificate
from field_work.proof import proof_inbox
from field_work.services import orders_awaiting_aforo
from onboarding.models import Onboarding
from quotations.followup import follow_up_rows_for
from quotations.models import Quotation
from quote_requests.models import QuoteRequest
from service_orders.models import ServiceOrder
from subscribers.models import Competitor
from tariffs.models import TariffVersion
from terminations.models import TerminationRequest
from terminations.services import delivery_candidates, novelty_report
from terminations.views import (
    DEADLINE_DUE_FILTER,
    DEADLINE_OVERDUE_FILTER,
    FLAG_FILTERS,
)
from visits.models import Visit


@dataclass(frozen=True)
class PendingItem:
    """A number of records waiting on the user, and the page that lists them."""

    count: int
    # The noun phrase after the number, singular or plural by ngettext.
    label: str
    url: str


# A check returns the items of one kind of pending work, zero counts included.
Check = Callable[..., list[PendingItem]]


def _url(name: str, query: str = "") -> str:
    return f"{reverse(name)}?{query}" if query else reverse(name)


# --- Director ---------------------------------------------------------------------


def certificates_to_sign(user, today: date) -> list[PendingItem]:
    count = (
        Certificate.objects.visible_to(user)
        .filter(status=Certificate.Status.DRAFT)
        .count()
    )
    label = ngettext("certificado por firmar", "certificados por firmar", count)
    return [PendingItem(count, label, _url("certificates:list", "estado=borrador"))]


def prices_to_approve(user, today: date) -> list[PendingItem]:
    count = (
        Quotation.objects.visible_to(user)
        .filter(price_approval=Quotation.PriceApproval.PENDING)
        .count()
    )
    label = ngettext(
        "cotización con precios por aprobar",
        "cotizaciones con precios por aprobar",
        count,
    )
    return [PendingItem(count, label, _url("quotations:approvals"))]


def tariff_versions_to_approve(user, today: date) -> list[PendingItem]:
    count = TariffVersion.objects.filter(status=TariffVersion.Status.DRAFT).count()
    label = ngettext(
        "versión del tarifario por aprobar",
        "versiones del tarifario por aprobar",
        count,
    )
    return [PendingItem(count, label, _url("tariffs:version_list", "estado=borrador"))]


# --- Coordinator ------------------------------------------------------------------


def services_without_proof(user, today: date) -> list[PendingItem]:
    days = proof_inbox(user=user, today=today)
    count = sum(len(day.rows) for day in days)
    label = ngettext(
        "servicio ejecutado sin soportes completos",
        "servicios ejecutados sin soportes completos",
        count,
    )
    return [PendingItem(count, label, _url("field_work:inbox"))]


def months_ready_for_billing(user, today: date) -> list[PendingItem]:
    """Return one item per closed month with orders that a hand-off would send:
    executed before this month, not handed over, and without blockers."""
    last_closed_day = Month.of(today).first_day - timedelta(days=1)
    # The same candidates as handoff_send, over every closed month at once.
    pending = list(
        ServiceOrder.objects.visible_to(user)
        .executed_in(date.min, last_closed_day)
        .filter(handoff__isnull=True)
        .values_list("pk", "executed_on")
    )
    blockers = handoff_blockers(pk for pk, _executed_on in pending)
    ready = Counter(
        Month.of(executed_on) for pk, executed_on in pending if pk not in blockers
    )
    items = []
    for month in sorted(ready, key=lambda month: month.first_day):
        count = ready[month]
        label = ngettext(
            "orden de %(month)s lista para enviar a facturación",
            "órdenes de %(month)s listas para enviar a facturación",
            count,
        ) % {"month": month.label}
        items.append(
            PendingItem(count, label, _url("billing:handoff_send", f"mes={month.slug}"))
        )
    return items


def terminations_due(user, today: date) -> list[PendingItem]:
    """Count the open requests whose response is overdue or due soon, as the
    termination list filters them."""
    count = (
        TerminationRequest.objects.visible_to(user)
        .open()
        .response_due_soon(today)
        .count()
    )
    label = ngettext(
        "solicitud de terminación con respuesta vencida o por vencer",
        "solicitudes de terminación con respuesta vencida o por vencer",
        count,
    )
    query = f"plazo={DEADLINE_DUE_FILTER}"
    return [PendingItem(count, label, _url("terminations:list", query))]


def terminations_without_account(user, today: date) -> list[PendingItem]:
    condition = FLAG_FILTERS["sin_cuenta"][1]
    count = TerminationRequest.objects.visible_to(user).open().filter(condition).count()
    label = ngettext(
        "solicitud de terminación sin cuenta del catastro",
        "solicitudes de terminación sin cuenta del catastro",
        count,
    )
    return [PendingItem(count, label, _url("terminations:list", "alerta=sin_cuenta"))]


def desistimientos_to_deliver(user, today: date) -> list[PendingItem]:
    competitors = list(Competitor.objects.all())
    if not competitors:
        return []
    # One query: the competitors' candidate querysets joined with OR.
    candidates = reduce(
        or_,
        (
            delivery_candidates(competitor=competitor, today=today)
            for competitor in competitors
        ),
    )
    count = candidates.count()
    label = ngettext(
        "desistimiento por entregar al competidor",
        "desistimientos por entregar a los competidores",
        count,
    )
    return [PendingItem(count, label, _url("terminations:deliveries"))]


def quote_requests_without_advisor(user, today: date) -> list[PendingItem]:
    count = (
        QuoteRequest.objects.visible_to(user)
        .open()
        .filter(advisor__isnull=True)
        .count()
    )
    label = ngettext(
        "solicitud de cotización sin asesor",
        "solicitudes de cotización sin asesor",
        count,
    )
    return [PendingItem(count, label, _url("quote_requests:list", "asesor=ninguno"))]


# --- Advisor ----------------------------------------------------------------------


def quotations_to_follow_up(user, today: date) -> list[PendingItem]:
    rows = follow_up_rows_for(user, today=today)
    count = sum(1 for row in rows if row.is_due_this_week)
    label = ngettext(
        "cotización por seguir esta semana",
        "cotizaciones por seguir esta semana",
        count,
    )
    return [PendingItem(count, label, _url("quotations:follow_up", "semana=actual"))]


def terminations_to_verify(user, today: date) -> list[PendingItem]:
    """Return the requests still to verify and, as a second item, how many of
    them have their response overdue."""
    to_verify = (
        TerminationRequest.objects.visible_to(user).open().awaiting_verification()
    )
    count = to_verify.count()
    label = ngettext(
        "solicitud de terminación por verificar",
        "solicitudes de terminación por verificar",
        count,
    )
    overdue_count = to_verify.response_overdue(today).count()
    overdue_label = ngettext(
        "solicitud de terminación por verificar con respuesta vencida",
        "solicitudes de terminación por verificar con respuesta vencida",
        overdue_count,
    )
    overdue_query = f"por_verificar=1&plazo={DEADLINE_OVERDUE_FILTER}"
    return [
        PendingItem(count, label, _url("terminations:list", "por_verificar=1")),
        PendingItem(
            overdue_count, overdue_label, _url("terminations:list", overdue_query)
        ),
    ]


def visits_today(user, today: date) -> list[PendingItem]:
    start = datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())
    count = (
        Visit.objects.visible_to(user)
        .in_range(start, start + timedelta(days=1))
        .filter(status=Visit.Status.SCHEDULED)
        .count()
    )
    label = ngettext(
        "visita programada para hoy", "visitas programadas para hoy", count
    )
    # The week calendar marks today's column.
    return [PendingItem(count, label, _url("visits:week"))]


def new_quote_requests(user, today: date) -> list[PendingItem]:
    count = (
        QuoteRequest.objects.visible_to(user)
        .filter(status=QuoteRequest.Status.NEW)
        .count()
    )
    label = ngettext(
        "solicitud de cotización nueva", "solicitudes de cotización nuevas", count
    )
    return [PendingItem(count, label, _url("quote_requests:list", "estado=nueva"))]


def onboardings_open(user, today: date) -> list[PendingItem]:
    count = (
        Onboarding.objects.visible_to(user)
        .filter(status=Onboarding.Status.OPEN)
        .count()
    )
    label = ngettext(
        "vinculación con datos o documentos por completar",
        "vinculaciones con datos o documentos por completar",
        count,
    )
    return [PendingItem(count, label, _url("onboarding:list", "status=abierta"))]


def onboardings_returned(user, today: date) -> list[PendingItem]:
    count = (
        Onboarding.objects.visible_to(user)
        .filter(status=Onboarding.Status.RETURNED)
        .count()
    )
    label = ngettext(
        "vinculación devuelta por facturación",
        "vinculaciones devueltas por facturación",
        count,
    )
    return [PendingItem(count, label, _url("onboarding:list", "status=devuelta"))]


# --- Billing ----------------------------------------------------------------------


def onboardings_to_decide(user, today: date) -> list[PendingItem]:
    count = Onboarding.objects.visible_to(user).pending_approval().count()
    label = ngettext("vinculación por aprobar", "vinculaciones por aprobar", count)
    return [PendingItem(count, label, _url("onboarding:list", "status=pendientes"))]


def services_to_invoice(user, today: date) -> list[PendingItem]:
    # The invoice list shows by default the handed-over orders without invoice.
    count = (
        ServiceOrder.objects.visible_to(user)
        .filter(handoff__isnull=False, invoice_number="")
        .count()
    )
    label = ngettext(
        "orden entregada sin factura", "órdenes entregadas sin factura", count
    )
    return [PendingItem(count, label, _url("billing:invoice_list"))]


def novelties_to_report(user, today: date) -> list[PendingItem]:
    """Count the novedades not yet reported to the joint-billing company, as the
    novelties page lists them, unlinkings of terminations due today included."""
    count = len(novelty_report(on=today).reported)
    label = ngettext(
        "novedad de catastro sin reportar a la empresa de facturación",
        "novedades de catastro sin reportar a la empresa de facturación",
        count,
    )
    return [PendingItem(count, label, _url("terminations:novelties"))]


# --- Operations and logistics -----------------------------------------------------


def dates_to_confirm(user, today: date) -> list[PendingItem]:
    count = (
        ServiceOrder.objects.visible_to(user)
        .filter(status=ServiceOrder.Status.REQUESTED)
        .count()
    )
    label = ngettext(
        "fecha solicitada por confirmar", "fechas solicitadas por confirmar", count
    )
    return [PendingItem(count, label, _url("service_orders:list", "status=solicitada"))]


def aforos_to_record(user, today: date) -> list[PendingItem]:
    count = orders_awaiting_aforo(ServiceOrder.objects.visible_to(user)).count()
    label = ngettext("aforo por registrar", "aforos por registrar", count)
    return [PendingItem(count, label, _url("service_orders:list", "pending=aforo"))]


# The checks of each role, in the order the panel shows them. Administrators and
# superusers without another role get no panel.
ROLE_CHECKS: dict[Role, tuple[Check, ...]] = {
    Role.DIRECTOR: (
        certificates_to_sign,
        prices_to_approve,
        tariff_versions_to_approve,
        terminations_due,
        terminations_without_account,
    ),
    Role.COORDINATOR: (
        services_without_proof,
        months_ready_for_billing,
        terminations_due,
        terminations_without_account,
        desistimientos_to_deliver,
        quote_requests_without_advisor,
    ),
    Role.ADVISOR: (
        quotations_to_follow_up,
        terminations_to_verify,
        visits_today,
        new_quote_requests,
        onboardings_open,
        onboardings_returned,
    ),
    Role.BILLING: (onboardings_to_decide, services_to_invoice, novelties_to_report),
    Role.OPERATIONS: (dates_to_confirm, aforos_to_record, services_without_proof),
    Role.LOGISTICS: (dates_to_confirm, aforos_to_record, services_without_proof),
}


def pending_items(user, *, today: date | None = None) -> list[PendingItem] | None:
    """Return the pending work of `user`'s roles with a count above zero, or None
    when none of their roles has pending work to show."""
    checks: list[Check] = []
    for role, role_checks in ROLE_CHECKS.items():
        if user.has_role(role):
            checks += [check for check in role_checks if check not in checks]
    if not checks:
        return None
    today = today or timezone.localdate()
    return [item for check in checks for item in check(user, today) if item.count > 0]
