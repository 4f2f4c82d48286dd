"""Builders for certificate tests: invoiced orders, signature images, drafts."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certificates.services import DraftData, certificate_draft
from tests.factories import make_accepted_quotation, make_service_order

PERIOD_START = date(2026, 10, 1)
PERIOD_END = date(2026, 10, 31)


def png_bytes(size=(120, 40), colour=(20, 20, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def signature_upload(name="firma.png", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or png_bytes(), content_type="image/png")


def make_invoiced_order(*, customer, advisor, item, executed_on, invoice="FE-1001"):
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(item, "3.5")]
    )
    return make_service_order(
        quotation=quotation,
        executed_on=executed_on,
        invoice_number=invoice,
        invoice_date=executed_on,
    )


def draft_data(orders, **fields) -> DraftData:
    values = {
        "request_channel": "correo",
        "request_reference": "RAD-2026-778",
        "requested_on": date(2026, 11, 5),
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
        "orders": list(orders),
        "waste_type": "Residuos de construcción y demolición (RCD)",
        "destination_site": "Escombrera municipal La Esperanza, Melgar",
        "destination_authorization": "Resolución CORTOLIMA 1234 de 2024",
    }
    values.update(fields)
    return DraftData(**values)


def make_draft(*, customer, user, orders, **fields):
    return certificate_draft(
        customer=customer, user=user, data=draft_data(orders, **fields)
    )
