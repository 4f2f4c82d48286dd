from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from field_work.models import ServiceProof
from field_work.proof import proof_count, proof_is_complete, proof_missing
from field_work.services import proof_upload, proof_upload_many
from field_work.tests.helpers import (
    big_jpeg,
    hand_over,
    html_as_jpeg,
    jpeg,
    make_order,
    pdf,
)

pytestmark = pytest.mark.django_db


def upload(order, user, kind=ServiceProof.Kind.SIGNED_ORDER, file=None, **kwargs):
    return proof_upload(
        order=order,
        user=user,
        kind=kind,
        file=file if file is not None else pdf(),
        taken_on=kwargs.pop("taken_on", timezone.localdate()),
        **kwargs,
    )


def test_upload_stores_checked_file(scheduled_order, operations_user):
    proof = upload(scheduled_order, operations_user, reference="OS-778")
    assert proof.content_type == "application/pdf"
    assert proof.size > 0
    assert proof.reference == "OS-778"
    with proof.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")


def test_path_in_name_never_reaches_disk(scheduled_order, operations_user):
    proof = upload(
        scheduled_order, operations_user, file=pdf("../../../etc/cron.d/evil.pdf")
    )
    assert proof.file.name.startswith(f"servicios/{scheduled_order.pk}/")
    assert ".." not in proof.file.name
    assert "evil" not in proof.file.name
    assert proof.file.name.endswith(".pdf")


def test_extension_comes_from_content(scheduled_order, operations_user):
    proof = upload(
        scheduled_order,
        operations_user,
        kind=ServiceProof.Kind.PHOTO,
        file=jpeg("foto.png.exe"),
    )
    assert proof.file.name.endswith(".jpg")
    assert proof.content_type == "image/jpeg"


def test_html_named_jpeg_rejected(scheduled_order, operations_user):
    for kind in (ServiceProof.Kind.PHOTO, ServiceProof.Kind.WORKS_RECORD):
        with pytest.raises(ValidationError) as error:
            upload(scheduled_order, operations_user, kind=kind, file=html_as_jpeg())
        assert "foto.jpg" in error.value.messages[0]
    assert not ServiceProof.objects.exists()


def test_photo_must_be_image(scheduled_order, operations_user):
    with pytest.raises(ValidationError):
        upload(scheduled_order, operations_user, kind=ServiceProof.Kind.PHOTO)


def test_oversize_rejected_with_lowered_limit(
    scheduled_order, operations_user, settings
):
    settings.UPLOAD_MAX_MB = 1
    with pytest.raises(ValidationError) as error:
        upload(
            scheduled_order,
            operations_user,
            kind=ServiceProof.Kind.PHOTO,
            file=big_jpeg(1.5),
        )
    assert "máximo es 1 MB" in error.value.messages[0]
    upload(
        scheduled_order,
        operations_user,
        kind=ServiceProof.Kind.PHOTO,
        file=big_jpeg(0.9),
    )
    assert ServiceProof.objects.count() == 1


def test_one_bad_file_stores_none(scheduled_order, operations_user):
    with pytest.raises(ValidationError):
        proof_upload_many(
            order=scheduled_order,
            user=operations_user,
            kind=ServiceProof.Kind.COLLECTION_NOTICE,
            files=[pdf(), jpeg(), html_as_jpeg()],
            taken_on=timezone.localdate(),
        )
    assert not ServiceProof.objects.exists()


def test_rejected_after_handoff(
    customer, advisor, debris, operations_user, coordinator
):
    order = make_order(customer, advisor, [(debris, "1")], executed_on=date(2026, 3, 2))
    hand_over(order, coordinator)
    with pytest.raises(ValidationError) as error:
        upload(order, operations_user)
    assert "entregada a facturación" in error.value.messages[0]
    assert not ServiceProof.objects.exists()


def test_rejected_on_unscheduled_order(new_order, operations_user):
    with pytest.raises(ValidationError):
        upload(new_order, operations_user)


def test_future_date_rejected(scheduled_order, operations_user):
    with pytest.raises(ValidationError):
        upload(
            scheduled_order,
            operations_user,
            taken_on=timezone.localdate() + timedelta(days=1),
        )


def test_date_before_order_rejected(scheduled_order, operations_user):
    created_on = timezone.localdate(scheduled_order.created_at)
    with pytest.raises(ValidationError) as error:
        upload(
            scheduled_order,
            operations_user,
            taken_on=created_on - timedelta(days=1),
        )
    assert "anterior a la creación" in error.value.messages[0]
    assert not ServiceProof.objects.exists()


def test_date_of_order_creation_accepted(scheduled_order, operations_user):
    created_on = timezone.localdate(scheduled_order.created_at)
    proof = upload(scheduled_order, operations_user, taken_on=created_on)
    assert proof.taken_on == created_on


def test_roles_that_cannot_upload(scheduled_order, advisor, billing_user):
    for user in (advisor, billing_user):
        with pytest.raises(PermissionDenied):
            upload(scheduled_order, user)


def test_signed_order_or_works_record_completes(scheduled_order, logistics_user):
    assert not proof_is_complete(scheduled_order)
    upload(scheduled_order, logistics_user, kind=ServiceProof.Kind.PHOTO, file=jpeg())
    assert not proof_is_complete(scheduled_order)
    upload(scheduled_order, logistics_user, kind=ServiceProof.Kind.WORKS_RECORD)
    assert proof_is_complete(scheduled_order)
    assert proof_count(scheduled_order) == 2


def test_weighed_service_needs_weigh_ticket(
    customer, advisor, weighed_waste, operations_user
):
    order = make_order(
        customer,
        advisor,
        [(weighed_waste, "1.2")],
        status="programada",
        scheduled_date=timezone.localdate(),
    )
    upload(order, operations_user, kind=ServiceProof.Kind.SIGNED_ORDER)
    missing = proof_missing(order)
    assert [requirement.kinds for requirement in missing] == [("tiquete_bascula",)]
    upload(order, operations_user, kind=ServiceProof.Kind.WEIGH_TICKET)
    assert proof_is_complete(order)


def test_required_kinds_setting(scheduled_order, operations_user, settings):
    settings.PROOF_REQUIRED_KINDS = ["aviso_recoleccion", "foto"]
    upload(scheduled_order, operations_user, kind=ServiceProof.Kind.COLLECTION_NOTICE)
    assert not proof_is_complete(scheduled_order)
    upload(scheduled_order, operations_user, kind=ServiceProof.Kind.PHOTO, file=jpeg())
    assert proof_is_complete(scheduled_order)
