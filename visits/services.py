"""Visit workflows: scheduling, rescheduling and cancelling (each sends the
attendees an iCalendar invitation or update), recording the result, and turning a
visit into a quote request."""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from core.mail import Attachment, email_queue
from core.models import OutgoingEmail
from customers.models import Customer, DataConsent
from quote_requests.services import quote_request_create
from telemarketing.rules import customer_opted_out, visit_allowed
from visits.ics import Invitation, Person, invitation_ics
from visits.models import Visit

logger = logging.getLogger(__name__)

ICS_NAME = "visita.ics"


def visit_schedule(
    *,
    customer: Customer,
    advisor,
    starts_at: datetime,
    duration_minutes: int,
    purpose: str,
    user,
    address: str = "",
    supervisor=None,
    contact_log=None,
) -> Visit:
    """Schedule a visit and e-mail the invitation to the attendees."""
    _check_people(advisor, supervisor)
    _check_time(customer, starts_at)
    with transaction.atomic():
        visit = Visit.objects.create(
            customer=customer,
            advisor=advisor,
            supervisor=supervisor,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            address=address.strip() or customer.address,
            purpose=purpose,
            contact_log=contact_log,
            created_by=user,
        )
        _send(visit, "REQUEST", user)
    logger.info("Visit %s scheduled for customer %s", visit.pk, customer.pk)
    return visit


def visit_reschedule(
    *,
    visit: Visit,
    starts_at: datetime,
    duration_minutes: int,
    user,
    address: str = "",
    supervisor=None,
) -> Visit:
    """Move a scheduled visit and send the attendees the updated invitation; a
    supervisor removed from the visit gets a cancellation."""
    _check_open(visit)
    _check_people(visit.advisor, supervisor)
    _check_time(visit.customer, starts_at)
    with transaction.atomic():
        removed = visit.supervisor if visit.supervisor != supervisor else None
        visit.starts_at = starts_at
        visit.duration_minutes = duration_minutes
        visit.address = address.strip() or visit.address
        visit.supervisor = supervisor
        visit.sequence += 1
        visit.save()
        _send(visit, "REQUEST", user)
        if removed is not None and removed.email:
            _send(visit, "CANCEL", user, only=[_person(removed)])
    logger.info("Visit %s rescheduled (sequence %s)", visit.pk, visit.sequence)
    return visit


def visit_cancel(*, visit: Visit, reason: str, user) -> Visit:
    """Cancel a scheduled visit with a reason and send the cancellation."""
    _check_open(visit)
    if not reason.strip():
        raise ValidationError({"reason": _("Escriba el motivo de la cancelación.")})
    with transaction.atomic():
        visit.status = Visit.Status.CANCELLED
        visit.cancel_reason = reason.strip()[:300]
        visit.sequence += 1
        visit.save()
        _send(visit, "CANCEL", user)
    logger.info("Visit %s cancelled", visit.pk)
    return visit


def visit_record_result(*, visit: Visit, outcome: str, notes: str, user) -> Visit:
    """Record what came of the visit; the visit is then done."""
    if visit.status == Visit.Status.CANCELLED:
        raise ValidationError(
            _("La visita está cancelada: no se puede registrar su resultado.")
        )
    if outcome not in Visit.Outcome.values:
        raise ValidationError({"outcome": _("Elija el resultado de la visita.")})
    visit.status = Visit.Status.DONE
    visit.outcome = outcome
    visit.result_notes = notes
    visit.save()
    logger.info("Visit %s result recorded (%s)", visit.pk, outcome)
    return visit


def visit_request_quote(*, visit: Visit, service: str, description: str, user):
    """Register a quote request from the visit's result, for the visit's customer."""
    customer = visit.customer
    with transaction.atomic():
        quote_request = quote_request_create(
            channel="visita",
            service=service,
            description=description or visit.result_notes,
            customer=customer,
            contact_name=customer.name,
            contact_phone=customer.mobile or customer.phone,
            contact_email=customer.email,
            address=visit.address,
            municipality=customer.municipality,
            created_by=user,
            send_confirmation=False,
        )
        if visit.status == Visit.Status.SCHEDULED:
            visit.status = Visit.Status.DONE
        if not visit.outcome:
            visit.outcome = Visit.Outcome.REQUESTS_QUOTE
        visit.quote_request = quote_request
        visit.save()
    logger.info("Visit %s led to quote request %s", visit.pk, quote_request.pk)
    return quote_request


