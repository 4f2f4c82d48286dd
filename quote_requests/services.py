"""Workflows of the quote-request queue: registering a request from any channel,
routing it to an advisor, and moving it through its statuses."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from core.mail import email_queue
from core.models import OutgoingEmail
from core.text import fold
from customers.identification import (
    IdType,
    looks_like_company_nit,
    parse_identification,
)
from customers.models import Contact, Customer, DataConsent
from customers.phones import is_mobile, normalise_phone
from customers.services import consent_record, contact_save, customer_create
from quote_requests.models import QuoteRequest
from zones.models import Municipality, Zone

logger = logging.getLogger(__name__)


def quote_request_create(
    *,
    channel: str,
    service: str,
    contact_name: str,
    description: str = "",
    customer: Customer | None = None,
    requester_name: str = "",
    requester_id_number: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    tariff_code: str = "",
    address: str = "",
    barrio: str = "",
    municipality: Municipality | None = None,
    created_by: User | None = None,
    source_ip: str | None = None,
    data_consent: bool = False,
    data_consent_text: str = "",
    send_confirmation: bool = True,
    received_at: datetime | None = None,
) -> QuoteRequest:
    """Register a quote request and route it to an advisor.

    Called by the staff form (phone, WhatsApp, e-mail), the public web form and a
    visit's result. A requester whose NIT or cédula belongs to a customer is linked
    to that customer. With `send_confirmation`, the requester gets an e-mail
    confirming receipt when they gave an address. Raises ValidationError with a
    Spanish message on bad input; nothing is stored then.
    """
    if channel not in QuoteRequest.Channel.values:
        raise ValidationError(_("El canal «%(value)s» no existe.") % {"value": channel})
    if not (service or "").strip():
        raise ValidationError(_("Indique el servicio que necesita."))
    if customer is None and not (requester_name or contact_name or "").strip():
        raise ValidationError(_("Indique el cliente o el nombre de quien solicita."))
    if not (contact_phone or contact_email or customer):
        raise ValidationError(
            _("Indique un teléfono o un correo para responder la solicitud.")
        )

    id_number = ""
    if requester_id_number.strip():
        id_number = parse_identification(requester_id_number).number
        if customer is None:
            customer = Customer.objects.filter(id_number=id_number).first()
    phone = normalise_phone(contact_phone) if contact_phone.strip() else ""
    now = timezone.now()

    with transaction.atomic():
        quote_request = QuoteRequest(
            channel=channel,
            received_at=received_at or now,
            customer=customer,
            requester_name=requester_name.strip(),
            requester_id_number=id_number,
            contact_name=contact_name.strip(),
            contact_phone=phone,
            contact_email=contact_email.strip().lower(),
            tariff_code=tariff_code.strip(),
            service=service.strip(),
            description=description.strip(),
            address=address.strip(),
            barrio=barrio.strip(),
            municipality=municipality,
            created_by=created_by,
            source_ip=source_ip,
            data_consent=data_consent,
            data_consent_at=now if data_consent else None,
            data_consent_text=data_consent_text if data_consent else "",
            status_changed_at=now,
        )
        zone, advisor, note = quote_request_route(
            customer=customer, municipality=municipality, barrio=barrio
        )
        quote_request.zone = zone
        quote_request.advisor = advisor
        quote_request.routing_note = note
        quote_request.save()

        if send_confirmation and quote_request.contact_email:
            _confirm_receipt(quote_request, created_by)
        if advisor is not None and advisor.email:
            _notify_advisor(quote_request, created_by)

    logger.info(
        "Quote request %s received by %s, routed to user %s",
        quote_request.pk,
        channel,
        advisor.pk if advisor else None,
    )
    return quote_request


def quote_request_route(
    *,
    customer: Customer | None,
    municipality: Municipality | None,
    barrio: str = "",
) -> tuple[Zone | None, User | None, str]:
    """Choose the zone and advisor for a request, with a note saying why.

    An existing customer goes to their own advisor. Otherwise the zone is the one
    listing the barrio (within the municipality), else one covering the whole
    municipality, and the advisor is that zone's available advisor with the fewest
    open requests. Without a match the request stays unassigned for the coordinator.
    """
    if customer is not None and customer.advisor_id and customer.advisor.is_active:
        return customer.zone, customer.advisor, _("Asesor del cliente")

    if customer is not None:
        municipality = municipality or customer.municipality
        barrio = barrio or customer.barrio
    for zone, reason in _candidate_zones(customer, municipality, barrio):
        advisor = _least_busy_advisor(zone)
        if advisor is not None:
            return zone, advisor, reason
    return None, None, _("Sin zona con asesor disponible: la asigna el coordinador")


def quote_request_register_customer(
    *, quote_request: QuoteRequest, user: User, id_number: str = ""
) -> Customer:
    """Link the request to a customer so that it can be quoted.

    The customer holding the requester's NIT or cédula is linked when there is one.
    Otherwise a new customer is created from the request's data, in the request's
    zone and advisor, with its contact and the web form's data consent. Raises
    ValidationError when no identification is known or it is invalid.
    """
    if quote_request.customer_id:
        return quote_request.customer
    raw_number = (id_number or quote_request.requester_id_number).strip()
    if not raw_number:
        raise ValidationError(
            _(
                "Escriba el NIT o la cédula del solicitante para registrarlo como cliente."
            )
        )
    identification = parse_identification(raw_number)

    with transaction.atomic():
        customer = Customer.objects.filter(id_number=identification.number).first()
        if customer is None:
            customer = _customer_from_request(quote_request, identification, user)
        quote_request.customer = customer
        quote_request.requester_id_number = identification.number
        quote_request._change_reason = "cliente vinculado"
        quote_request._history_user = user
        quote_request.save(update_fields=["customer", "requester_id_number"])

    logger.info("Quote request %s linked to customer %s", quote_request.pk, customer.pk)
    return customer


def quote_request_start(*, quote_request: QuoteRequest, user: User) -> QuoteRequest:
    """Move a new request to «en gestión» when its advisor takes it."""
    _require_status(quote_request, QuoteRequest.Status.NEW)
    return _set_status(quote_request, QuoteRequest.Status.IN_PROGRESS, user)


def quote_request_discard(
    *, quote_request: QuoteRequest, user: User, reason: str
) -> QuoteRequest:
    """Close an open request that will not be quoted, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Escriba el motivo del descarte."))
    _require_status(quote_request, *QuoteRequest.OPEN_STATUSES)
    quote_request.discard_reason = reason
    return _set_status(quote_request, QuoteRequest.Status.DISCARDED, user)


