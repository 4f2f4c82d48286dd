"""Pages: who reads and changes onboardings, uploads through the page, billing's
decision and the secure download of documents."""

import pytest
from django.urls import reverse

from onboarding.models import CustomerDocument, DocumentKind, Onboarding
from onboarding.services import (
    customer_is_approved,
    onboarding_open,
    onboarding_review_data,
    onboarding_submit,
)
from onboarding.tests.conftest import PDF_BYTES, complete, pdf_file, upload
from tests.factories import make_accepted_quotation, make_customer, make_user

pytestmark = pytest.mark.django_db


def get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def post(client, user, url, data=None, **extra):
    client.force_login(user)
    return client.post(url, data or {}, **extra)


@pytest.fixture
def logistics_user(db):
    from accounts.roles import Role

    return make_user(Role.LOGISTICS, "logistica")


@pytest.fixture
def document(onboarding, advisor):
    return upload(onboarding, DocumentKind.REPRESENTATIVE_ID, advisor)


@pytest.fixture
def submitted(onboarding, advisor):
    complete(onboarding, advisor)
    onboarding_review_data(onboarding=onboarding, user=advisor)
    return onboarding_submit(onboarding=onboarding, user=advisor)


# Reading


@pytest.mark.parametrize("role", ["director", "coordinator", "advisor", "billing_user"])
def test_readers_open_list_and_detail(client, onboarding, request, role):
    user = request.getfixturevalue(role)

    listed = get(client, user, reverse("onboarding:list"))
    detail = get(client, user, onboarding.get_absolute_url())

    assert listed.status_code == 200
    assert onboarding.customer.name in listed.text
    assert detail.status_code == 200
    assert "Documentos requeridos" in detail.text


@pytest.mark.parametrize("role", ["operations_user", "logistics_user", "no_role_user"])
def test_other_roles_forbidden(client, onboarding, document, request, role):
    user = request.getfixturevalue(role)
    urls = [
        reverse("onboarding:list"),
        onboarding.get_absolute_url(),
        reverse("onboarding:review", args=[onboarding.pk]),
        reverse("onboarding:download", args=[document.pk]),
    ]

    for url in urls:
        assert get(client, user, url).status_code == 403, url
    for name in ("upload", "submit", "decide"):
        url = reverse(f"onboarding:{name}", args=[onboarding.pk])
        assert post(client, user, url).status_code == 403, url


def test_other_advisor_gets_404(client, onboarding, document, other_advisor):
    urls = [
        onboarding.get_absolute_url(),
        reverse("onboarding:review", args=[onboarding.pk]),
        reverse("onboarding:download", args=[document.pk]),
    ]

    for url in urls:
        assert get(client, other_advisor, url).status_code == 404, url
    url = reverse("onboarding:upload", args=[onboarding.pk])
    response = post(client, other_advisor, url, {"kind": "otro", "file": pdf_file()})
    assert response.status_code == 404


def test_other_advisor_list_hides_onboarding(client, onboarding, other_advisor):
    response = get(client, other_advisor, reverse("onboarding:list"))

    assert onboarding.customer.name not in response.text


def test_billing_filters_pending(client, onboarding, submitted, advisor, billing_user):
    other = make_customer(name="Clínica del Sumapaz", advisor=advisor)
    onboarding_open(
        quotation=make_accepted_quotation(customer=other, advisor=advisor),
        user=advisor,
    )

    response = get(
        client, billing_user, reverse("onboarding:list") + "?status=pendientes"
    )

    assert submitted.customer.name in response.text
    assert "Clínica del Sumapaz" not in response.text


def test_list_search_by_name(client, onboarding, advisor, director):
    other = make_customer(name="Clínica del Sumapaz", advisor=advisor)
    onboarding_open(
        quotation=make_accepted_quotation(customer=other, advisor=advisor),
        user=advisor,
    )

    response = get(client, director, reverse("onboarding:list") + "?q=clinica")

    assert "Clínica del Sumapaz" in response.text
    assert onboarding.customer.name not in response.text


def test_documents_table_names_type_and_size(client, document, advisor):
    response = get(client, advisor, document.onboarding.get_absolute_url())

    assert "<td>PDF</td>" in response.text
    assert "<td>application/pdf</td>" not in response.text
    assert f'<td class="nowrap">{-(-document.size // 1024)} KB</td>' in response.text


# Download


