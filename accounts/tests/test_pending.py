"""The «Pendientes» panel of the start page: counts per role, their links, and
that each user counts only what they may open."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.pending import pending_items
from accounts.roles import Role
from billing.periods import Month
from billing.tests.helpers import add_signed_order, approve_customer
from certificates.models import Certificate
from field_work.tests.helpers import hand_over
from onboarding.models import Onboarding
from quotations import services as quotation_services
from quotations.models import Quotation
from quotations.tests.helpers import make_quotation, make_tariff
from quote_requests.models import QuoteRequest
from quote_requests.tests.helpers import make_request as make_quote_request
from subscribers.models import Competitor
from tariffs.models import TariffVersion
from terminations.models import (
    Desistimiento,
    NoveltyBatch,
    RegistryNovelty,
    RequestList,
    TerminationRequest,
    Verification,
)
from terminations.tests.conftest import make_account
from tests.factories import (
    make_accepted_quotation,
    make_customer,
    make_service_order,
    make_user,
    pdf_bytes,
)
from visits.models import Visit

pytestmark = pytest.mark.django_db

HOME_URL = reverse("home")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def logistics_user(db):
    return make_user(Role.LOGISTICS, "logistica")


@pytest.fixture
def customer(advisor):
    return make_customer(name="Panadería La Ñapa S.A.S.", advisor=advisor)


@pytest.fixture
def other_customer(other_advisor):
    return make_customer(name="Cerámicas Doña Inés", advisor=other_advisor)


@pytest.fixture
def debris(director):
    return make_tariff(director, code="SE-101", service="Retiro de escombros")


@pytest.fixture
def competitor(db):
    return Competitor.objects.create(name="ASEO TOTAL DEL TOLIMA S.A.S. E.S.P.")


def items_of(user, today=None) -> dict[str, tuple[int, str]]:
    """Return the panel of `user` as {label: (count, url)}."""
    return {
        item.label: (item.count, item.url) for item in pending_items(user, today=today)
    }


def order_of(customer, advisor, debris, **fields):
    quotation = make_accepted_quotation(
        customer=customer, advisor=advisor, lines=[(debris, "2")]
    )
    return make_service_order(quotation=quotation, **fields)


def termination(competitor, **fields) -> TerminationRequest:
    request_list = RequestList.objects.create(
        competitor=competitor,
        original_name="lista.xlsx",
        status=RequestList.Status.IMPORTED,
    )
    values = {
        "request_list": request_list,
        "competitor": competitor,
        "row_number": 5,
        "filed_on": date(2026, 10, 1),
        "received_code": "449000001",
        "match_method": TerminationRequest.MatchMethod.NONE,
        "response_due_on": timezone.localdate() + timedelta(days=60),
        "effective_due_on": timezone.localdate() + timedelta(days=90),
    }
    values.update(fields)
    return TerminationRequest.objects.create(**values)


def issue_days_ago(customer, advisor, debris, days: int) -> Quotation:
    """Issue a quotation and move its issue `days` days back, with no contact."""
    draft = make_quotation(customer=customer, advisor=advisor, lines=[(debris, "1")])
    quotation = quotation_services.quotation_issue(quotation=draft, user=advisor)
    moment = datetime.combine(timezone.localdate() - timedelta(days=days), time(12))
    Quotation.objects.filter(pk=quotation.pk).update(
        issued_at=timezone.make_aware(moment)
    )
    return quotation


def visit_today(customer, advisor, **fields) -> Visit:
    starts_at = timezone.make_aware(datetime.combine(timezone.localdate(), time(15)))
    values = {
        "customer": customer,
        "advisor": advisor,
        "starts_at": starts_at,
        "address": "Calle 10 # 5-32",
        "purpose": "Presentar el servicio de poda",
        "created_by": advisor,
    }
    values.update(fields)
    return Visit.objects.create(**values)


# --- Director ---------------------------------------------------------------------


def test_director_sees_drafts_to_sign(director, customer, advisor):
    Certificate.objects.create(
        customer=customer,
        request_channel=Certificate.RequestChannel.EMAIL,
        requested_on=date(2026, 11, 5),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        waste_type="Escombros",
        destination_site="Escombrera La Esperanza",
        destination_authorization="Resolución 1234 de 2024",
        drafted_by=advisor,
    )
    items = items_of(director)
    assert items["certificado por firmar"] == (1, "/certificados/?estado=borrador")


def test_director_sees_prices_to_approve(director, customer, advisor, debris):
    quotation = make_quotation(customer=customer, advisor=advisor)
    Quotation.objects.filter(pk=quotation.pk).update(
        price_approval=Quotation.PriceApproval.PENDING
    )
    items = items_of(director)
    assert items["cotización con precios por aprobar"] == (
        1,
        reverse("quotations:approvals"),
    )


def test_director_sees_tariff_drafts(director, debris):
    TariffVersion.objects.create(name="Tarifas 2027", created_by=director)
    items = items_of(director)
    assert items["versión del tarifario por aprobar"] == (
        1,
        "/tarifas/versiones/?estado=borrador",
    )


def test_director_without_work_sees_nothing_pending(client, director, debris):
    client.force_login(director)
    response = client.get(HOME_URL)
    assert response.context["pending"] == []
    assert "Nada pendiente." in response.text


def test_director_sees_regulated_items(client, director, competitor, today):
    termination(competitor, response_due_on=today - timedelta(days=1))
    termination(competitor, response_due_on=today)
    termination(competitor, response_due_on=today + timedelta(days=60))
    items = items_of(director)
    due_label = "solicitudes de terminación con respuesta vencida o por vencer"
    unmatched_label = "solicitudes de terminación sin cuenta del catastro"
    assert items[due_label] == (2, "/terminaciones/?plazo=vencido_o_pronto")
    assert items[unmatched_label] == (3, "/terminaciones/?alerta=sin_cuenta")
    for label in (due_label, unmatched_label):
        count, url = items[label]
        assert len(listed_rows(client, director, url)) == count, label


# --- Coordinator ------------------------------------------------------------------


@pytest.fixture
def last_month(today):
    return Month.of(today).previous()


def test_coordinator_sees_month_ready(
    coordinator, customer, advisor, billing_user, debris, last_month
):
    approve_customer(customer, billing_user)
    ready = order_of(customer, advisor, debris, executed_on=last_month.first_day)
    add_signed_order(ready, advisor)
    order_of(customer, advisor, debris, executed_on=last_month.first_day)
    items = items_of(coordinator)
    label = f"orden de {last_month.label} lista para enviar a facturación"
    assert items[label] == (1, f"/facturacion/enviar/?mes={last_month.slug}")


def test_current_month_is_not_ready(
    coordinator, customer, advisor, billing_user, debris, today
):
    approve_customer(customer, billing_user)
    order = order_of(customer, advisor, debris, executed_on=today)
    add_signed_order(order, advisor)
    labels = " ".join(items_of(coordinator))
    assert "lista para enviar" not in labels


def test_month_count_matches_send_preview(
    client, coordinator, customer, advisor, billing_user, debris, last_month
):
    approve_customer(customer, billing_user)
    for day in (last_month.first_day, last_month.last_day):
        add_signed_order(order_of(customer, advisor, debris, executed_on=day), advisor)
    order_of(customer, advisor, debris, executed_on=last_month.first_day)
    (item,) = [
        item for item in pending_items(coordinator) if "facturación" in item.label
    ]
    client.force_login(coordinator)
    preview = client.get(item.url).context["preview"]
    assert item.count == len(preview.included)


def test_coordinator_sees_missing_proof(coordinator, customer, advisor, debris, today):
    order_of(customer, advisor, debris, executed_on=today)
    items = items_of(coordinator)
    assert items["servicio ejecutado sin soportes completos"] == (
        1,
        "/operaciones/soportes-pendientes/",
    )


def test_coordinator_sees_due_terminations(coordinator, competitor, today):
    termination(competitor, response_due_on=today)
    termination(competitor, response_due_on=today - timedelta(days=1))
    termination(competitor, response_due_on=today + timedelta(days=60))
    items = items_of(coordinator)
    label = "solicitudes de terminación con respuesta vencida o por vencer"
    assert items[label] == (2, "/terminaciones/?plazo=vencido_o_pronto")


def test_answered_termination_is_not_due(coordinator, competitor, today):
    termination(
        competitor,
        response_due_on=today,
        status=TerminationRequest.Status.ACCEPTED,
    )
    labels = " ".join(items_of(coordinator))
    assert "respuesta vencida" not in labels


def test_coordinator_sees_unmatched_terminations(coordinator, competitor):
    termination(competitor)
    items = items_of(coordinator)
    assert items["solicitud de terminación sin cuenta del catastro"] == (
        1,
        "/terminaciones/?alerta=sin_cuenta",
    )


def test_coordinator_sees_deliveries(coordinator, advisor, competitor, today):
    other = Competitor.objects.create(name="SERVIASEO ALTO MAGDALENA S.A.S. E.S.P.")
    for number, owner in enumerate((competitor, other), start=1):
        request = termination(
            owner,
            status=TerminationRequest.Status.WITHDRAWN,
            response_due_on=today - timedelta(days=1),
        )
        Desistimiento.objects.create(
            request=request,
            code=f"DES-2026-{number:05d}",
            year=2026,
            number=number,
            issued_by=advisor,
            signed_file=ContentFile(pdf_bytes(), name="firmado.pdf"),
        )
    items = items_of(coordinator)
    assert items["desistimientos por entregar a los competidores"] == (
        2,
        "/terminaciones/entregas/",
    )


def test_coordinator_sees_requests_without_advisor(coordinator, customer):
    request = make_quote_request(customer=customer)
    QuoteRequest.objects.filter(pk=request.pk).update(advisor=None)
    items = items_of(coordinator)
    assert items["solicitud de cotización sin asesor"] == (
        1,
        "/solicitudes/?asesor=ninguno",
    )


# --- Advisor ----------------------------------------------------------------------


def test_advisor_sees_follow_ups(advisor, customer, debris, settings):
    issue_days_ago(customer, advisor, debris, settings.QUOTATION_FOLLOW_UP_DAYS + 1)
    issue_days_ago(customer, advisor, debris, 0)
    items = items_of(advisor)
    assert items["cotización por seguir esta semana"] == (
        1,
        "/cotizaciones/seguimiento/?semana=actual",
    )


def test_follow_up_count_matches_report(client, advisor, customer, debris, settings):
    issue_days_ago(customer, advisor, debris, settings.QUOTATION_FOLLOW_UP_DAYS + 1)
    issue_days_ago(customer, advisor, debris, settings.QUOTATION_FOLLOW_UP_DAYS + 2)
    (item,) = pending_items(advisor)
    client.force_login(advisor)
    rows = client.get(item.url).context["rows"]
    assert item.count == len(rows)


def test_advisor_sees_own_terminations_only(advisor, other_advisor, competitor, today):
    termination(competitor, advisor=advisor)
    termination(competitor, advisor=other_advisor)
    termination(competitor, advisor=other_advisor)
    items = items_of(advisor)
    assert items["solicitud de terminación por verificar"] == (
        1,
        "/terminaciones/?por_verificar=1",
    )


def verified(request, result, user) -> TerminationRequest:
    Verification.objects.create(
        request=request, result=result, evidence_kind="llamada", recorded_by=user
    )
    request.status = TerminationRequest.Status.VERIFYING
    request.save()
    return request


def listed_rows(client, user, url) -> list:
    client.force_login(user)
    return client.get(url).context["rows"]


def test_due_count_matches_list(client, coordinator, competitor, today):
    termination(competitor, response_due_on=today - timedelta(days=1))
    termination(competitor, response_due_on=today)
    termination(competitor, response_due_on=today + timedelta(days=60))
    termination(
        competitor, response_due_on=today, status=TerminationRequest.Status.ACCEPTED
    )
    label = "solicitudes de terminación con respuesta vencida o por vencer"
    count, url = items_of(coordinator)[label]
    rows = listed_rows(client, coordinator, url)
    assert count == 2
    assert len(rows) == count


def test_verify_count_matches_list(client, advisor, competitor):
    termination(competitor, advisor=advisor)
    not_located = termination(competitor, advisor=advisor)
    verified(not_located, Verification.Result.NOT_LOCATED, advisor)
    withdraws = termination(competitor, advisor=advisor)
    verified(withdraws, Verification.Result.WITHDRAWS, advisor)
    termination(competitor, advisor=advisor, status=TerminationRequest.Status.ACCEPTED)
    count, url = items_of(advisor)["solicitudes de terminación por verificar"]
    rows = listed_rows(client, advisor, url)
    assert count == 2
    assert len(rows) == count


def test_overdue_verify_count_matches_list(
    client, advisor, other_advisor, competitor, today
):
    yesterday = today - timedelta(days=1)
    termination(competitor, advisor=advisor, response_due_on=yesterday)
    termination(competitor, advisor=advisor, response_due_on=today)
    not_located = termination(competitor, advisor=advisor, response_due_on=yesterday)
    verified(not_located, Verification.Result.NOT_LOCATED, advisor)
    withdraws = termination(competitor, advisor=advisor, response_due_on=yesterday)
    verified(withdraws, Verification.Result.WITHDRAWS, advisor)
    termination(competitor, advisor=other_advisor, response_due_on=yesterday)
    items = items_of(advisor)
    label = "solicitudes de terminación por verificar con respuesta vencida"
    count, url = items[label]
    rows = listed_rows(client, advisor, url)
    assert url == "/terminaciones/?por_verificar=1&plazo=vencido"
    assert count == 2
    assert len(rows) == count
    assert items["solicitudes de terminación por verificar"][0] == 3


def test_no_overdue_item_when_on_time(advisor, competitor, today):
    termination(competitor, advisor=advisor, response_due_on=today)
    labels = " ".join(items_of(advisor))
    assert "por verificar" in labels
    assert "con respuesta vencida" not in labels


def test_located_later_leaves_verify_list(client, advisor, competitor):
    request = termination(competitor, advisor=advisor)
    verified(request, Verification.Result.NOT_LOCATED, advisor)
    verified(request, Verification.Result.NOT_AUTHENTIC, advisor)
    labels = " ".join(items_of(advisor))
    assert "por verificar" not in labels


def test_advisor_sees_own_visits_only(advisor, other_advisor, customer):
    visit_today(customer, advisor)
    visit_today(customer, other_advisor)
    visit_today(customer, advisor, status=Visit.Status.CANCELLED)
    items = items_of(advisor)
    assert items["visita programada para hoy"] == (1, "/visitas/")


def test_advisor_sees_own_quote_requests_only(
    advisor, other_advisor, customer, other_customer
):
    for owner, requester in ((advisor, customer), (other_advisor, other_customer)):
        request = make_quote_request(customer=requester)
        QuoteRequest.objects.filter(pk=request.pk).update(advisor=owner)
    items = items_of(advisor)
    assert items["solicitud de cotización nueva"] == (1, "/solicitudes/?estado=nueva")


def test_advisor_sees_own_onboardings_only(
    advisor, customer, other_customer, other_advisor
):
    Onboarding.objects.create(customer=customer, opened_by=advisor)
    Onboarding.objects.create(
        customer=customer, opened_by=advisor, status=Onboarding.Status.RETURNED
    )
    Onboarding.objects.create(customer=other_customer, opened_by=other_advisor)
    items = items_of(advisor)
    assert items["vinculación con datos o documentos por completar"] == (
        1,
        "/vinculaciones/?status=abierta",
    )
    assert items["vinculación devuelta por facturación"] == (
        1,
        "/vinculaciones/?status=devuelta",
    )


def test_advisor_ignores_other_advisors_work(
    advisor, other_advisor, other_customer, competitor, debris, settings
):
    issue_days_ago(
        other_customer, other_advisor, debris, settings.QUOTATION_FOLLOW_UP_DAYS + 1
    )
    termination(competitor, advisor=other_advisor)
    visit_today(other_customer, other_advisor)
    request = make_quote_request(customer=other_customer)
    QuoteRequest.objects.filter(pk=request.pk).update(advisor=other_advisor)
    Onboarding.objects.create(customer=other_customer, opened_by=other_advisor)
    assert pending_items(advisor) == []


def test_advisor_sees_no_team_work(advisor, customer, competitor, debris, today):
    order_of(customer, advisor, debris, executed_on=today)
    termination(competitor, response_due_on=today)
    labels = " ".join(items_of(advisor))
    assert "soportes" not in labels
    assert "vencida" not in labels


# --- Billing, operations and logistics --------------------------------------------


def test_billing_sees_onboardings_to_decide(billing_user, customer, advisor):
    Onboarding.objects.create(
        customer=customer, opened_by=advisor, status=Onboarding.Status.IN_REVIEW
    )
    items = items_of(billing_user)
    assert items["vinculación por aprobar"] == (1, "/vinculaciones/?status=pendientes")


def test_billing_sees_services_to_invoice(
    billing_user, coordinator, customer, advisor, debris, last_month
):
    handed_over = order_of(customer, advisor, debris, executed_on=last_month.first_day)
    hand_over(handed_over, coordinator)
    invoiced = order_of(customer, advisor, debris, executed_on=last_month.first_day)
    hand_over(invoiced, coordinator)
    invoiced.invoice_number = "FE-1001"
    invoiced.save(update_fields=["invoice_number"])
    items = items_of(billing_user)
    assert items["orden entregada sin factura"] == (1, "/facturacion/facturas/")


def novelty(code, **fields) -> RegistryNovelty:
    """Record a linking of a new account, effective today unless `fields` set a date."""
    values = {
        "account": make_account(code),
        "kind": RegistryNovelty.Kind.LINKED,
        "effective_on": timezone.localdate(),
    }
    values.update(fields)
    return RegistryNovelty.objects.create(**values)


def test_billing_sees_unreported_novelties(client, billing_user, coordinator, today):
    novelty("449000801")
    novelty("449000802")
    novelty("449000803", effective_on=today + timedelta(days=3))
    batch = NoveltyBatch.objects.create(
        report_on=today,
        applies_from=today + timedelta(days=60),
        novelty_count=1,
        marked_by=coordinator,
    )
    novelty("449000804", reported_on=today, batch=batch)
    items = items_of(billing_user)
    label = "novedades de catastro sin reportar a la empresa de facturación"
    count, url = items[label]
    client.force_login(billing_user)
    listed = client.get(url).context["report"].reported
    assert url == "/terminaciones/novedades/"
    assert count == 2
    assert len(listed) == count


def test_billing_sees_no_reported_novelties(billing_user, coordinator, today):
    batch = NoveltyBatch.objects.create(
        report_on=today,
        applies_from=today + timedelta(days=60),
        novelty_count=1,
        marked_by=coordinator,
    )
    novelty("449000805", reported_on=today, batch=batch)
    labels = " ".join(items_of(billing_user))
    assert "sin reportar" not in labels


@pytest.mark.parametrize("persona", ["operations_user", "logistics_user"])
def test_field_staff_see_dates_to_confirm(request, persona, customer, advisor, debris):
    order_of(customer, advisor, debris, status="solicitada")
    items = items_of(request.getfixturevalue(persona))
    assert items["fecha solicitada por confirmar"] == (
        1,
        "/ordenes/?status=solicitada",
    )


@pytest.mark.parametrize("persona", ["operations_user", "logistics_user"])
def test_field_staff_see_aforos(request, persona, customer, advisor, debris):
    order_of(customer, advisor, debris, prepayment_required=True)
    items = items_of(request.getfixturevalue(persona))
    assert items["aforo por registrar"] == (1, "/ordenes/?pending=aforo")


# --- Panel ------------------------------------------------------------------------


def test_plural_label(operations_user, customer, advisor, debris):
    order_of(customer, advisor, debris, prepayment_required=True)
    order_of(customer, advisor, debris, prepayment_required=True)
    items = items_of(operations_user)
    assert items["aforos por registrar"][0] == 2


def test_home_shows_pending_link(client, operations_user, customer, advisor, debris):
    order_of(customer, advisor, debris, prepayment_required=True)
    client.force_login(operations_user)
    content = client.get(HOME_URL).text
    assert 'href="/ordenes/?pending=aforo"' in content
    assert "aforo por registrar" in content


def test_user_without_role_has_no_panel(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(HOME_URL)
    assert response.context["pending"] is None
    assert "Pendientes" not in response.text


def test_administrator_has_no_panel(db):
    administrator = make_user(Role.ADMINISTRATOR, "administrador")
    assert pending_items(administrator) is None


@pytest.fixture
def every_item(
    coordinator,
    advisor,
    billing_user,
    customer,
    competitor,
    debris,
    settings,
    today,
    last_month,
):
    """One record of each kind of pending work."""
    Certificate.objects.create(
        customer=customer,
        request_channel=Certificate.RequestChannel.EMAIL,
        requested_on=date(2026, 11, 5),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        waste_type="Escombros",
        destination_site="Escombrera La Esperanza",
        destination_authorization="Resolución 1234 de 2024",
        drafted_by=advisor,
    )

    pending_prices = make_quotation(customer=customer, advisor=advisor)
    Quotation.objects.filter(pk=pending_prices.pk).update(
        price_approval=Quotation.PriceApproval.PENDING
    )
    TariffVersion.objects.create(name="Tarifas 2027", created_by=advisor)

    approve_customer(customer, billing_user)
    add_signed_order(
        order_of(customer, advisor, debris, executed_on=last_month.first_day), advisor
    )
    order_of(customer, advisor, debris, executed_on=today)
    hand_over(
        order_of(customer, advisor, debris, executed_on=last_month.last_day),
        coordinator,
    )
    order_of(customer, advisor, debris, status="solicitada", prepayment_required=True)

    # Overdue, so the advisor also sees it among the overdue ones to verify.
    termination(competitor, advisor=advisor, response_due_on=today - timedelta(days=1))
    novelty("449000806")
    request = termination(
        competitor,
        status=TerminationRequest.Status.WITHDRAWN,
        response_due_on=today - timedelta(days=1),
    )
    Desistimiento.objects.create(
        request=request,
        code="DES-2026-00001",
        year=2026,
        number=1,
        issued_by=advisor,
        signed_file=ContentFile(pdf_bytes(), name="firmado.pdf"),
    )

    issue_days_ago(customer, advisor, debris, settings.QUOTATION_FOLLOW_UP_DAYS + 1)
    visit_today(customer, advisor)
    routed = make_quote_request(customer=customer)
    QuoteRequest.objects.filter(pk=routed.pk).update(advisor=advisor)
    unassigned = make_quote_request(customer=customer)
    QuoteRequest.objects.filter(pk=unassigned.pk).update(advisor=None)

    Onboarding.objects.create(customer=customer, opened_by=advisor)
    Onboarding.objects.create(
        customer=customer, opened_by=advisor, status=Onboarding.Status.RETURNED
    )
    Onboarding.objects.create(
        customer=customer, opened_by=advisor, status=Onboarding.Status.IN_REVIEW
    )


# Number of items in each persona's panel when every kind of pending work has one
# record.
EXPECTED_ITEM_COUNTS = {
    "director": 5,
    "coordinator": 6,
    "advisor": 7,
    "billing_user": 3,
    "operations_user": 3,
    "logistics_user": 3,
}


@pytest.mark.parametrize("persona", sorted(EXPECTED_ITEM_COUNTS))
def test_every_link_opens(client, request, persona, every_item):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    items = pending_items(user)
    assert len(items) == EXPECTED_ITEM_COUNTS[persona]
    for item in items:
        assert client.get(item.url).status_code == 200, item.url


@pytest.mark.parametrize("persona", sorted(EXPECTED_ITEM_COUNTS))
def test_queries_do_not_grow(request, persona, every_item, customer, advisor, debris):
    user = request.getfixturevalue(persona)
    # The first call also reads the user's groups, which the user object caches.
    pending_items(user)
    with CaptureQueriesContext(connection) as before:
        pending_items(user)
    every_item_again(customer, advisor, debris)
    with CaptureQueriesContext(connection) as after:
        pending_items(user)
    assert len(after) == len(before)


def every_item_again(customer, advisor, debris):
    """Add a second record to the kinds of work whose rule runs in Python."""
    today = timezone.localdate()
    last_month = Month.of(today).previous()
    add_signed_order(
        order_of(customer, advisor, debris, executed_on=last_month.last_day), advisor
    )
    order_of(customer, advisor, debris, executed_on=today)
    order_of(customer, advisor, debris, status="solicitada", prepayment_required=True)