def visit_invitation(visit: Visit, method: str, attendees: list[Person]) -> Invitation:
    customer = visit.customer
    lines = [
        _("Cliente: %(name)s") % {"name": customer.name},
        _("Asesor: %(name)s") % {"name": visit.advisor},
        _("Objetivo: %(purpose)s") % {"purpose": visit.purpose},
    ]
    if visit.cancel_reason:
        lines.append(
            _("Motivo de cancelación: %(reason)s") % {"reason": visit.cancel_reason}
        )
    return Invitation(
        uid=visit.uid,
        sequence=visit.sequence,
        method=method,
        starts_at=timezone.localtime(visit.starts_at),
        ends_at=timezone.localtime(visit.ends_at),
        summary=_("Visita comercial: %(customer)s") % {"customer": customer.name},
        description="\n".join(lines),
        location=visit.address,
        organizer=Person(settings.DEFAULT_FROM_EMAIL, settings.COMPANY_NAME),
        attendees=attendees,
        stamp=timezone.now(),
    )


def visit_attendees(visit: Visit) -> list[Person]:
    """Return who gets the invitation: the advisor, the supervisor, and the customer
    when they have an e-mail, authorised e-mail and did not opt out."""
    people = [_person(visit.advisor)]
    if visit.supervisor:
        people.append(_person(visit.supervisor))
    if _customer_takes_email(visit.customer):
        people.append(Person(visit.customer.email, visit.customer.name))
    return [person for person in people if person.email]


def _send(visit: Visit, method: str, user, only: list[Person] | None = None):
    attendees = only if only is not None else visit_attendees(visit)
    if not attendees:
        return None
    invitation = visit_invitation(visit, method, attendees)
    if method == "CANCEL":
        kind = OutgoingEmail.Kind.VISIT_CANCELLATION
    elif visit.sequence == 0:
        kind = OutgoingEmail.Kind.VISIT_INVITATION
    else:
        kind = OutgoingEmail.Kind.VISIT_UPDATE
    subjects = {
        OutgoingEmail.Kind.VISIT_INVITATION: _("Visita comercial programada: %(date)s"),
        OutgoingEmail.Kind.VISIT_UPDATE: _("Visita comercial reprogramada: %(date)s"),
        OutgoingEmail.Kind.VISIT_CANCELLATION: _(
            "Visita comercial cancelada: %(date)s"
        ),
    }
    local_start = timezone.localtime(visit.starts_at)
    return email_queue(
        kind=kind,
        to=[person.email for person in attendees],
        subject=subjects[kind] % {"date": local_start.strftime("%d/%m/%Y %H:%M")},
        template="visits/email/invitation",
        context={"visit": visit, "kind": kind, "starts_at": local_start},
        attachments=[
            Attachment(
                ICS_NAME,
                invitation_ics(invitation),
                f"text/calendar; method={method}",
            )
        ],
        created_by=user,
    )


def _person(user) -> Person:
    return Person(user.email, user.get_full_name() or user.username)


def _customer_takes_email(customer: Customer) -> bool:
    if not customer.email or customer_opted_out(customer):
        return False
    today = timezone.localdate()
    return (
        customer.consents.filter(
            channel=DataConsent.Channel.EMAIL, granted_on__lte=today
        )
        .exclude(revoked_on__lte=today)
        .exists()
    )


def _check_people(advisor, supervisor):
    if not (advisor.has_role(Role.ADVISOR) or advisor.is_manager):
        raise ValidationError(
            {"advisor": _("%(name)s no es asesor comercial.") % {"name": advisor}}
        )
    if supervisor is not None and not supervisor.has_role(Role.OPERATIONS):
        raise ValidationError(
            {
                "supervisor": _("%(name)s no tiene el rol de Operaciones.")
                % {"name": supervisor}
            }
        )


def _check_time(customer: Customer, starts_at: datetime):
    decision = visit_allowed(customer, starts_at)
    if not decision:
        raise ValidationError(decision.message, code=decision.rule)


def _check_open(visit: Visit):
    if visit.status != Visit.Status.SCHEDULED:
        raise ValidationError(
            _("La visita está %(status)s: solo se modifican visitas programadas.")
            % {"status": visit.get_status_display().lower()}
        )
