"""Builders for billing tests: approved customers and executed orders with proofs."""

import itertools
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from field_work.models import ServiceProof
from onboarding.models import Onboarding, PaymentTerms
from tests.factories import make_accepted_quotation, make_service_order, pdf_bytes

_sequence = itertools.count(1)

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF_BYTES = pdf_bytes()


def approve_customer(customer, user) -> Onboarding:
    """Give `customer` an onboarding approved by billing."""
    return Onboarding.objects.create(
        customer=customer,
        status=Onboarding.Status.APPROVED,
        payment_terms=PaymentTerms.CREDIT,
        opened_by=user,
        decided_by=user,
    )


def make_executed_order(*, customer, advisor, lines, executed_on: date, **fields):
    """An order of a new accepted quotation with `lines` ((tariff item, quantity)
    pairs), executed on `executed_on` with the ordered quantities."""
    quotation = make_accepted_quotation(customer=customer, advisor=advisor, lines=lines)
    return make_service_order(quotation=quotation, executed_on=executed_on, **fields)


def add_proof(
    order,
    user,
    *,
    kind=ServiceProof.Kind.PHOTO,
    content=PNG_BYTES,
    content_type="image/png",
    client_name="../../etc/foto cliente.png",
    taken_on: date | None = None,
) -> ServiceProof:
    """Store a proof for `order` as field_work would, with the client's file name
    passed through the model's upload_to (which discards it)."""
    return ServiceProof.objects.create(
        order=order,
        kind=kind,
        file=SimpleUploadedFile(client_name, content, content_type=content_type),
        content_type=content_type,
        size=len(content),
        taken_on=taken_on or order.executed_on,
        uploaded_by=user,
    )


def add_signed_order(order, user) -> ServiceProof:
    """Store the signed service order, which makes the default proof rule
    (settings.PROOF_REQUIRED_KINDS) complete for an order charged by volume."""
    return add_proof(
        order, user, kind=ServiceProof.Kind.SIGNED_ORDER, client_name="orden.png"
    )


def add_prepayment(
    order, user, *, amount, reference, paid_on: date, annulled: bool = False
):
    """Store a payment in advance for `order` as field_work would, annulled when
    `annulled` is true."""
    from decimal import Decimal

    from django.utils import timezone

    from field_work.models import Prepayment

    return Prepayment.objects.create(
        order=order,
        reference=reference,
        paid_on=paid_on,
        amount=Decimal(amount),
        receipt=SimpleUploadedFile("recibo.pdf", PDF_BYTES),
        receipt_content_type="application/pdf",
        registered_by=user,
        annulled_at=timezone.now() if annulled else None,
        annulled_by=user if annulled else None,
        annulled_reason="Consignación de otro cliente" if annulled else "",
    )
