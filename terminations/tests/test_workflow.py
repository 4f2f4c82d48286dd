"""Verification, desistimiento, delivery, reconciliation, novedades and digest."""

import html
import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core.models import OutgoingEmail
from subscribers.models import SubscriberAccount
from terminations import services
from terminations.models import (
    DeliveryBatch,
    Desistimiento,
    RegistryNovelty,
    TerminationRequest,
    Verification,
)
from terminations.tests.conftest import make_account, make_request

FROZEN = "2026-10-20 10:00 -05:00"


def pdf_text(content: bytes) -> str:
    return " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def signed_pdf(name="firmado.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n" + _blank_pdf()[9:]
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def signed_png() -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(output, format="PNG")
    return SimpleUploadedFile("../../escaneo.png", output.getvalue())


@pytest.fixture
def withdrawn(competitor, advisor):
    """A request the subscriber withdrew, with its desistimiento issued."""
    account = make_account("449000101", name="Lucero Díaz Portilla")
    request = make_request(competitor, account, advisor=advisor)
    with time_machine.travel(FROZEN, tick=False):
        services.verification_record(
            request=request,
            user=advisor,
            result=Verification.Result.WITHDRAWS,
            evidence_kind=Verification.EvidenceKind.VISIT,
        )
    request.refresh_from_db()
    return request


def test_confirmed_verification_accepts(competitor, advisor):
    request = make_request(competitor, make_account(), advisor=advisor)

    services.verification_record(
        request=request,
        user=advisor,
        result=Verification.Result.CONFIRMED,
        evidence_kind=Verification.EvidenceKind.CALL,
    )

    assert request.status == TerminationRequest.Status.ACCEPTED
    assert not hasattr(request, "desistimiento")


def test_withdrawal_issues_numbered_desistimiento(withdrawn):
    assert withdrawn.desistimiento.code == "DES-2026-00001"
    assert withdrawn.status == TerminationRequest.Status.VERIFYING


def test_desistimiento_pdf_text(withdrawn, competitor):
    text = pdf_text(services.desistimiento_pdf(withdrawn.desistimiento))

    assert "DES-2026-00001" in text
    assert "Lucero Díaz Portilla" in text
    assert "449000101" in text
    assert competitor.name in text
    assert "01/10/2026" in text
    assert "Firma del suscriptor" in text


def test_signed_upload_withdraws_request(withdrawn, advisor):
    services.desistimiento_upload_signed(
        desistimiento=withdrawn.desistimiento, uploaded=signed_png(), user=advisor
    )
    withdrawn.refresh_from_db()
    stored = withdrawn.desistimiento.signed_file.name

    assert withdrawn.status == TerminationRequest.Status.WITHDRAWN
    assert stored.endswith("DES-2026-00001.png")
    assert "escaneo" not in stored


def test_signed_upload_rejects_non_image(withdrawn, advisor):
    fake = SimpleUploadedFile("firmado.pdf", b"MZ\x90\x00 not a pdf")

    with pytest.raises(ValidationError):
        services.desistimiento_upload_signed(
            desistimiento=withdrawn.desistimiento, uploaded=fake, user=advisor
        )


def test_signed_upload_rejects_large_file(withdrawn, advisor, settings):
    settings.TERMINATION_SIGNED_FORM_MAX_MB = 0

    with pytest.raises(ValidationError):
        services.desistimiento_upload_signed(
            desistimiento=withdrawn.desistimiento, uploaded=signed_pdf(), user=advisor
        )


def _sign(request, user):
    services.desistimiento_upload_signed(
        desistimiento=request.desistimiento, uploaded=signed_png(), user=user
    )
    request.desistimiento.refresh_from_db()
    return request.desistimiento


def test_delivery_builds_files(withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)

    batch = services.delivery_create(
        competitor=competitor,
        desistimientos=[desistimiento],
        user=coordinator,
        received_by="Patricia Suárez",
        delivered_on=date(2026, 10, 26),
    )
    bundle = batch.bundle.open("rb").read()
    record = pdf_text(batch.record.open("rb").read())

    assert batch.desistimiento_count == 1
    assert len(PdfReader(io.BytesIO(bundle)).pages) == 1
    assert "Patricia Suárez" in record
    assert "DES-2026-00001" in record
    assert batch.workbook.open("rb").read().startswith(b"PK")


def test_delivery_twice_is_rejected(withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)
    services.delivery_create(
        competitor=competitor,
        desistimientos=[desistimiento],
        user=coordinator,
        received_by="Patricia Suárez",
        delivered_on=date(2026, 10, 26),
    )

    with pytest.raises(services.TerminationError, match="ya se entregó"):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 27),
        )


def test_delivery_without_signed_form_is_rejected(withdrawn, competitor, coordinator):
    with pytest.raises(services.TerminationError, match="firmado"):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[withdrawn.desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 26),
        )


