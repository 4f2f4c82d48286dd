import base64
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, DirectorSignature, public_token_new
from certificates.services import (
    certificate_revoke,
    certificate_sign,
    certificate_update,
    masked_identification,
    signature_save,
)
from certificates.tests.helpers import (
    draft_data,
    make_draft,
    make_invoiced_order,
    png_bytes,
    signature_upload,
)
from core.models import DocumentSequence
from field_work.models import ServiceProof
from service_orders.models import ServiceOrder
from tests.factories import make_accepted_quotation, make_service_order

pytestmark = pytest.mark.django_db


def test_draft_copies_executed_lines(draft, invoiced_order):
    line = draft.lines.get()
    assert draft.status == Certificate.Status.DRAFT
    assert draft.code == ""
    assert line.order == invoiced_order
    assert line.quantity == Decimal("3.5")
    assert line.unit == invoiced_order.lines.get().unit
    assert line.invoice_number == "FE-1001"
    assert line.executed_on == date(2026, 10, 14)


def test_draft_uses_executed_not_ordered_quantity(customer, advisor, invoiced_order):
    order_line = invoiced_order.lines.get()
    order_line.executed_quantity = Decimal("2.250")
    order_line.save()
    certificate = make_draft(customer=customer, user=advisor, orders=[invoiced_order])
    assert certificate.lines.get().quantity == Decimal("2.250")


def test_draft_rejects_uninvoiced_order(customer, advisor, debris):
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )
    executed = make_service_order(quotation=quotation, executed_on=date(2026, 10, 3))
    with pytest.raises(ValidationError, match="tener número de factura"):
        make_draft(customer=customer, user=advisor, orders=[executed])
    assert not Certificate.objects.exists()


def test_draft_rejects_order_outside_period(customer, advisor, debris):
    september = make_invoiced_order(
        customer=customer, advisor=advisor, item=debris, executed_on=date(2026, 9, 30)
    )
    with pytest.raises(ValidationError, match=september.code):
        make_draft(customer=customer, user=advisor, orders=[september])


def test_draft_rejects_other_customers_order(
    customer, other_customer, advisor, other_advisor, debris
):
    foreign = make_invoiced_order(
        customer=other_customer,
        advisor=other_advisor,
        item=debris,
        executed_on=date(2026, 10, 10),
    )
    with pytest.raises(ValidationError, match=foreign.code):
        make_draft(customer=customer, user=advisor, orders=[foreign])


def test_draft_rejects_annulled_order(customer, advisor, invoiced_order):
    ServiceOrder.objects.filter(pk=invoiced_order.pk).update(
        status=ServiceOrder.Status.ANNULLED
    )
    with pytest.raises(ValidationError):
        make_draft(customer=customer, user=advisor, orders=[invoiced_order])


def test_draft_requires_a_service(customer, advisor):
    with pytest.raises(ValidationError, match="al menos un servicio"):
        make_draft(customer=customer, user=advisor, orders=[])


def test_draft_rejects_inverted_period(customer, advisor, invoiced_order):
    with pytest.raises(ValidationError, match="corrija las fechas"):
        make_draft(
            customer=customer,
            user=advisor,
            orders=[invoiced_order],
            period_start=date(2026, 10, 31),
            period_end=date(2026, 10, 1),
        )


def test_draft_by_other_advisor_denied(customer, other_advisor, invoiced_order):
    with pytest.raises(PermissionDenied):
        make_draft(customer=customer, user=other_advisor, orders=[invoiced_order])


@pytest.mark.parametrize("persona", ["billing_user", "operations_user"])
def test_draft_by_non_sales_role_denied(request, persona, customer, invoiced_order):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        make_draft(customer=customer, user=user, orders=[invoiced_order])


def test_draft_by_coordinator_allowed(customer, coordinator, invoiced_order):
    certificate = make_draft(
        customer=customer, user=coordinator, orders=[invoiced_order]
    )
    assert certificate.drafted_by == coordinator


def test_draft_prefills_weigh_tickets(
    customer, advisor, operations_user, invoiced_order
):
    for reference in ("TB-5501", "TB-5502", "TB-5501"):
        ServiceProof.objects.create(
            order=invoiced_order,
            kind=ServiceProof.Kind.WEIGH_TICKET,
            file="servicios/1/tiquete.pdf",
            content_type="application/pdf",
            size=100,
            reference=reference,
            taken_on=date(2026, 10, 14),
            uploaded_by=operations_user,
        )
    certificate = make_draft(customer=customer, user=advisor, orders=[invoiced_order])
    assert certificate.weigh_tickets == "TB-5501, TB-5502"


def test_draft_keeps_typed_weigh_tickets(customer, advisor, invoiced_order):
    certificate = make_draft(
        customer=customer,
        user=advisor,
        orders=[invoiced_order],
        weigh_tickets="TB-9",
    )
    assert certificate.weigh_tickets == "TB-9"


def test_update_replaces_lines(draft, advisor, customer, debris):
    second = make_invoiced_order(
        customer=customer,
        advisor=advisor,
        item=debris,
        executed_on=date(2026, 10, 20),
        invoice="FE-1002",
    )
    certificate_update(
        certificate=draft,
        user=advisor,
        data=draft_data([second], waste_type="Residuos voluminosos"),
    )
    draft.refresh_from_db()
    assert draft.waste_type == "Residuos voluminosos"
    assert list(draft.lines.values_list("invoice_number", flat=True)) == ["FE-1002"]


