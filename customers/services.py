"""Customer workflows: create and edit customers, their contacts and data consents.

Every function records `user` as the author of the history rows it writes, so the
change history shows who did what whether it ran from a page, a command or a test.
"""

import logging
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Contact, Customer, DataConsent
from zones.models import CustomerAssignment

logger = logging.getLogger(__name__)


def customer_create(*, fields: dict, user: User) -> Customer:
    """Create a customer from cleaned `fields`. An advisor's new customer joins their
    own portfolio. Raises ValidationError when the identification already exists."""
    customer = Customer(**fields)
    if customer.advisor_id is None and not user.is_manager and user.is_advisor:
        customer.advisor = user

    with transaction.atomic():
        _save_unique(customer, user)
        if customer.advisor_id is not None:
            _record_assignment(customer, previous_advisor=None, user=user)

    logger.info("Customer %s created by user %s", customer.pk, user.pk)
    return customer


def customer_update(*, customer: Customer, fields: dict, user: User) -> Customer:
    """Apply cleaned `fields` to `customer`. A change of advisor is recorded in the
    assignment history. Raises ValidationError when the identification
    already belongs to another customer."""
    for name, value in fields.items():
        setattr(customer, name, value)

    with transaction.atomic():
        # Read the stored advisor: a ModelForm has already changed the instance.
        # No select_related here: PostgreSQL rejects FOR UPDATE on the nullable
        # side of the outer join that the optional advisor would add.
        stored = Customer.objects.select_for_update().get(pk=customer.pk)
        _save_unique(customer, user)
        if customer.advisor_id != stored.advisor_id:
            _record_assignment(customer, previous_advisor=stored.advisor, user=user)

    logger.info("Customer %s updated by user %s", customer.pk, user.pk)
    return customer


def contact_save(*, contact: Contact, user: User) -> Contact:
    """Create or update a contact. Marking it primary unmarks the customer's others."""
    with transaction.atomic():
        if contact.is_primary:
            others = contact.customer.contacts.filter(is_primary=True).exclude(
                pk=contact.pk
            )
            for other in others:
                other.is_primary = False
                other._history_user = user
                other.save(update_fields=["is_primary"])
        contact._history_user = user
        contact.save()
    return contact


def contact_delete(*, contact: Contact, user: User) -> None:
    """Delete a contact. Its history keeps who deleted it and when."""
    contact._history_user = user
    contact.delete()


def consent_record(*, customer: Customer, fields: dict, user: User) -> DataConsent:
    """Record a data-processing authorisation given by the customer."""
    consent = DataConsent(customer=customer, recorded_by=user, **fields)
    consent._history_user = user
    consent.save()
    return consent


def consent_revoke(
    *, consent: DataConsent, revoked_on: date, note: str, user: User
) -> DataConsent:
    """Mark an authorisation as revoked. The record is kept as proof of both the
    authorisation and its revocation."""
    if consent.revoked_on is not None:
        raise ValidationError(_("Esta autorización ya estaba revocada."))
    consent.revoked_on = revoked_on
    consent.revocation_note = note
    consent._history_user = user
    consent.save(update_fields=["revoked_on", "revocation_note"])
    return consent


def _save_unique(customer: Customer, user: User) -> None:
    # The form checks for duplicates first; the unique constraint catches the race
    # of two people saving the same identification at once.
    customer._history_user = user
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        if not Customer.objects.filter(id_number=customer.id_number).exists():
            raise
        raise ValidationError(
            {"id_number": _("Ya existe un cliente con esta identificación.")}
        ) from error


def _record_assignment(customer: Customer, *, previous_advisor, user: User) -> None:
    CustomerAssignment.objects.create(
        customer=customer,
        advisor=customer.advisor,
        previous_advisor=previous_advisor,
        zone=customer.zone,
        assigned_by=user,
    )
