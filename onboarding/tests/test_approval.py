"""Submitting to billing, billing's decision and the approval other apps read."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onboarding.models import DocumentKind, Onboarding, PaymentTerms
from onboarding.services import (
    customer_approved_onboarding,
    customer_is_approved,
    onboarding_approve,
    onboarding_return,
    onboarding_review_data,
    onboarding_submit,
)
from onboarding.tests.conftest import complete, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(onboarding, advisor):
    complete(onboarding, advisor)
    onboarding_review_data(onboarding=onboarding, user=advisor)
    return onboarding_submit(onboarding=onboarding, user=advisor)


def test_review_records_who_and_when(onboarding, advisor):
    onboarding_review_data(onboarding=onboarding, user=advisor)

    onboarding.refresh_from_db()
    assert onboarding.data_reviewed_by == advisor
    assert onboarding.data_reviewed_at is not None


def test_review_updates_customer(onboarding, advisor):
    onboarding_review_data(
        onboarding=onboarding,
        user=advisor,
        fields={"address": "Carrera 8 # 12-40", "email": "compras@guaduales.co"},
    )

    customer = onboarding.customer
    customer.refresh_from_db()
    assert customer.address == "Carrera 8 # 12-40"
    assert customer.history.first().history_user == advisor


def test_submit_needs_data_review(onboarding, advisor):
    complete(onboarding, advisor)

    with pytest.raises(ValidationError, match="Revise y confirme los datos"):
        onboarding_submit(onboarding=onboarding, user=advisor)


def test_submit_needs_documents(onboarding, advisor):
    onboarding_review_data(onboarding=onboarding, user=advisor)

    with pytest.raises(ValidationError, match="Faltan documentos obligatorios"):
        onboarding_submit(onboarding=onboarding, user=advisor)
    onboarding.refresh_from_db()
    assert onboarding.status == Onboarding.Status.OPEN


def test_submit_moves_to_review(submitted):
    assert submitted.status == Onboarding.Status.IN_REVIEW
    assert submitted.submitted_at is not None


def test_submit_twice_rejected(submitted, advisor):
    with pytest.raises(ValidationError, match="En revisión por facturación"):
        onboarding_submit(onboarding=submitted, user=advisor)


def test_billing_approves_on_credit(submitted, billing_user):
    onboarding_approve(
        onboarding=submitted, user=billing_user, payment_terms=PaymentTerms.CREDIT
    )

    submitted.refresh_from_db()
    assert submitted.status == Onboarding.Status.APPROVED
    assert submitted.payment_terms == PaymentTerms.CREDIT
    assert submitted.decided_by == billing_user
    assert customer_is_approved(submitted.customer)
    assert customer_approved_onboarding(submitted.customer) == submitted


@pytest.mark.parametrize("role", ["director", "coordinator"])
def test_managers_may_approve(submitted, request, role):
    user = request.getfixturevalue(role)

    onboarding_approve(
        onboarding=submitted, user=user, payment_terms=PaymentTerms.PREPAID
    )

    assert customer_is_approved(submitted.customer)


@pytest.mark.parametrize("role", ["advisor", "operations_user", "no_role_user"])
def test_others_cannot_approve(submitted, request, role):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        onboarding_approve(
            onboarding=submitted, user=user, payment_terms=PaymentTerms.PREPAID
        )
    assert not customer_is_approved(submitted.customer)


@pytest.mark.parametrize("role", ["advisor", "operations_user"])
def test_others_cannot_return(submitted, request, role):
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        onboarding_return(onboarding=submitted, user=user, note="Falta el RUT")


def test_cannot_approve_with_missing_documents(onboarding, billing_user):
    # Put it in review directly, as if a requirement was added after submitting.
    Onboarding.objects.filter(pk=onboarding.pk).update(
        status=Onboarding.Status.IN_REVIEW
    )

    with pytest.raises(ValidationError, match="Certificado de Cámara de Comercio"):
        onboarding_approve(
            onboarding=onboarding,
            user=billing_user,
            payment_terms=PaymentTerms.PREPAID,
        )
    onboarding.refresh_from_db()
    assert onboarding.status == Onboarding.Status.IN_REVIEW
    assert not customer_is_approved(onboarding.customer)


def test_cannot_approve_open_onboarding(onboarding, advisor, billing_user):
    complete(onboarding, advisor)

    with pytest.raises(ValidationError, match="Abierta"):
        onboarding_approve(
            onboarding=onboarding,
            user=billing_user,
            payment_terms=PaymentTerms.PREPAID,
        )


def test_approval_needs_payment_terms(submitted, billing_user):
    with pytest.raises(ValidationError, match="condición de pago"):
        onboarding_approve(onboarding=submitted, user=billing_user, payment_terms="")


def test_old_chamber_does_not_block_approval(onboarding, advisor, billing_user):
    complete(onboarding, advisor)
    upload(
        onboarding,
        DocumentKind.CHAMBER_OF_COMMERCE,
        advisor,
        issued_on=timezone.localdate() - timedelta(days=90),
    )
    onboarding_review_data(onboarding=onboarding, user=advisor)
    onboarding_submit(onboarding=onboarding, user=advisor)

    onboarding_approve(
        onboarding=onboarding, user=billing_user, payment_terms=PaymentTerms.PREPAID
    )

    assert customer_is_approved(onboarding.customer)


def test_return_needs_observations(submitted, billing_user):
    with pytest.raises(ValidationError, match="Escriba las observaciones"):
        onboarding_return(onboarding=submitted, user=billing_user, note=" ")


def test_returned_onboarding_resubmitted(submitted, advisor, billing_user):
    onboarding_return(
        onboarding=submitted, user=billing_user, note="El RUT está ilegible."
    )
    submitted.refresh_from_db()
    assert submitted.status == Onboarding.Status.RETURNED
    assert submitted.decision_note == "El RUT está ilegible."

    upload(submitted, DocumentKind.RUT, advisor)
    onboarding_submit(onboarding=submitted, user=advisor)

    submitted.refresh_from_db()
    assert submitted.status == Onboarding.Status.IN_REVIEW


def test_history_keeps_every_step(submitted, advisor, billing_user):
    onboarding_return(onboarding=submitted, user=billing_user, note="Ilegible.")
    onboarding_submit(onboarding=submitted, user=advisor)
    onboarding_approve(
        onboarding=submitted, user=billing_user, payment_terms=PaymentTerms.CREDIT
    )

    records = list(submitted.history.order_by("history_date", "history_id"))
    steps = [(record.status, record.history_user) for record in records]
    assert steps == [
        (Onboarding.Status.OPEN, advisor),
        (Onboarding.Status.OPEN, advisor),
        (Onboarding.Status.IN_REVIEW, advisor),
        (Onboarding.Status.RETURNED, billing_user),
        (Onboarding.Status.IN_REVIEW, advisor),
        (Onboarding.Status.APPROVED, billing_user),
    ]
    assert records[3].decision_note == "Ilegible."


@pytest.fixture
def approved(submitted, billing_user):
    return onboarding_approve(
        onboarding=submitted, user=billing_user, payment_terms=PaymentTerms.CREDIT
    )


def test_new_document_reopens_review(approved, advisor):
    upload(approved, DocumentKind.RUT, advisor)

    approved.refresh_from_db()
    assert approved.status == Onboarding.Status.IN_REVIEW
    assert not customer_is_approved(approved.customer)
    reason = approved.history.first().history_change_reason
    assert "RUT" in reason
    assert "reemplazado" in reason
    assert Onboarding.objects.filter(status=Onboarding.Status.IN_REVIEW).exists()


def test_data_change_reopens_review(approved, advisor):
    onboarding_review_data(
        onboarding=approved, user=advisor, fields={"address": "Calle 1 # 2-3"}
    )

    approved.refresh_from_db()
    assert approved.status == Onboarding.Status.IN_REVIEW
    assert (
        "Datos del cliente cambiados" in approved.history.first().history_change_reason
    )


def test_review_without_changes_keeps_approval(approved, advisor):
    address = approved.customer.address
    onboarding_review_data(
        onboarding=approved, user=advisor, fields={"address": address}
    )

    approved.refresh_from_db()
    assert approved.status == Onboarding.Status.APPROVED


def test_long_change_reason_fits_history(approved, advisor):
    # simple_history's change reason column is 100 characters long (PostgreSQL
    # enforces it).
    onboarding_review_data(
        onboarding=approved,
        user=advisor,
        fields={
            "address": "Calle 1 # 2-3",
            "email": "nuevo@cliente.example.com",
            "phone": "6012345678",
            "barrio": "Centro",
        },
    )
    reason = approved.history.first().history_change_reason
    assert len(reason) <= 100