def test_sign_stamps_director(signed, director):
    year = timezone.localdate().year
    assert signed.status == Certificate.Status.SIGNED
    assert signed.code == f"CERT-{year}-00001"
    assert signed.signed_by == director
    assert signed.signer_name == "Diana Rojas"
    assert signed.signer_title == "Directora de ventas"
    assert signed.signed_at is not None
    assert signed.pdf_sha256
    assert signed.signature_image.name.startswith("certificados/firmas/")


@pytest.mark.parametrize(
    "persona", ["coordinator", "advisor", "administrator", "superuser", "billing_user"]
)
def test_sign_refused_to_non_director(request, persona, draft, director_signature):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        certificate_sign(certificate=draft, user=user)
    draft.refresh_from_db()
    assert draft.status == Certificate.Status.DRAFT
    assert draft.code == ""


def test_sign_requires_signature_image(draft, director):
    with pytest.raises(ValidationError, match="firma registrada"):
        certificate_sign(certificate=draft, user=director)
    assert not DocumentSequence.objects.filter(kind="certificate").exists()


def test_sign_gives_gapless_codes(
    customer, advisor, director, director_signature, invoiced_order
):
    drafts = [
        make_draft(customer=customer, user=advisor, orders=[invoiced_order])
        for _ in range(3)
    ]
    codes = [certificate_sign(certificate=d, user=director).code for d in drafts]
    year = timezone.localdate().year
    assert codes == [f"CERT-{year}-{number:05d}" for number in (1, 2, 3)]


def test_failed_render_returns_number(
    monkeypatch,
    customer,
    advisor,
    director,
    director_signature,
    invoiced_order,
    media_root,
):
    first = make_draft(customer=customer, user=advisor, orders=[invoiced_order])
    second = make_draft(customer=customer, user=advisor, orders=[invoiced_order])

    def broken_render(certificate):
        raise RuntimeError("render failed")

    monkeypatch.setattr(services, "certificate_render_pdf", broken_render)
    with pytest.raises(RuntimeError):
        certificate_sign(certificate=first, user=director)
    first.refresh_from_db()
    assert first.status == Certificate.Status.DRAFT
    assert first.code == ""
    assert not first.signature_image
    # Only the director's own signature is left on disk.
    stored = [path for path in media_root.rglob("*") if path.is_file()]
    assert len(stored) == 1

    monkeypatch.undo()
    signed = certificate_sign(certificate=second, user=director)
    assert signed.code.endswith("-00001")


def test_signed_certificate_is_immutable(signed, advisor, director, invoiced_order):
    with pytest.raises(ValidationError, match="no se puede modificar"):
        certificate_update(
            certificate=signed, user=advisor, data=draft_data([invoiced_order])
        )
    with pytest.raises(ValidationError, match="no se puede modificar"):
        certificate_sign(certificate=signed, user=director)


def test_signature_change_leaves_signed_copy(signed, director):
    signed = Certificate.objects.get(pk=signed.pk)
    before = Path(signed.signature_image.path).read_bytes()
    signature_save(
        user=director,
        image=signature_upload(content=png_bytes(colour=(200, 0, 0))),
        title="Director de ventas",
    )
    signed.refresh_from_db()
    assert Path(signed.signature_image.path).read_bytes() == before
    assert DirectorSignature.objects.get(user=director).image.name != (
        signed.signature_image.name
    )


def test_revoke_records_reason(signed, director):
    revoked = certificate_revoke(
        certificate=signed, user=director, reason="Se expidió con el periodo errado."
    )
    assert revoked.status == Certificate.Status.REVOKED
    assert revoked.revoked_by == director
    assert revoked.revoked_at is not None
    assert revoked.code == signed.code


def test_revoke_requires_reason(signed, director):
    with pytest.raises(ValidationError, match="motivo"):
        certificate_revoke(certificate=signed, user=director, reason="  error ")


def test_revoke_refused_on_draft(draft, director):
    with pytest.raises(ValidationError, match="Solo se revoca"):
        certificate_revoke(
            certificate=draft, user=director, reason="No debe revocarse un borrador."
        )


@pytest.mark.parametrize("persona", ["coordinator", "administrator", "superuser"])
def test_revoke_refused_to_non_director(request, persona, signed):
    with pytest.raises(PermissionDenied):
        certificate_revoke(
            certificate=signed,
            user=request.getfixturevalue(persona),
            reason="Se expidió con el periodo errado.",
        )


def test_history_records_each_step(signed, director, advisor):
    certificate_revoke(
        certificate=signed, user=director, reason="Se expidió con el periodo errado."
    )
    records = list(signed.history.order_by("history_date", "history_id"))
    assert [record.status for record in records] == ["borrador", "firmado", "revocado"]
    assert [record.history_user for record in records] == [advisor, director, director]


def test_public_token_is_128_bit_random():
    tokens = {public_token_new() for _ in range(1000)}
    assert len(tokens) == 1000
    for token in list(tokens)[:50]:
        raw = base64.urlsafe_b64decode(token + "==")
        assert len(raw) == 16


def test_public_token_unrelated_to_code(signed):
    assert signed.code not in signed.public_token
    assert str(signed.pk) != signed.public_token
    assert len(signed.public_token) == 22


def test_masked_identification_hides_all_but_three(customer):
    masked = masked_identification(customer)
    digits = [char for char in masked if char.isdigit()]
    assert masked.startswith("NIT ")
    assert digits == list(customer.id_number[-3:])


def test_draft_rejects_period_ending_after_today(customer, advisor, invoiced_order):
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    with pytest.raises(ValidationError, match="después de hoy"):
        make_draft(
            customer=customer,
            user=advisor,
            orders=[invoiced_order],
            period_start=date(2026, 10, 1),
            period_end=tomorrow,
        )
    assert not Certificate.objects.exists()