def quote_request_mark_quoted(
    *, quote_request: QuoteRequest, user: User | None = None
) -> QuoteRequest:
    """Record that a quotation was prepared from the request (called by quotations).
    A request already quoted stays as it is."""
    if quote_request.status == QuoteRequest.Status.QUOTED:
        return quote_request
    _require_status(quote_request, *QuoteRequest.OPEN_STATUSES)
    return _set_status(quote_request, QuoteRequest.Status.QUOTED, user)


def quote_request_reassign(
    *, quote_request: QuoteRequest, advisor: User, user: User
) -> QuoteRequest:
    """Move a request to another advisor; only the director, the coordinator and
    administrators may."""
    if not user.is_manager:
        raise PermissionDenied(_("Solo el director o el coordinador reasignan."))
    if not advisor.is_active or not advisor.has_role(Role.ADVISOR):
        raise ValidationError(
            _("%(name)s no es un asesor comercial activo.") % {"name": advisor}
        )
    quote_request.advisor = advisor
    quote_request.routing_note = _("Reasignada por %(name)s") % {"name": user}
    quote_request._change_reason = "reasignada"
    quote_request._history_user = user
    quote_request.save(update_fields=["advisor", "routing_note"])
    logger.info("Quote request %s reassigned to user %s", quote_request.pk, advisor.pk)
    return quote_request


def public_request_allowed(*, source_ip: str) -> bool:
    """Return whether the web form may accept another request from `source_ip`.

    The count is read from the database (requests stored in the last window), so the
    limit applies across worker processes and restarts, unlike a per-process cache.
    """
    limit = settings.QUOTE_REQUEST_RATE_LIMIT
    since = timezone.now() - timedelta(
        minutes=settings.QUOTE_REQUEST_RATE_WINDOW_MINUTES
    )
    recent = QuoteRequest.objects.filter(
        channel=QuoteRequest.Channel.WEB, source_ip=source_ip, received_at__gte=since
    )
    # NOTE: two submissions arriving at the same instant can both pass the check,
    # so the limit may be exceeded by the number of concurrent workers.
    return recent.count() < limit


