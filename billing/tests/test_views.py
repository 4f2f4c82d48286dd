import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from billing import services
from billing.models import Handoff, Reopening
from billing.periods import Month
from billing.tests.helpers import add_proof, add_signed_order, make_executed_order
from billing.workbook import ORDER_CODE
from field_work.models import ServiceProof
from service_orders.models import ServiceOrder

NOVEMBER = Month.of(date(2026, 11, 1))


@pytest.fixture
def orders(customer, unapproved_customer, advisor, debris, operations_user):
    executed = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "2")],
        executed_on=date(2026, 11, 4),
    )
    add_proof(executed, operations_user, kind=ServiceProof.Kind.SIGNED_ORDER)
    without_proof = make_executed_order(
        customer=customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 9),
    )
    left_out = make_executed_order(
        customer=unapproved_customer,
        advisor=advisor,
        lines=[(debris, "1")],
        executed_on=date(2026, 11, 10),
    )
    return executed, without_proof, left_out


@pytest.fixture
def handoff(orders, coordinator):
    return services.handoff_send(month=NOVEMBER, user=coordinator).handoff


def login(client, user):
    client.force_login(user)
    return client


def page_urls(handoff, order):
    return [
        reverse("billing:month") + "?mes=2026-11",
        reverse("billing:month_workbook") + "?mes=2026-11",
        reverse("billing:month_proofs") + "?mes=2026-11",
        reverse("billing:handoff_send") + "?mes=2026-11",
        reverse("billing:handoff_list"),
        reverse("billing:handoff_detail", args=[handoff.pk]),
        reverse("billing:handoff_file", args=[handoff.pk, "consolidado"]),
        reverse("billing:invoice_list"),
        reverse("billing:invoice_import"),
        reverse("billing:order_reopen", args=[order.pk]),
    ]


@pytest.mark.parametrize("persona", ["advisor", "operations_user", "no_role_user"])
def test_every_page_forbidden_to_other_roles(client, request, handoff, orders, persona):
    login(client, request.getfixturevalue(persona))
    for url in page_urls(handoff, orders[0]):
        assert client.get(url).status_code == 403, url
    post = client.post(reverse("billing:invoice_record", args=[orders[0].pk]), {})
    assert post.status_code == 403