def test_delivery_before_response_term_is_rejected(withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)

    # The response term ends on 23/10/2026, so that day is still too early.
    with pytest.raises(services.TerminationError, match="23/10/2026"):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 23),
        )


def test_delivery_candidates_wait_for_term(withdrawn, competitor, coordinator):
    _sign(withdrawn, coordinator)

    early = services.delivery_candidates(
        competitor=competitor, today=date(2026, 10, 23)
    )
    later = services.delivery_candidates(
        competitor=competitor, today=date(2026, 10, 26)
    )

    assert early.count() == 0
    assert later.count() == 1


def _meeting(competitor, account, outcome, user, held_on=date(2026, 10, 28)):
    return services.meeting_record(
        competitor=competitor,
        held_on=held_on,
        attendees="Carla Mejía\nPatricia Suárez",
        agreements=[services.AgreementInput(account, outcome)],
        user=user,
    )


def test_leaving_account_scheduled_on_effective_date(competitor, coordinator):
    account = make_account("449000202")
    request = make_request(competitor, account)

    _meeting(competitor, account, "se_va", coordinator)
    request.refresh_from_db()
    account.refresh_from_db()

    assert request.unlinking_on == date(2026, 12, 1)
    assert account.unlinking_scheduled_on == date(2026, 12, 1)
    assert account.status == SubscriberAccount.Status.ACTIVE


def test_novelties_never_report_unlinking_before_effective(competitor, coordinator):
    account = make_account("449000203")
    make_request(competitor, account)
    _meeting(competitor, account, "se_va", coordinator)

    before = services.novelty_report(on=date(2026, 11, 30))
    on_the_day = services.novelty_report(on=date(2026, 12, 1))
    services.novelty_batch_create(
        on=on_the_day.on,
        last_id=on_the_day.last_id,
        digest=on_the_day.digest,
        user=coordinator,
    )
    account.refresh_from_db()

    assert before.novelties == ()
    assert [n.account for n in on_the_day.novelties] == [account]
    assert account.status == SubscriberAccount.Status.UNLINKED
    assert account.unlinked_on == date(2026, 12, 1)


def test_novelty_applies_after_notice(competitor, coordinator):
    account = make_account("449000204", status=SubscriberAccount.Status.UNLINKED)
    _meeting(competitor, account, "vinculado", coordinator)

    report = services.novelty_report(on=date(2026, 10, 28))
    row = report.rows()[0]

    assert row[0] == "Vinculación"
    assert row[-1] == date(2026, 12, 28)


def test_retained_account_closes_request(competitor, coordinator):
    account = make_account("449000205")
    request = make_request(competitor, account)

    _meeting(competitor, account, "retenido", coordinator)
    request.refresh_from_db()

    assert request.status == TerminationRequest.Status.WITHDRAWN
    assert not RegistryNovelty.objects.exists()


def test_reported_novelties_are_not_repeated(competitor, coordinator):
    account = make_account("449000206", status="desvinculado")
    _meeting(competitor, account, "vinculado", coordinator)
    report = services.novelty_report(on=date(2026, 10, 28))

    services.novelty_batch_create(
        on=report.on, last_id=report.last_id, digest=report.digest, user=coordinator
    )

    assert services.novelty_report(on=date(2026, 10, 29)).novelties == ()


def test_digest_lists_only_next_business_days(competitor, advisor, director):
    due_soon = make_request(
        competitor,
        make_account("449000301"),
        advisor=advisor,
        response_due_on=date(2026, 10, 23),
    )
    make_request(
        competitor,
        make_account("449000302"),
        advisor=advisor,
        response_due_on=date(2026, 10, 27),
    )

    # Tuesday 20/10/2026 + 3 business days = Friday 23/10/2026.
    sent = services.digest_send(today=date(2026, 10, 20))
    to_advisor = OutgoingEmail.objects.get(to=[advisor.email])

    assert sent == 2
    assert "449000301" in to_advisor.body_text
    assert "449000302" not in to_advisor.body_text
    assert "23/10/2026" in to_advisor.body_text
    assert due_soon.get_absolute_url() in to_advisor.body_text


def test_digest_skips_advisor_with_nothing_due(competitor, advisor, other_advisor):
    make_request(
        competitor,
        make_account("449000303"),
        advisor=advisor,
        response_due_on=date(2026, 10, 22),
    )

    services.digest_send(today=date(2026, 10, 20))

    assert not OutgoingEmail.objects.filter(to=[other_advisor.email]).exists()


