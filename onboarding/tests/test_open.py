"""Opening the onboarding when a quotation is accepted."""

import pytest
from django.utils import timezone

from onboarding.models import Onboarding, PaymentTerms
from onboarding.services import customer_is_approved, onboarding_open
from quotations import services as quotation_services
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation, make_tariff
from tests.factories import make_accepted_quotation, make_customer

pytestmark = pytest.mark.django_db


def accept(quotation, user):
    return quotation_services.quotation_accept(
        quotation=quotation,
        user=user,
        channel=Quotation.Channel.EMAIL,
        accepted_on=timezone.localdate(),
        email_text="Aceptamos la cotización.",
    )


@pytest.fixture
def issued(advisor, customer, director):
    debris = make_tariff(director, code="SE-101")
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "2")])
    return quotation_services.quotation_issue(quotation=draft, user=advisor)


def test_acceptance_opens_onboarding(issued, advisor, customer):
    accept(issued, advisor)

    onboarding = Onboarding.objects.get(quotation=issued)
    assert onboarding.customer == customer
    assert onboarding.status == Onboarding.Status.OPEN
    assert onboarding.opened_by == advisor


def test_acceptance_records_history_user(issued, advisor):
    accept(issued, advisor)

    record = Onboarding.objects.get(quotation=issued).history.get()
    assert record.history_user == advisor


def test_open_is_idempotent(advisor, customer):
    quotation = make_accepted_quotation(customer=customer, advisor=advisor)

    first = onboarding_open(quotation=quotation, user=advisor)
    second = onboarding_open(quotation=quotation, user=advisor)

    assert first.pk == second.pk
    assert Onboarding.objects.count() == 1


def test_new_customer_marked_new(advisor):
    customer = make_customer(advisor=advisor, customer_type="nuevo")
    quotation = make_accepted_quotation(customer=customer, advisor=advisor)

    assert onboarding_open(quotation=quotation, user=advisor).is_new_customer


def test_existing_customer_marked_for_review(advisor):
    customer = make_customer(advisor=advisor, customer_type="antiguo")
    quotation = make_accepted_quotation(customer=customer, advisor=advisor)

    assert not onboarding_open(quotation=quotation, user=advisor).is_new_customer


def test_unfinished_onboarding_is_reused(advisor, customer):
    first = make_accepted_quotation(customer=customer, advisor=advisor)
    second = make_accepted_quotation(customer=customer, advisor=advisor)

    opened = onboarding_open(quotation=first, user=advisor)
    again = onboarding_open(quotation=second, user=advisor)

    assert again.pk == opened.pk
    assert Onboarding.objects.filter(customer=customer).count() == 1


def test_approved_customer_keeps_approval(advisor, billing_user, customer):
    first = onboarding_open(
        quotation=make_accepted_quotation(customer=customer, advisor=advisor),
        user=advisor,
    )
    Onboarding.objects.filter(pk=first.pk).update(
        status=Onboarding.Status.APPROVED,
        payment_terms=PaymentTerms.CREDIT,
        decided_at=timezone.now(),
        decided_by=billing_user,
    )
    quotation = make_accepted_quotation(customer=customer, advisor=advisor)

    second = onboarding_open(quotation=quotation, user=advisor)

    assert second.pk != first.pk
    assert second.quotation == quotation
    assert second.status == Onboarding.Status.APPROVED
    assert second.payment_terms == PaymentTerms.CREDIT
    assert not second.is_new_customer
    assert second.data_reviewed_at is None
    assert "no se piden de nuevo" in second.decision_note
    assert customer_is_approved(customer)


def test_customer_without_onboarding_not_approved(customer):
    assert not customer_is_approved(customer)