def test_anonymous_is_sent_to_login(client, handoff, orders):
    response = client.get(reverse("billing:month"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_billing_cannot_send_to_billing(client, billing_user, orders):
    login(client, billing_user)
    url = reverse("billing:handoff_send") + "?mes=2026-11"
    assert client.get(url).status_code == 403
    assert client.post(url, {"mes": "2026-11"}).status_code == 403


def test_coordinator_cannot_record_invoices(client, coordinator, handoff, orders):
    login(client, coordinator)
    assert client.get(reverse("billing:invoice_list")).status_code == 403
    response = client.post(
        reverse("billing:invoice_record", args=[orders[0].pk]),
        {"number": "FE-1", "invoice_date": "2026-12-01"},
    )
    assert response.status_code == 403


def test_month_page_shows_stages_and_missing_proof(
    client, coordinator, handoff, orders
):
    executed, _without_proof, left_out = orders
    login(client, coordinator)
    page = client.get(reverse("billing:month"), {"mes": "2026-11"}).content.decode()
    assert "noviembre de 2026" in page
    assert executed.code in page
    assert left_out.code in page
    assert "2 órdenes ejecutadas no tienen ningún soporte" in page
    assert "Sin soportes" in page
    assert 'class="badge current">Consolidado' in page
    assert 'class="badge current">Ejecutado' in page
    # Both executed orders left are held back (no proof, no approval): nothing
    # to send, and the reasons are listed.
    assert "<strong>0</strong>por entregar" in page
    assert "<strong>2</strong>sin vinculación aprobada" in page
    assert "Sin soportes completos" in page
    assert "Enviar a facturación</a>" not in page


def test_month_count_matches_send(client, coordinator, orders):
    login(client, coordinator)
    page = client.get(reverse("billing:month"), {"mes": "2026-11"}).content.decode()
    preview = services.handoff_preview(month=NOVEMBER)
    assert len(preview.included) == 1
    assert "<strong>1</strong>por entregar" in page
    assert "Enviar a facturación</a>" in page


def test_month_page_shows_invoiced_stage(client, billing_user, handoff, orders):
    services.invoice_record(
        order=orders[0],
        number="FE-77",
        invoice_date=date(2026, 12, 1),
        user=billing_user,
    )
    login(client, billing_user)
    page = client.get(reverse("billing:month"), {"mes": "2026-11"}).content.decode()
    assert 'class="badge current">Facturado' in page
    assert "FE-77 (01/12/2026)" in page
    assert "Enviar a facturación</a>" not in page


@pytest.mark.parametrize("text", ["2026-13", "9999-12", "0001-01", "noviembre"])
def test_bad_month_redirects_with_message(client, coordinator, text):
    login(client, coordinator)
    response = client.get(reverse("billing:month"), {"mes": text}, follow=True)
    assert response.redirect_chain == [(reverse("billing:month"), 302)]
    assert f"«{text}»" in response.content.decode()


def test_bad_month_workbook_redirects(client, coordinator):
    login(client, coordinator)
    response = client.get(reverse("billing:month_workbook"), {"mes": "9999-12"})
    assert response.status_code == 302


def test_month_workbook_download(client, billing_user, orders):
    login(client, billing_user)
    response = client.get(reverse("billing:month_workbook"), {"mes": "2026-11"})
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert response["Content-Disposition"].endswith(
        'filename="consolidado-servicios-2026-11.xlsx"'
    )
    assert sheet.cell(row=5, column=ORDER_CODE + 1).value == orders[0].code


def test_month_proofs_download(client, coordinator, orders):
    login(client, coordinator)
    response = client.get(reverse("billing:month_proofs"), {"mes": "2026-11"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"{orders[0].code}/01-orden_firmada-20261104.png"]


def test_send_page_previews_and_sends(client, coordinator, orders):
    login(client, coordinator)
    url = reverse("billing:handoff_send") + "?mes=2026-11"
    preview = client.get(url).content.decode()
    assert "Van en esta entrega (1 orden" in preview
    assert "Quedan por fuera (2)" in preview
    assert "vinculación aprobada" in preview
    assert "Sin soportes completos: falta Orden de servicio firmada o Acta de obra" in (
        preview
    )
    response = client.post(
        reverse("billing:handoff_send"), {"mes": "2026-11", "ordenes": [orders[0].pk]}
    )
    handoff = Handoff.objects.get()
    assert response.status_code == 302
    assert response["Location"] == handoff.get_absolute_url()
    assert list(handoff.service_orders.all()) == [orders[0]]


def test_send_page_changed_set(client, coordinator, operations_user, orders):
    login(client, coordinator)
    url = reverse("billing:handoff_send") + "?mes=2026-11"
    assert "Van en esta entrega (1 orden" in client.get(url).content.decode()
    # A proof arrives between the preview and the click.
    add_signed_order(orders[1], operations_user)

    response = client.post(
        reverse("billing:handoff_send"), {"mes": "2026-11", "ordenes": [orders[0].pk]}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "cambiaron desde que abrió la vista previa" in content
    assert "Van en esta entrega (2 órdenes" in content
    assert not Handoff.objects.exists()


def test_send_page_twice_shows_error(client, coordinator, handoff):
    login(client, coordinator)
    response = client.post(
        reverse("billing:handoff_send"), {"mes": "2026-11"}, follow=True
    )
    assert (
        "No hay servicios de noviembre de 2026 por entregar"
        in response.content.decode()
    )
    assert Handoff.objects.count() == 1


def test_handoff_detail_and_files(client, billing_user, handoff, orders):
    login(client, billing_user)
    page = client.get(
        reverse("billing:handoff_detail", args=[handoff.pk])
    ).content.decode()
    assert orders[0].code in page
    response = client.get(
        reverse("billing:handoff_file", args=[handoff.pk, "soportes"])
    )
    assert response.status_code == 200
    assert (
        client.get(
            reverse("billing:handoff_file", args=[handoff.pk, "otro"])
        ).status_code
        == 404
    )


def test_reopen_form_requires_reason(client, billing_user, handoff, orders):
    login(client, billing_user)
    url = reverse("billing:order_reopen", args=[orders[0].pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert not Reopening.objects.exists()
    response = client.post(url, {"reason": "Cantidad mal digitada"})
    assert response.status_code == 302
    assert Reopening.objects.get().reason == "Cantidad mal digitada"


def test_reopen_unsent_order_not_found(client, coordinator, orders):
    login(client, coordinator)
    url = reverse("billing:order_reopen", args=[orders[2].pk])
    assert client.get(url).status_code == 404


def test_invoice_entry_records_number(client, billing_user, handoff, orders):
    login(client, billing_user)
    page = client.get(reverse("billing:invoice_list")).content.decode()
    assert orders[0].code in page
    assert orders[2].code not in page
    response = client.post(
        reverse("billing:invoice_record", args=[orders[0].pk]),
        {
            "number": "FE-500",
            "invoice_date": "2026-12-01",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("billing:invoice_list")
    orders[0].refresh_from_db()
    assert orders[0].invoice_number == "FE-500"


def test_invoice_entry_shows_rule_error(client, billing_user, handoff, orders):
    login(client, billing_user)
    response = client.post(
        reverse("billing:invoice_record", args=[orders[0].pk]),
        {"number": "FE-500", "invoice_date": "2026-10-01"},
        follow=True,
    )
    assert "anterior a la ejecución" in response.content.decode()


def test_invoice_import_pages(
    client, billing_user, coordinator, operations_user, orders
):
    add_signed_order(orders[1], operations_user)
    services.handoff_send(month=NOVEMBER, user=coordinator)
    login(client, billing_user)
    content = (
        "Orden de servicio;Número de factura;Fecha de factura\n"
        f"{orders[0].code};FE-10231;02/12/2026\n"
        f"{orders[1].code};FE-10231;02/12/2026\n"
    ).encode()
    upload = SimpleUploadedFile("facturas.csv", content, content_type="text/csv")
    response = client.post(reverse("billing:invoice_import"), {"file": upload})
    detail_url = response["Location"]
    preview = client.get(detail_url).content.decode()
    assert "Confirmar importación" in preview
    assert "FE-10231" in preview
    job_pk = int(detail_url.rstrip("/").split("/")[-1])
    client.post(reverse("billing:invoice_import_confirm", args=[job_pk]))
    invoiced = ServiceOrder.objects.filter(invoice_number="FE-10231")
    assert set(invoiced.values_list("code", flat=True)) == {
        orders[0].code,
        orders[1].code,
    }


def test_invoice_import_rejects_binary_upload(client, billing_user):
    login(client, billing_user)
    upload = SimpleUploadedFile(
        "facturas.csv", b"\x89PNG\r\n\x1a\n\x00\x00binary", content_type="text/csv"
    )
    response = client.post(reverse("billing:invoice_import"), {"file": upload})
    assert response.status_code == 200
    assert "no parece un archivo CSV" in response.content.decode()


def test_menu_entries_by_role(client, coordinator, billing_user, advisor):
    month_link = reverse("billing:month")
    invoices_link = reverse("billing:invoice_list")
    login(client, coordinator)
    page = client.get(reverse("billing:handoff_list")).content.decode()
    assert month_link in page
    assert invoices_link not in page
    login(client, billing_user)
    page = client.get(reverse("billing:handoff_list")).content.decode()
    assert month_link in page
    assert invoices_link in page
    login(client, advisor)
    page = client.get(reverse("home")).content.decode()
    assert month_link not in page


def test_send_message_uses_singular(client, coordinator, orders):
    login(client, coordinator)
    response = client.post(
        reverse("billing:handoff_send"),
        {"mes": "2026-11", "ordenes": [orders[0].pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "enviado a facturación: 1 orden." in content
    assert "Quedaron por fuera 2 órdenes" in content
    assert "1 órdenes" not in content


def test_month_page_names_invoice_columns(client, coordinator, orders):
    login(client, coordinator)
    page = client.get(reverse("billing:month"), {"mes": "2026-11"}).content.decode()
    assert "«Factura» y «Fecha de factura»" in page


def test_month_page_omits_status_column(client, coordinator, orders):
    login(client, coordinator)
    page = client.get(reverse("billing:month"), {"mes": "2026-11"}).content.decode()
    assert "«Estado»" not in page


def test_invoice_import_counts_one_rejected_row(client, billing_user, orders):
    login(client, billing_user)
    content = (
        "Orden de servicio;Número de factura;Fecha de factura\n"
        "OS-NO-EXISTE;FE-1;02/12/2026\n"
    ).encode()
    upload = SimpleUploadedFile("facturas.csv", content, content_type="text/csv")
    response = client.post(reverse("billing:invoice_import"), {"file": upload})
    preview = client.get(response["Location"]).content.decode()
    assert "hay 1 fila con errores." in preview