def test_download_is_attachment(client, document, advisor):
    response = get(client, advisor, reverse("onboarding:download", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_download_name_not_from_client(client, onboarding, advisor):
    document = upload(
        onboarding,
        DocumentKind.REPRESENTATIVE_ID,
        advisor,
        uploaded=pdf_file("../../etc/passwd.pdf"),
    )

    response = get(client, advisor, reverse("onboarding:download", args=[document.pk]))

    disposition = response["Content-Disposition"]
    assert "passwd" not in disposition
    assert onboarding.customer.id_number in disposition
    assert disposition.endswith(".pdf")


def test_billing_downloads_any_customer(client, document, billing_user):
    response = get(
        client, billing_user, reverse("onboarding:download", args=[document.pk])
    )

    assert response.status_code == 200


# Uploading through the page


def test_upload_with_htmx_returns_partial(client, onboarding, advisor):
    url = reverse("onboarding:upload", args=[onboarding.pk])

    response = post(
        client,
        advisor,
        url,
        {"kind": DocumentKind.REPRESENTATIVE_ID, "file": pdf_file()},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert 'id="documentos"' in response.text
    assert "<html" not in response.text
    assert "guardado" in response.text
    assert CustomerDocument.objects.filter(customer=onboarding.customer).count() == 1


def test_rejected_upload_shows_error(client, onboarding, advisor):
    url = reverse("onboarding:upload", args=[onboarding.pk])
    fake = pdf_file("rut.pdf", b"<html><body>hola</body></html>")

    response = post(
        client,
        advisor,
        url,
        {"kind": DocumentKind.RUT, "file": fake},
        HTTP_HX_REQUEST="true",
    )

    assert "no es un archivo PDF" in response.text
    assert not CustomerDocument.objects.exists()


def test_upload_rut_mismatch_through_page(client, onboarding, advisor):
    url = reverse("onboarding:upload", args=[onboarding.pk])

    response = post(
        client,
        advisor,
        url,
        {
            "kind": DocumentKind.RUT,
            "file": pdf_file(),
            "document_id_number": "800.197.268-4",
        },
        follow=True,
    )

    assert "no coincide con la identificación" in response.text
    assert not CustomerDocument.objects.exists()


def test_billing_cannot_upload(client, onboarding, billing_user):
    url = reverse("onboarding:upload", args=[onboarding.pk])

    response = post(client, billing_user, url, {"kind": "otro", "file": pdf_file()})

    assert response.status_code == 403


# Data review


def test_review_page_saves_and_records(client, onboarding, advisor):
    url = reverse("onboarding:review", args=[onboarding.pk])
    page = get(client, advisor, url)
    assert page.status_code == 200
    data = {
        name: value
        for name, value in page.context["form"].initial.items()
        if value is not None
    }
    data.update(address="Carrera 8 # 12-40", person_kind="juridica")

    response = post(client, advisor, url, data)

    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.data_reviewed_by == advisor
    assert onboarding.customer.address == "Carrera 8 # 12-40"


# Billing's decision


def test_billing_approves_through_page(client, submitted, billing_user):
    url = reverse("onboarding:decide", args=[submitted.pk])

    response = post(
        client,
        billing_user,
        url,
        {"decision": "aprobar", "payment_terms": "credito", "note": ""},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Onboarding.Status.APPROVED
    assert submitted.payment_terms == "credito"


def test_advisor_cannot_decide(client, submitted, advisor):
    url = reverse("onboarding:decide", args=[submitted.pk])

    response = post(
        client, advisor, url, {"decision": "aprobar", "payment_terms": "credito"}
    )

    assert response.status_code == 403
    assert not customer_is_approved(submitted.customer)


def test_return_without_note_shows_error(client, submitted, billing_user):
    url = reverse("onboarding:decide", args=[submitted.pk])

    response = post(
        client,
        billing_user,
        url,
        {"decision": "devolver", "payment_terms": "anticipado", "note": ""},
        follow=True,
    )

    assert "Escriba las observaciones" in response.text
    submitted.refresh_from_db()
    assert submitted.status == Onboarding.Status.IN_REVIEW


def test_decision_form_shown_to_billing(client, submitted, billing_user, advisor):
    billing_page = get(client, billing_user, submitted.get_absolute_url())
    advisor_page = get(client, advisor, submitted.get_absolute_url())

    assert "Registrar decisión" in billing_page.text
    assert "Registrar decisión" not in advisor_page.text


# Links from other pages


def test_customer_page_links_onboarding(client, onboarding, advisor):
    response = get(client, advisor, onboarding.customer.get_absolute_url())

    assert onboarding.get_absolute_url() in response.text


def test_customer_page_hides_link_from_operations(client, onboarding, operations_user):
    response = get(client, operations_user, onboarding.customer.get_absolute_url())

    assert response.status_code == 200
    assert onboarding.get_absolute_url() not in response.text


def test_quotation_page_links_onboarding(client, onboarding, advisor):
    response = get(client, advisor, onboarding.quotation.get_absolute_url())

    assert onboarding.get_absolute_url() in response.text


def test_quotation_without_onboarding_opens_one(client, customer, advisor):
    quotation = make_accepted_quotation(customer=customer, advisor=advisor)
    page = get(client, advisor, quotation.get_absolute_url())
    assert "Abrir vinculación" in page.text

    response = post(
        client, advisor, reverse("onboarding:open_for_quotation", args=[quotation.pk])
    )

    onboarding = Onboarding.objects.get(quotation=quotation)
    assert response.url == onboarding.get_absolute_url()


def test_menu_entry_for_billing(client, billing_user, operations_user):
    billing_home = get(client, billing_user, reverse("customers:list"))
    operations_home = get(client, operations_user, reverse("customers:list"))

    assert reverse("onboarding:list") in billing_home.text
    assert reverse("onboarding:list") not in operations_home.text


def test_upload_on_approved_lists_pending(client, onboarding, advisor, billing_user):
    from onboarding.services import onboarding_approve

    complete(onboarding, advisor)
    onboarding_review_data(onboarding=onboarding, user=advisor)
    onboarding_submit(onboarding=onboarding, user=advisor)
    onboarding_approve(
        onboarding=onboarding, user=billing_user, payment_terms="credito"
    )
    pending = reverse("onboarding:list") + "?status=pendientes"
    assert onboarding.customer.name not in get(client, billing_user, pending).text

    response = post(
        client,
        advisor,
        reverse("onboarding:upload", args=[onboarding.pk]),
        {
            "kind": DocumentKind.RUT,
            "file": pdf_file(),
            "document_id_number": onboarding.customer.identification_display,
        },
        follow=True,
    )

    assert "vuelve a revisión de facturación" in response.text
    assert onboarding.customer.name in get(client, billing_user, pending).text
