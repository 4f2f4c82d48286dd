import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from quotations import services
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation
from tariffs.models import TariffItem
from tests.factories import make_accepted_quotation, make_service_order, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "2")])
    return services.quotation_issue(quotation=draft, user=advisor)


@pytest.fixture
def foreign(other_advisor, other_customer, debris):
    draft = make_quotation(
        customer=other_customer, advisor=other_advisor, lines=[(debris, "3")]
    )
    return services.quotation_issue(quotation=draft, user=other_advisor)


def login(client, user):
    client.force_login(user)
    return client


def test_list_shows_own_quotation(client, advisor, own, foreign):
    response = login(client, advisor).get(reverse("quotations:list"))
    assert own.code in response.content.decode()


def test_list_hides_other_advisors_quotation(client, advisor, own, foreign):
    response = login(client, advisor).get(reverse("quotations:list"))
    assert foreign.code not in response.content.decode()


def test_search_hides_other_advisors_quotation(client, advisor, own, foreign):
    response = login(client, advisor).get(
        reverse("quotations:list"), {"q": foreign.code}
    )
    assert foreign.get_absolute_url() not in response.content.decode()


def test_search_by_customer_name_ignores_accents(client, advisor, own):
    response = login(client, advisor).get(
        reverse("quotations:list"), {"q": "panaderia"}
    )
    assert own.code in response.content.decode()


def test_list_filters_by_status(client, director, own, foreign, advisor):
    services.quotation_annul(quotation=own, user=advisor, reason="Duplicada")
    response = login(client, director).get(
        reverse("quotations:list"), {"status": "anulada"}
    )
    content = response.content.decode()
    assert own.code in content
    assert foreign.code not in content


def test_director_sees_every_quotation(client, director, own, foreign):
    content = login(client, director).get(reverse("quotations:list")).content.decode()
    assert own.code in content
    assert foreign.code in content


def test_detail_of_other_advisor_is_404(client, advisor, foreign):
    response = login(client, advisor).get(foreign.get_absolute_url())
    assert response.status_code == 404


def test_pdf_of_other_advisor_is_404(client, advisor, foreign):
    response = login(client, advisor).get(reverse("quotations:pdf", args=[foreign.pk]))
    assert response.status_code == 404


def test_pdf_download_has_accented_name(client, advisor, own):
    response = login(client, advisor).get(reverse("quotations:pdf", args=[own.pk]))
    assert response.content.startswith(b"%PDF")
    assert "Cotizaci%C3%B3n" in response["Content-Disposition"]


def test_advisor_sees_quotations_of_own_customers(
    client, advisor, customer, director, debris
):
    by_director = make_quotation(
        customer=customer, advisor=director, lines=[(debris, "1")]
    )
    response = login(client, advisor).get(by_director.get_absolute_url())
    assert response.status_code == 200


def test_billing_reads_every_quotation(client, billing_user, foreign):
    response = login(client, billing_user).get(foreign.get_absolute_url())
    assert response.status_code == 200


def test_billing_cannot_annul(client, billing_user, foreign):
    response = login(client, billing_user).post(
        reverse("quotations:annul", args=[foreign.pk]), {"reason": "x"}
    )
    assert response.status_code == 403


def test_operations_cannot_list(client, operations_user):
    response = login(client, operations_user).get(reverse("quotations:list"))
    assert response.status_code == 403


def test_no_role_cannot_see_detail(client, no_role_user, own):
    response = login(client, no_role_user).get(own.get_absolute_url())
    assert response.status_code == 403


def test_create_draft_for_own_customer(client, advisor, customer):
    response = login(client, advisor).post(
        reverse("quotations:create"),
        {"customer": customer.pk, "validity_days": 30, "conditions": "Contado"},
    )
    quotation = Quotation.objects.get()
    assert response.status_code == 302
    assert quotation.advisor == advisor


def test_create_refuses_other_advisors_customer(client, advisor, other_customer):
    response = login(client, advisor).post(
        reverse("quotations:create"),
        {"customer": other_customer.pk, "validity_days": 30, "conditions": "Contado"},
    )
    assert response.status_code == 200
    assert not Quotation.objects.exists()


