"""Telemarketing workflows: logging a contact, opting a customer out of commercial
contact and recording their re-authorisation."""

import logging
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from telemarketing.models import ContactLog, ContactOptOut
from telemarketing.rules import ContactDecision, contact_allowed

logger = logging.getLogger(__name__)


class ContactNotAllowed(ValidationError):
    """An outbound commercial contact that breaks a contact rule."""

    def __init__(self, decision: ContactDecision):
        super().__init__(decision.message, code=decision.rule)
        self.decision = decision


def contact_log(
    *,
    customer: Customer,
    user,
    channel: str,
    outcome: str,
    direction: str = ContactLog.Direction.OUTBOUND,
    notes: str = "",
    next_action: str = "",
    next_action_on: date | None = None,
    at: datetime | None = None,
) -> ContactLog:
    """Record a contact with `customer`. An outbound contact that breaks a contact
    rule raises ContactNotAllowed; an inbound one is always recorded. The outcome
    "no contactar" also opts the customer out."""
    at = at or timezone.now()
    if next_action_on and next_action_on < timezone.localdate(at):
        raise ValidationError(
            {
                "next_action_on": _(
                    "La fecha de la próxima acción (%(date)s) ya pasó: escriba hoy o "
                    "una fecha futura."
                )
                % {"date": next_action_on.strftime("%d/%m/%Y")}
            }
        )

    with transaction.atomic():
        # Lock the customer so that two advisors cannot both take the day's contact.
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if direction == ContactLog.Direction.OUTBOUND:
            decision = contact_allowed(customer, channel, at)
            if not decision:
                raise ContactNotAllowed(decision)

        log = ContactLog.objects.create(
            customer=customer,
            logged_by=user,
            contacted_at=at,
            channel=channel,
            direction=direction,
            outcome=outcome,
            notes=notes,
            next_action=next_action,
            next_action_on=next_action_on,
        )
        if outcome == ContactLog.Outcome.DO_NOT_CONTACT:
            customer_opt_out(customer=customer, user=user, note=notes)

    logger.info(
        "Contact %s logged for customer %s (%s, %s)",
        log.pk,
        customer.pk,
        channel,
        outcome,
    )
    return log


def customer_opt_out(*, customer: Customer, user, note: str = "") -> ContactOptOut:
    """Record that the customer asked not to receive commercial contact; an opt-out
    already in force is returned unchanged."""
    with transaction.atomic():
        existing = ContactOptOut.objects.filter(
            customer=customer, reauthorized_at__isnull=True
        ).first()
        if existing:
            return existing
        opt_out = ContactOptOut.objects.create(
            customer=customer, recorded_by=user, note=note[:300]
        )
    logger.info("Customer %s opted out of commercial contact", customer.pk)
    return opt_out


def customer_reauthorize(*, customer: Customer, user, evidence: str) -> ContactOptOut:
    """Lift the customer's opt-out with the evidence of their new authorisation."""
    evidence = evidence.strip()
    if not evidence:
        raise ValidationError(
            {
                "evidence": _(
                    "Escriba cómo autorizó el cliente de nuevo el contacto (llamada "
                    "grabada, correo, formato firmado)."
                )
            }
        )
    with transaction.atomic():
        opt_out = (
            ContactOptOut.objects.select_for_update()
            .filter(customer=customer, reauthorized_at__isnull=True)
            .first()
        )
        if opt_out is None:
            raise ValidationError(
                _("El cliente no tiene una solicitud de no contactar vigente.")
            )
        opt_out.reauthorized_at = timezone.now()
        opt_out.reauthorized_by = user
        opt_out.reauthorization_evidence = evidence[:300]
        opt_out.save()
    logger.info("Customer %s re-authorised commercial contact", customer.pk)
    return opt_out
