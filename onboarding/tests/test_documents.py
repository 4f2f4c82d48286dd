"""Document uploads: content checks, stored names, the RUT NIT, the Cámara de
Comercio age and the checklist."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customers.identification import compute_check_digit
from onboarding.models import CustomerDocument, DocumentKind, Onboarding
from onboarding.services import (
    Checklist,
    document_upload,
    onboarding_checklist,
    onboarding_open,
    rut_nit_check,
)
from onboarding.tests.conftest import PDF_BYTES, complete, image_file, pdf_file, upload
from tests.factories import make_accepted_quotation, make_customer

pytestmark = pytest.mark.django_db


def stored_files(media_root) -> list[Path]:
    return [path for path in Path(media_root).rglob("*") if path.is_file()]


# Uploads


def test_pdf_stored_with_hash(onboarding, advisor):
    document = upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor)

    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.file.read() == PDF_BYTES
    assert document.uploaded_by == advisor


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("PNG", "image/png", ".png"), ("JPEG", "image/jpeg", ".jpg")],
)
def test_images_accepted(onboarding, advisor, image_format, content_type, extension):
    uploaded = image_file("escaneo.pdf", image_format)

    document = upload(
        onboarding, DocumentKind.REPRESENTATIVE_ID, advisor, uploaded=uploaded
    )

    assert document.content_type == content_type
    assert document.file.name.endswith(extension)


def test_path_traversal_name_ignored(onboarding, advisor, media_root):
    uploaded = pdf_file("../../etc/passwd.pdf")

    document = upload(
        onboarding, DocumentKind.REPRESENTATIVE_ID, advisor, uploaded=uploaded
    )

    name = document.file.name
    assert ".." not in name
    assert "passwd" not in name
    assert name.startswith(f"clientes/{onboarding.customer_id}/documentos/")
    assert Path(document.file.path).resolve().is_relative_to(Path(media_root))
    assert stored_files(media_root) == [Path(document.file.path)]


def test_html_named_pdf_rejected(onboarding, advisor, media_root):
    uploaded = SimpleUploadedFile(
        "rut.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )

    with pytest.raises(ValidationError, match="no es un archivo PDF"):
        upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor, uploaded=uploaded)
    assert not CustomerDocument.objects.exists()
    assert stored_files(media_root) == []


def test_exe_named_pdf_rejected(onboarding, advisor):
    uploaded = SimpleUploadedFile("cedula.pdf", b"MZ\x90\x00" + b"\x00" * 60)

    with pytest.raises(ValidationError, match="no es un archivo PDF"):
        upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor, uploaded=uploaded)
    assert not CustomerDocument.objects.exists()


def test_oversize_rejected(onboarding, advisor, settings):
    settings.UPLOAD_MAX_MB = 1
    uploaded = pdf_file(content=PDF_BYTES + b"0" * (1024 * 1024))

    with pytest.raises(ValidationError, match="el máximo es 1 MB"):
        upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor, uploaded=uploaded)
    assert not CustomerDocument.objects.exists()


def test_empty_file_rejected(onboarding, advisor):
    uploaded = SimpleUploadedFile("vacio.pdf", b"")

    with pytest.raises(ValidationError, match="está vacío"):
        upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor, uploaded=uploaded)
    assert not CustomerDocument.objects.exists()


def test_unknown_kind_rejected(onboarding, advisor):
    with pytest.raises(ValidationError, match="tipo de documento"):
        document_upload(
            onboarding=onboarding, kind="pasaporte", uploaded=pdf_file(), user=advisor
        )


def test_upload_rejected_while_in_review(onboarding, advisor):
    Onboarding.objects.filter(pk=onboarding.pk).update(
        status=Onboarding.Status.IN_REVIEW
    )
    onboarding.refresh_from_db()

    with pytest.raises(ValidationError, match="En revisión por facturación"):
        upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor)


# Replacement keeps history


def test_new_upload_replaces_current(onboarding, advisor, media_root):
    first = upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor)
    second = upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor)

    first.refresh_from_db()
    assert not first.is_current
    assert first.replaced_by == second
    assert second.is_current
    assert Path(first.file.path).exists()
    assert len(stored_files(media_root)) == 2


def test_replacement_in_history(onboarding, advisor, coordinator):
    first = upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor)
    upload(onboarding, DocumentKind.REPRESENTATIVE_ID, coordinator)

    records = list(first.history.order_by("history_date"))
    assert [record.is_current for record in records] == [True, False, False]
    assert records[-1].history_user == coordinator


def test_other_documents_accumulate(onboarding, advisor):
    upload(onboarding, DocumentKind.OTHER, advisor)
    upload(onboarding, DocumentKind.OTHER, advisor)

    assert onboarding.customer.documents.current().count() == 2


# RUT NIT


def test_rut_nit_must_match(onboarding, advisor):
    other_nit = "800.197.268-4"

    with pytest.raises(ValidationError, match="no coincide con la identificación"):
        upload(onboarding, DocumentKind.RUT, advisor, document_id_number=other_nit)
    assert not CustomerDocument.objects.exists()


def test_rut_nit_required(onboarding, advisor):
    with pytest.raises(ValidationError, match="Escriba el NIT"):
        upload(onboarding, DocumentKind.RUT, advisor, document_id_number="  ")


def test_rut_nit_with_wrong_check_digit(customer):
    wrong = str((int(customer.check_digit) + 1) % 10)

    with pytest.raises(ValidationError, match="no es válido"):
        rut_nit_check(
            customer=customer,
            document_id_number=f"{customer.id_number}-{wrong}",
        )


@pytest.mark.parametrize(
    "typed",
    ["{number}", "{number}-{dv}", "{dotted}-{dv}", "{number}{dv}", " {dotted} {dv} "],
)
def test_rut_nit_normalised(customer, typed):
    number = customer.id_number
    dotted = f"{int(number):,}".replace(",", ".")
    text = typed.format(number=number, dv=customer.check_digit, dotted=dotted)

    assert rut_nit_check(customer=customer, document_id_number=text) == number


def test_natural_person_rut_uses_cedula(advisor):
    person = make_customer(
        id_type="CC",
        id_number="1023456789",
        check_digit="",
        person_kind="natural",
        name="Luz Marina Peña",
        advisor=advisor,
    )

    typed = f"1.023.456.789-{compute_check_digit('1023456789')}"

    assert rut_nit_check(customer=person, document_id_number=typed) == "1023456789"


def test_rut_stored_normalised(onboarding, advisor):
    document = upload(onboarding, DocumentKind.RUT, advisor)

    assert document.document_id_number == onboarding.customer.id_number


def test_changed_customer_nit_flags_rut(onboarding, advisor):
    upload(onboarding, DocumentKind.RUT, advisor)
    customer = onboarding.customer
    customer.id_number = "800197268"
    customer.check_digit = "4"
    customer.save()

    item = onboarding_checklist(onboarding).items[0]
    assert item.state == Checklist.MISMATCH
    assert "no coincide" in item.message


# Cámara de Comercio


def test_chamber_needs_issue_date(onboarding, advisor):
    with pytest.raises(ValidationError, match="fecha de expedición"):
        upload(onboarding, DocumentKind.CHAMBER_OF_COMMERCE, advisor, issued_on=None)


def test_chamber_issue_date_not_future(onboarding, advisor):
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationError, match="en el futuro"):
        upload(
            onboarding, DocumentKind.CHAMBER_OF_COMMERCE, advisor, issued_on=tomorrow
        )


def chamber_item(onboarding):
    return next(
        item
        for item in onboarding_checklist(onboarding).items
        if item.requirement.kind == DocumentKind.CHAMBER_OF_COMMERCE
    )


def test_old_chamber_warned(onboarding, advisor):
    issued_on = timezone.localdate() - timedelta(days=31)
    upload(onboarding, DocumentKind.CHAMBER_OF_COMMERCE, advisor, issued_on=issued_on)

    item = chamber_item(onboarding)
    assert item.state == Checklist.OLD
    assert "hace 31 días; el máximo es 30 días" in item.message
    assert not item.blocks_approval


def test_chamber_at_limit_not_warned(onboarding, advisor):
    issued_on = timezone.localdate() - timedelta(days=30)
    upload(onboarding, DocumentKind.CHAMBER_OF_COMMERCE, advisor, issued_on=issued_on)

    assert chamber_item(onboarding).state == Checklist.OK


def test_chamber_age_setting_applies(onboarding, advisor, settings):
    settings.CHAMBER_CERTIFICATE_MAX_AGE_DAYS = 10
    issued_on = timezone.localdate() - timedelta(days=11)
    upload(onboarding, DocumentKind.CHAMBER_OF_COMMERCE, advisor, issued_on=issued_on)

    assert chamber_item(onboarding).state == Checklist.OLD


# Checklist


def test_checklist_lists_missing(onboarding, advisor):
    upload(onboarding, DocumentKind.RUT, advisor)

    checklist = onboarding_checklist(onboarding)

    missing = [item.requirement.kind for item in checklist.missing]
    assert missing == [DocumentKind.CHAMBER_OF_COMMERCE, DocumentKind.REPRESENTATIVE_ID]
    assert not checklist.is_complete


def test_checklist_complete(onboarding, advisor):
    complete(onboarding, advisor)

    checklist = onboarding_checklist(onboarding)

    assert checklist.is_complete
    assert [item.state for item in checklist.items] == [Checklist.OK] * 3


def test_checklist_follows_person_kind(advisor):
    person = make_customer(
        id_type="CC",
        id_number="52123456",
        check_digit="",
        person_kind="natural",
        advisor=advisor,
    )
    onboarding = onboarding_open(
        quotation=make_accepted_quotation(customer=person, advisor=advisor),
        user=advisor,
    )

    kinds = [item.requirement.kind for item in onboarding_checklist(onboarding).items]
    assert kinds == [DocumentKind.ID_CARD, DocumentKind.RUT]


def test_optional_requirement_does_not_block(onboarding):
    from onboarding.models import DocumentRequirement

    DocumentRequirement.objects.filter(kind=DocumentKind.REPRESENTATIVE_ID).update(
        is_required=False
    )

    items = onboarding_checklist(onboarding).items
    assert items[2].state == Checklist.OPTIONAL
    assert len(onboarding_checklist(onboarding).missing) == 2


@pytest.mark.parametrize("value", ["abc", "12", "12345678901", "1.234.5a"])
def test_cedula_number_must_be_digits(onboarding, advisor, value):
    with pytest.raises(ValidationError) as error:
        upload(
            onboarding,
            DocumentKind.REPRESENTATIVE_ID,
            advisor,
            document_id_number=value,
        )
    assert "de 3 a 10 dígitos" in error.value.messages[0]
    assert "Cédula del representante legal" in error.value.messages[0]


def test_cedula_number_stored_without_dots(onboarding, advisor):
    document = upload(
        onboarding, DocumentKind.ID_CARD, advisor, document_id_number="79.123.456"
    )
    assert document.document_id_number == "79123456"