def test_desistimiento_pdf_statement(withdrawn, competitor, settings):
    text = " ".join(
        pdf_text(services.desistimiento_pdf(withdrawn.desistimiento)).split()
    )

    assert "FORMATO DE DESISTIMIENTO DE TERMINACIÓN ANTICIPADA" in text
    assert "Consecutivo DES-2026-00001" in text
    assert "Fecha de expedición: 20/10/2026" in text
    assert withdrawn.account.identification_display in text
    assert "CL 10 # 5-32, Centro, Melgar" in text
    assert "Residencial · estrato 3" in text
    assert (
        "manifiesto que desisto de la solicitud de terminación anticipada del "
        f"contrato de prestación del servicio público de aseo con "
        f"{settings.COMPANY_NAME} radicada por {competitor.name} el 01/10/2026"
    ) in text
    assert "Firma del asesor comercial" in text


def test_delivery_of_other_competitor_is_rejected(
    withdrawn, other_competitor, coordinator
):
    desistimiento = _sign(withdrawn, coordinator)

    with pytest.raises(services.TerminationError, match="es de otro competidor"):
        services.delivery_create(
            competitor=other_competitor,
            desistimientos=[desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 26),
        )


def test_delivery_needs_receiver(withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)

    with pytest.raises(services.TerminationError, match="quién recibe"):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[desistimiento],
            user=coordinator,
            received_by="  ",
            delivered_on=date(2026, 10, 26),
        )


def test_delivered_form_cannot_be_replaced(withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)
    services.delivery_create(
        competitor=competitor,
        desistimientos=[desistimiento],
        user=coordinator,
        received_by="Patricia Suárez",
        delivered_on=date(2026, 10, 26),
    )
    desistimiento.refresh_from_db()

    with pytest.raises(services.TerminationError, match="ya se entregó"):
        services.desistimiento_upload_signed(
            desistimiento=desistimiento, uploaded=signed_png(), user=coordinator
        )


def test_failed_delivery_writes_nothing(withdrawn, competitor, coordinator):
    signed = _sign(withdrawn, coordinator)
    other = make_request(competitor, make_account("449000102"))
    services.verification_record(
        request=other,
        user=coordinator,
        result=Verification.Result.NOT_AUTHENTIC,
        evidence_kind=Verification.EvidenceKind.CALL,
    )
    other.refresh_from_db()

    # The second desistimiento is unsigned, so neither is delivered.
    with pytest.raises(services.TerminationError):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[signed, other.desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 26),
        )
    signed.refresh_from_db()

    assert signed.delivery is None
    assert not DeliveryBatch.objects.exists()


def test_signed_upload_rejects_damaged_pdf(withdrawn, advisor):
    damaged = SimpleUploadedFile("firmado.pdf", b"%PDF-1.4\n" + b"x" * 500)

    with pytest.raises(ValidationError, match="dañado"):
        services.desistimiento_upload_signed(
            desistimiento=withdrawn.desistimiento, uploaded=damaged, user=advisor
        )
    withdrawn.desistimiento.refresh_from_db()

    assert not withdrawn.desistimiento.signed_file


def test_signed_upload_rejects_truncated_png(withdrawn, advisor):
    truncated = SimpleUploadedFile("firmado.png", signed_png().read()[:40])

    with pytest.raises(ValidationError, match="dañado"):
        services.desistimiento_upload_signed(
            desistimiento=withdrawn.desistimiento, uploaded=truncated, user=advisor
        )


def test_damaged_stored_scan_fails_delivery_cleanly(
    withdrawn, competitor, coordinator, settings
):
    desistimiento = _sign(withdrawn, coordinator)
    # A scan damaged on disk after its upload check passed.
    Path(desistimiento.signed_file.path).write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 50)

    with pytest.raises(services.TerminationError, match="DES-2026-00001"):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 26),
        )
    written = [
        path.name for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()
    ]

    assert not DeliveryBatch.objects.exists()
    assert written == [Path(desistimiento.signed_file.name).name]


def test_confirmation_annuls_desistimiento(withdrawn, advisor):
    services.verification_record(
        request=withdrawn,
        user=advisor,
        result=Verification.Result.CONFIRMED,
        evidence_kind=Verification.EvidenceKind.CALL,
    )
    desistimiento = Desistimiento.objects.get(request=withdrawn)

    assert desistimiento.code == "DES-2026-00001"
    assert desistimiento.annulled_at is not None
    assert "confirmó la solicitud" in desistimiento.annulment_reason


def test_annulled_desistimiento_rejects_signed_scan(withdrawn, advisor):
    services.verification_record(
        request=withdrawn,
        user=advisor,
        result=Verification.Result.CONFIRMED,
        evidence_kind=Verification.EvidenceKind.CALL,
    )
    desistimiento = Desistimiento.objects.get(request=withdrawn)

    with pytest.raises(services.TerminationError, match="anulado"):
        services.desistimiento_upload_signed(
            desistimiento=desistimiento, uploaded=signed_png(), user=advisor
        )
    withdrawn.refresh_from_db()

    assert withdrawn.status == TerminationRequest.Status.ACCEPTED