def _customer_from_request(quote_request, identification, user) -> Customer:
    phone = quote_request.contact_phone
    company = identification.id_type == IdType.NIT and looks_like_company_nit(
        identification.number
    )
    fields = {
        "id_type": identification.id_type,
        "id_number": identification.number,
        "check_digit": identification.check_digit,
        "person_kind": (
            Customer.PersonKind.LEGAL if company else Customer.PersonKind.NATURAL
        ),
        "name": quote_request.requester_name or quote_request.contact_name,
        "customer_type": Customer.CustomerType.NEW,
        "address": quote_request.address,
        "barrio": quote_request.barrio,
        "municipality": quote_request.municipality,
        "mobile": phone if phone and is_mobile(phone) else "",
        "phone": phone if phone and not is_mobile(phone) else "",
        "email": quote_request.contact_email,
        "zone": quote_request.zone,
        "advisor": quote_request.advisor,
    }
    customer = customer_create(fields=fields, user=user)

    contact_save(
        contact=Contact(
            customer=customer,
            name=quote_request.contact_name,
            mobile=fields["mobile"],
            phone=fields["phone"],
            email=quote_request.contact_email,
            is_primary=True,
        ),
        user=user,
    )
    if quote_request.data_consent and quote_request.contact_email:
        consent_record(
            customer=customer,
            fields={
                "channel": DataConsent.Channel.EMAIL,
                "purposes": quote_request.data_consent_text,
                "method": DataConsent.Method.WEB,
                "granted_on": timezone.localtime(quote_request.data_consent_at).date(),
                "policy_version": settings.DATA_POLICY_VERSION,
            },
            user=user,
        )
    return customer


def _candidate_zones(customer, municipality, barrio):
    zones = Zone.objects.filter(is_active=True).prefetch_related("municipalities")
    if customer is not None and customer.zone_id and customer.zone.is_active:
        yield customer.zone, _("Zona del cliente")
    if municipality is None:
        return
    covering = [
        zone
        for zone in zones
        if any(item.pk == municipality.pk for item in zone.municipalities.all())
    ]
    folded_barrio = fold(barrio)
    if folded_barrio:
        for zone in covering:
            if folded_barrio in {fold(name) for name in zone.barrio_list}:
                yield zone, _("Zona por barrio %(barrio)s") % {"barrio": barrio}
    for zone in covering:
        if not zone.barrio_list:
            yield (
                zone,
                _("Zona por municipio %(name)s") % {"name": municipality.name},
            )


def _least_busy_advisor(zone: Zone) -> User | None:
    open_requests = Count(
        "quote_requests",
        filter=Q(quote_requests__status__in=QuoteRequest.OPEN_STATUSES),
    )
    return (
        zone.advisors.filter(
            is_active=True,
            available_for_assignment=True,
            groups__name=Role.ADVISOR.value,
        )
        .annotate(open_count=open_requests)
        .order_by("open_count", "sort_name", "pk")
        .first()
    )


def _require_status(quote_request: QuoteRequest, *allowed: str) -> None:
    if quote_request.status not in allowed:
        raise ValidationError(
            _("La solicitud %(number)s está %(status)s; no admite este cambio.")
            % {
                "number": quote_request.number,
                "status": quote_request.get_status_display().lower(),
            }
        )


def _set_status(quote_request: QuoteRequest, status: str, user) -> QuoteRequest:
    quote_request.status = status
    quote_request.status_changed_at = timezone.now()
    quote_request._change_reason = quote_request.get_status_display().lower()
    if user is not None:
        quote_request._history_user = user
    quote_request.save()
    logger.info("Quote request %s is now %s", quote_request.pk, status)
    return quote_request


def _confirm_receipt(quote_request: QuoteRequest, created_by) -> None:
    email_queue(
        kind=OutgoingEmail.Kind.QUOTE_REQUEST_RECEIVED,
        to=[quote_request.contact_email],
        subject=_("Recibimos su solicitud de cotización %(number)s")
        % {"number": quote_request.number},
        template="quote_requests/email/received",
        context={"quote_request": quote_request},
        created_by=created_by,
    )


def _notify_advisor(quote_request: QuoteRequest, created_by) -> None:
    email_queue(
        kind=OutgoingEmail.Kind.QUOTE_REQUEST_ASSIGNED,
        to=[quote_request.advisor.email],
        subject=_("Nueva solicitud de cotización %(number)s")
        % {"number": quote_request.number},
        template="quote_requests/email/assigned",
        context={"quote_request": quote_request},
        created_by=created_by,
    )
