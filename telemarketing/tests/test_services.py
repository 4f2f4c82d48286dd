import pytest
from django.core.exceptions import ValidationError

from telemarketing.models import ContactLog, ContactOptOut
from telemarketing.rules import Rule, customer_opted_out
from telemarketing.services import (
    ContactNotAllowed,
    contact_log,
    customer_opt_out,
    customer_reauthorize,
)
from telemarketing.tests.conftest import bogota

pytestmark = pytest.mark.django_db


def log_call(customer, user, at, **fields):
    values = {"channel": "llamada", "outcome": ContactLog.Outcome.INTERESTED}
    values.update(fields)
    return contact_log(customer=customer, user=user, at=at, **values)


def test_outbound_on_sunday_rejected(customer, advisor):
    with pytest.raises(ContactNotAllowed) as error:
        log_call(customer, advisor, bogota(2026, 3, 22))
    assert error.value.decision.rule == Rule.SUNDAY


def test_rejected_contact_stores_nothing(customer, advisor):
    with pytest.raises(ContactNotAllowed):
        log_call(customer, advisor, bogota(2026, 3, 22))
    assert not ContactLog.objects.exists()


def test_inbound_on_sunday_recorded(customer, advisor):
    log = log_call(customer, advisor, bogota(2026, 3, 22), direction="entrante")
    assert log.direction == ContactLog.Direction.INBOUND


def test_second_outbound_same_day_rejected(customer, advisor, other_advisor):
    log_call(customer, advisor, bogota(2026, 3, 18, 9))
    with pytest.raises(ContactNotAllowed):
        log_call(customer, advisor, bogota(2026, 3, 18, 11))


def test_past_next_action_date_rejected(customer, advisor):
    with pytest.raises(ValidationError):
        log_call(
            customer,
            advisor,
            bogota(2026, 3, 18),
            next_action="Llamar",
            next_action_on=bogota(2026, 3, 17).date(),
        )


def test_do_not_contact_outcome_opts_out(customer, advisor):
    log_call(customer, advisor, bogota(2026, 3, 18), outcome="no_contactar")
    assert customer_opted_out(customer)


def test_opt_out_records_who(customer, advisor):
    opt_out = customer_opt_out(customer=customer, user=advisor, note="Pidió no llamar")
    assert opt_out.recorded_by == advisor


def test_opt_out_twice_keeps_one(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    customer_opt_out(customer=customer, user=advisor)
    assert ContactOptOut.objects.count() == 1


def test_opted_out_customer_contact_rejected(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    with pytest.raises(ContactNotAllowed) as error:
        log_call(customer, advisor, bogota(2026, 3, 18))
    assert error.value.decision.rule == Rule.OPT_OUT


def test_reauthorize_needs_evidence(customer, advisor):
    customer_opt_out(customer=customer, user=advisor)
    with pytest.raises(ValidationError):
        customer_reauthorize(customer=customer, user=advisor, evidence="  ")


def test_reauthorize_records_who_and_evidence(customer, advisor, coordinator):
    customer_opt_out(customer=customer, user=advisor)
    opt_out = customer_reauthorize(
        customer=customer, user=coordinator, evidence="Correo del 20/03/2026"
    )
    assert opt_out.reauthorized_by == coordinator
    assert opt_out.reauthorization_evidence == "Correo del 20/03/2026"
    assert not customer_opted_out(customer)


def test_reauthorize_without_opt_out_rejected(customer, advisor):
    with pytest.raises(ValidationError):
        customer_reauthorize(customer=customer, user=advisor, evidence="Llamada")