def test_delivery_skips_request_not_withdrawn(withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)
    # A reconciliation meeting or a correction moved the request on.
    TerminationRequest.objects.filter(pk=withdrawn.pk).update(
        status=TerminationRequest.Status.ACCEPTED
    )

    candidates = services.delivery_candidates(
        competitor=competitor, today=date(2026, 10, 26)
    )

    assert list(candidates) == []
    with pytest.raises(services.TerminationError, match="no desistida"):
        services.delivery_create(
            competitor=competitor,
            desistimientos=[desistimiento],
            user=coordinator,
            received_by="Patricia Suárez",
            delivered_on=date(2026, 10, 26),
        )


def test_signed_form_evidence_needs_file(competitor, advisor):
    request = make_request(competitor, make_account(), advisor=advisor)

    with pytest.raises(services.TerminationError, match="adjunte su archivo"):
        services.verification_record(
            request=request,
            user=advisor,
            result=Verification.Result.WITHDRAWS,
            evidence_kind=Verification.EvidenceKind.SIGNED_FORM,
        )
    request.refresh_from_db()

    assert not request.verifications.exists()
    assert request.status == TerminationRequest.Status.FILED


def test_signed_form_evidence_with_file(competitor, advisor):
    request = make_request(competitor, make_account(), advisor=advisor)

    verification = services.verification_record(
        request=request,
        user=advisor,
        result=Verification.Result.WITHDRAWS,
        evidence_kind=Verification.EvidenceKind.SIGNED_FORM,
        evidence_file=signed_pdf(),
    )

    assert verification.evidence_file.name.endswith(".pdf")


def test_signed_reupload_keeps_previous_scan(withdrawn, advisor):
    desistimiento = withdrawn.desistimiento
    first = services.desistimiento_upload_signed(
        desistimiento=desistimiento, uploaded=signed_png(), user=advisor
    )
    previous = Path(desistimiento.signed_file.path)

    second = services.desistimiento_upload_signed(
        desistimiento=desistimiento, uploaded=signed_pdf(), user=advisor
    )
    desistimiento.refresh_from_db()
    recorded = set(desistimiento.history.values_list("signed_file", flat=True))

    assert first is False
    assert second is True
    assert previous.exists()
    assert Path(desistimiento.signed_file.path) != previous
    assert any(name.endswith(previous.name) for name in recorded)


def test_desistimiento_pdf_has_no_double_period(withdrawn, settings):
    settings.COMPANY_NAME = "ASEO VALLE DEL SUMAPAZ S.A. E.S.P."
    text = " ".join(
        pdf_text(services.desistimiento_pdf(withdrawn.desistimiento)).split()
    )

    assert "E.S.P.." not in text
    assert "continúo como suscriptor de ASEO VALLE DEL SUMAPAZ S.A. E.S.P." in text


def test_desistimiento_pdf_closes_plain_name(withdrawn, settings):
    settings.COMPANY_NAME = "Aseo del Valle"
    text = " ".join(
        pdf_text(services.desistimiento_pdf(withdrawn.desistimiento)).split()
    )

    assert "continúo como suscriptor de Aseo del Valle." in text


def post_delivery(client, user, competitor, chosen):
    client.force_login(user)
    return client.post(
        reverse("terminations:delivery_create", args=[competitor.pk]),
        {"desistimiento": chosen, "received_by": "Patricia Suárez"},
        follow=True,
    )


def test_delivery_view_rejects_text_id(client, competitor, coordinator):
    response = post_delivery(client, coordinator, competitor, ["abc"])
    text = html.unescape(response.content.decode())

    assert response.status_code == 200
    assert "«abc» no es un desistimiento de la lista" in text
    assert not DeliveryBatch.objects.exists()


def test_delivery_view_rejects_other_id(client, withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)
    response = post_delivery(
        client, coordinator, competitor, [str(desistimiento.pk), "999999"]
    )
    text = html.unescape(response.content.decode())

    assert "«999999» no es un desistimiento de la lista" in text
    assert not DeliveryBatch.objects.exists()


def test_delivery_replay_names_code(client, withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)
    post_delivery(client, coordinator, competitor, [str(desistimiento.pk)])
    response = post_delivery(client, coordinator, competitor, [str(desistimiento.pk)])
    text = html.unescape(response.content.decode())

    assert f"El desistimiento {desistimiento.code} ya no está listo" in text
    assert f"El desistimiento {desistimiento.pk} " not in text
    assert DeliveryBatch.objects.count() == 1


def test_delivery_view_records_batch(client, withdrawn, competitor, coordinator):
    desistimiento = _sign(withdrawn, coordinator)
    post_delivery(client, coordinator, competitor, [str(desistimiento.pk)])

    batch = DeliveryBatch.objects.get()
    assert list(batch.desistimientos.all()) == [desistimiento]
