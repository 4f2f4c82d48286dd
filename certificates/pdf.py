"""The certificate PDF: data prepared from a certificate, a QR code of its public
verification URL drawn by segno, rendered by core.pdf."""

import base64
from pathlib import Path

import segno
from django.conf import settings

from core.formatting import format_date
from core.pdf import render_pdf

TEMPLATE = "certificates/pdf/certificate.html"

# The QR code is embedded as a PNG of QR_SCALE pixels per module with a quiet zone
# of QR_BORDER modules, the minimum ISO/IEC 18004 requires.
QR_SCALE = 8
QR_BORDER = 4


def public_url(certificate) -> str:
    """Return the absolute address of the certificate's verification page."""
    return settings.SITE_URL + certificate.get_public_url()


def short_url(certificate) -> str:
    """Return the verification address without its scheme, as printed under the QR."""
    return public_url(certificate).split("://", 1)[-1]


def qr_code(url: str) -> segno.QRCode:
    # Error correction level M restores up to 15 % of a damaged or smudged code.
    return segno.make(url, error="m", micro=False)


def qr_png_data_uri(url: str) -> str:
    return qr_code(url).png_data_uri(scale=QR_SCALE, border=QR_BORDER)


def certificate_pdf_context(certificate) -> dict:
    """Return every figure and text the PDF prints, already formatted, so the
    template only lays them out."""
    customer = certificate.customer
    lines = [
        {
            "order": line.order.code,
            "executed_on": format_date(line.executed_on),
            "description": line.description,
            "quantity": format_quantity(line.quantity),
            "unit": line.unit,
            "invoice": line.invoice_number,
        }
        for line in certificate.lines.select_related("order")
    ]
    url = public_url(certificate)
    signed_at = certificate.signed_at
    return {
        "company": {
            "name": settings.COMPANY_NAME,
            "nit": settings.COMPANY_NIT,
            "address": settings.COMPANY_ADDRESS,
            "phone": settings.COMPANY_PHONE,
            "logo_url": _logo_url(),
        },
        "code": certificate.code or "BORRADOR",
        "is_draft": not certificate.code,
        "issued_on": format_date(signed_at.date() if signed_at else None),
        "signed_at": format_date(signed_at),
        "customer": {
            "name": customer.name,
            "identification": customer.identification_display,
            "id_type": customer.id_type,
        },
        "request": {
            "channel": certificate.get_request_channel_display().lower(),
            "reference": certificate.request_reference,
            "date": format_date(certificate.requested_on),
        },
        "period_start": format_date(certificate.period_start),
        "period_end": format_date(certificate.period_end),
        "waste_type": certificate.waste_type,
        "destination_site": certificate.destination_site,
        "destination_authorization": certificate.destination_authorization,
        "weigh_tickets": certificate.weigh_tickets,
        "notes": certificate.notes,
        "lines": lines,
        "totals": _totals_by_unit(certificate),
        "signer": {
            "name": certificate.signer_name,
            "title": certificate.signer_title,
            "image_url": _file_url(certificate.signature_image),
        },
        "qr_data_uri": qr_png_data_uri(url) if certificate.code else "",
        "verification_url": url,
        "short_url": short_url(certificate),
    }


def certificate_render_pdf(certificate) -> bytes:
    return render_pdf(template=TEMPLATE, context=certificate_pdf_context(certificate))


def format_quantity(quantity) -> str:
    """Format a quantity with Colombian separators and no trailing zeros: 1.234,5."""
    text = f"{quantity.normalize():f}"
    whole, _, fraction = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def _totals_by_unit(certificate) -> list[dict]:
    totals = {}
    for line in certificate.lines.all():
        totals[line.unit] = totals.get(line.unit, 0) + line.quantity
    return [
        {"unit": unit, "quantity": format_quantity(quantity)}
        for unit, quantity in totals.items()
    ]


def _file_url(field_file) -> str:
    # The image is embedded as a data URI, so the PDF never depends on the path
    # of the media directory at render time.
    if not field_file:
        return ""
    with field_file.open("rb") as stored:
        content = stored.read()
    mime = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


def _logo_url() -> str:
    if not settings.COMPANY_LOGO:
        return ""
    path = Path(settings.COMPANY_LOGO)
    if not path.is_absolute():
        path = Path(settings.BASE_DIR) / path
    return path.as_uri() if path.exists() else ""