def test_htmx_line_add_returns_lines_partial(client, advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor)
    response = login(client, advisor).post(
        reverse("quotations:line_add", args=[draft.pk]),
        {"tariff_item": debris.pk, "quantity": "2"},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert 'id="lines"' in content
    assert "$ 238.000" in content
    assert "238.000,00" not in content


def test_line_form_offers_item_key_unlocalized(client, advisor, customer, debris):
    """A key of 1000 or more reaches the page without the thousands separator
    the es-CO locale adds to numbers (1.234), which no form can post back."""
    TariffItem.objects.filter(pk=debris.pk).update(id=1234)
    draft = make_quotation(customer=customer, advisor=advisor)

    content = login(client, advisor).get(draft.get_absolute_url()).content.decode()

    assert '<option value="1234"' in content
    assert 'value="1.234"' not in content


def test_htmx_line_remove(client, advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    line = draft.lines.get()
    login(client, advisor).post(
        reverse("quotations:line_remove", args=[draft.pk, line.pk]),
        headers={"HX-Request": "true"},
    )
    assert not draft.lines.exists()


def test_line_add_on_other_advisors_draft_is_404(
    client, advisor, other_advisor, other_customer, debris
):
    draft = make_quotation(customer=other_customer, advisor=other_advisor)
    response = login(client, advisor).post(
        reverse("quotations:line_add", args=[draft.pk]),
        {"tariff_item": debris.pk, "quantity": "2"},
    )
    assert response.status_code == 404


def test_tariff_prefill_shows_price(client, advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor)
    response = login(client, advisor).get(
        reverse("quotations:tariff_prefill", args=[draft.pk]),
        {"tariff_item": debris.pk},
    )
    assert 'value="100000.00"' in response.content.decode()


def test_issue_view_assigns_code(client, advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    login(client, advisor).post(reverse("quotations:issue", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.code.startswith("COT-")


def test_approval_queue_forbidden_for_advisor(client, advisor):
    response = login(client, advisor).get(reverse("quotations:approvals"))
    assert response.status_code == 403


def test_director_approves_from_queue(client, director, advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor)
    services.quotation_line_add(
        quotation=draft,
        tariff_item=debris,
        quantity=1,
        unit_price=80000,
        price_reason="Competencia ofrece menos",
    )
    draft.refresh_from_db()
    services.quotation_submit_for_approval(quotation=draft, user=advisor)
    client = login(client, director)
    queue = client.get(reverse("quotations:approvals")).content.decode()
    client.post(reverse("quotations:decide", args=[draft.pk]), {"decision": "aprobar"})
    draft.refresh_from_db()
    assert "Competencia ofrece menos" in queue
    assert draft.price_approval == Quotation.PriceApproval.APPROVED


def test_accept_view_records_acceptance(client, advisor, own):
    login(client, advisor).post(
        reverse("quotations:accept", args=[own.pk]),
        {
            "channel": "correo",
            "accepted_on": timezone.localdate(own.issued_at).isoformat(),
            "email_text": "Aceptamos",
        },
    )
    own.refresh_from_db()
    assert own.status == Quotation.Status.ACCEPTED


def test_reject_view_shows_spanish_error_on_draft(client, advisor, customer, debris):
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    response = login(client, advisor).post(
        reverse("quotations:reject", args=[draft.pk]), {"reason": "Precio"}
    )
    assert "No se puede pasar la cotización" in response.content.decode()


def test_follow_up_view_adds_entry(client, advisor, own):
    login(client, advisor).post(
        reverse("quotations:follow_up_add", args=[own.pk]),
        {
            "contacted_on": "2026-01-10",
            "channel": "llamada",
            "note": "Lo revisan",
            "next_action": "Llamar",
            "next_action_on": "2026-01-15",
        },
    )
    assert own.follow_ups.count() == 1


def test_follow_up_report_hides_other_advisors(client, advisor, own, foreign):
    content = (
        login(client, advisor).get(reverse("quotations:follow_up")).content.decode()
    )
    assert own.code in content
    assert foreign.code not in content


def test_follow_up_export_hides_other_advisors(client, advisor, own, foreign):
    response = login(client, advisor).get(
        reverse("quotations:follow_up"), {"formato": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert own.code in codes
    assert foreign.code not in codes


def test_follow_up_forbidden_for_billing(client, billing_user):
    response = login(client, billing_user).get(reverse("quotations:follow_up"))
    assert response.status_code == 403


def test_expired_on_read(client, advisor, own):
    Quotation.objects.filter(pk=own.pk).update(valid_until="2020-01-01")
    login(client, advisor).get(own.get_absolute_url())
    own.refresh_from_db()
    assert own.status == Quotation.Status.EXPIRED


def test_annulled_detail_hides_follow_up_form(client, advisor, own):
    services.quotation_annul(quotation=own, user=advisor, reason="Duplicada")
    response = login(client, advisor).get(own.get_absolute_url())
    assert reverse("quotations:follow_up_add", args=[own.pk]) not in (
        response.content.decode()
    )


def test_annul_view_names_live_order(client, advisor, customer, debris):
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "1")]
    )
    order = make_service_order(quotation=quotation)
    response = login(client, advisor).post(
        reverse("quotations:annul", args=[quotation.pk]), {"reason": "Error"}
    )
    assert order.code in response.content.decode()


def _accept(client, user, quotation, name, content):
    return login(client, user).post(
        reverse("quotations:accept", args=[quotation.pk]),
        {
            "channel": Quotation.Channel.EMAIL,
            "accepted_on": timezone.localdate().isoformat(),
            "evidence": SimpleUploadedFile(name, content),
        },
    )


def test_accept_rejects_disguised_executable(client, advisor, own):
    response = _accept(client, advisor, own, "fake.pdf", b"MZ\x90\x00" + b"\0" * 60)
    assert "no es un archivo PDF" in response.content.decode()


def test_disguised_executable_not_accepted(client, advisor, own):
    _accept(client, advisor, own, "fake.pdf", b"MZ\x90\x00" + b"\0" * 60)
    own.refresh_from_db()
    assert own.status == Quotation.Status.ISSUED


def test_evidence_stored_by_content_type(client, advisor, own):
    _accept(client, advisor, own, "aceptacion.exe", pdf_bytes())
    own.refresh_from_db()
    assert own.acceptance_evidence.name.endswith(".pdf")


def test_evidence_download_is_attachment(client, advisor, own):
    _accept(client, advisor, own, "carta.pdf", pdf_bytes())
    response = client.get(reverse("quotations:acceptance_evidence", args=[own.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_detail_links_evidence(client, advisor, own):
    _accept(client, advisor, own, "carta.pdf", pdf_bytes())
    response = client.get(own.get_absolute_url())
    link = reverse("quotations:acceptance_evidence", args=[own.pk])
    assert link in response.content.decode()


def test_evidence_hidden_from_other_advisor(client, advisor, other_advisor, own):
    _accept(client, advisor, own, "carta.pdf", pdf_bytes())
    response = login(client, other_advisor).get(
        reverse("quotations:acceptance_evidence", args=[own.pk])
    )
    assert response.status_code == 404
