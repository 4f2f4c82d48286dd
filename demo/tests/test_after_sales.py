"""The demo after-sales story: onboarded customers, service orders in every state
with crews and proof, two months handed over and invoiced, last month ready to be
consolidated, and certificates signed by the director."""

from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.roles import Role
from billing.models import Handoff
from billing.periods import Month
from certificates.models import Certificate, DirectorSignature
from core.models import OutgoingEmail
from core.uploads import PDF, upload_sniff
from demo.after_sales import demo_after_sales_load, demo_pdf, demo_png
from demo.sales import demo_sales_load
from demo.services import demo_load
from field_work.models import Aforo, Prepayment, ServiceProof
from field_work.proof import proof_inbox, proof_missing
from onboarding.models import CustomerDocument, Onboarding, PaymentTerms
from service_orders.models import CrewMember, ScheduleChange, ServiceOrder

pytestmark = pytest.mark.django_db

CUSTOMERS = 150
Status = ServiceOrder.Status


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo customers, the sales story and the after-sales story once for
    the module, in a transaction rolled back at the end. Yield what the
    after-sales load returned."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        demo_load(customer_count=CUSTOMERS)
        demo_sales_load()
        yield demo_after_sales_load()
        transaction.set_rollback(True)


def last_month() -> Month:
    return Month.of(timezone.localdate()).previous()


def test_result_counts_orders(story):
    assert sum(story.orders.values()) == ServiceOrder.objects.count()


def test_twenty_to_thirty_customers_served(story):
    served = ServiceOrder.objects.values("customer").distinct().count()
    assert 18 <= served <= 30


def test_most_onboardings_approved_with_both_terms(story):
    approved = Onboarding.objects.filter(status=Onboarding.Status.APPROVED)
    assert approved.count() >= 15
    terms = set(approved.values_list("payment_terms", flat=True))
    assert terms == {PaymentTerms.CREDIT, PaymentTerms.PREPAID}


@pytest.mark.parametrize("status", [Onboarding.Status.OPEN, Onboarding.Status.RETURNED])
def test_onboarding_pending_in_status(story, status):
    assert Onboarding.objects.filter(status=status).count() == 1


def test_returned_onboarding_has_billing_note(story):
    returned = Onboarding.objects.get(status=Onboarding.Status.RETURNED)
    assert returned.decision_note
    assert returned.decided_by.username == "facturacion"


def test_approved_customers_have_their_documents(story):
    for onboarding in Onboarding.objects.filter(status=Onboarding.Status.APPROVED):
        assert onboarding.customer.documents.current().count() >= 2


def test_documents_are_demo_pdfs(story):
    document = CustomerDocument.objects.first()
    assert document.content_type == "application/pdf"
    with document.file.open("rb") as stored:
        assert stored.read() == demo_pdf(str(document.get_kind_display()))


def test_demo_files_pass_upload_checks():
    assert upload_sniff(SimpleUploadedFile("a.pdf", demo_pdf("RUT")))[0] == PDF
    image = Image.open(BytesIO(demo_png("Foto")))
    assert image.format == "PNG"


@pytest.mark.parametrize(
    ("status", "minimum"),
    [
        (Status.EXECUTED, 15),
        (Status.SCHEDULED, 3),
        (Status.REQUESTED, 1),
        (Status.TO_SCHEDULE, 1),
        (Status.CANCELLED, 1),
    ],
)
def test_orders_per_state(story, status, minimum):
    assert ServiceOrder.objects.filter(status=status).count() >= minimum


def test_order_codes_are_gapless_and_follow_creation(story):
    year = timezone.localdate().year
    codes = list(
        ServiceOrder.objects.filter(created_at__year=year)
        .order_by("created_at")
        .values_list("code", flat=True)
    )
    expected = [f"OS-{year}-{number:05d}" for number in range(1, len(codes) + 1)]
    assert sorted(codes) == expected
    assert codes == sorted(codes)


def test_orders_have_agreements(story):
    assert not ServiceOrder.objects.filter(agreement__isnull=True).exists()


def test_scheduled_orders_come_this_week_or_next(story):
    today = timezone.localdate()
    scheduled = ServiceOrder.objects.filter(status=Status.SCHEDULED)
    for order in scheduled:
        assert 0 <= (order.scheduled_date - today).days <= 16


def test_scheduled_orders_have_crew_plate_and_supervisor(story):
    for order in ServiceOrder.objects.exclude(scheduled_date=None):
        assert order.vehicle_plate
        assert order.supervisor.has_role(Role.OPERATIONS)
        assert order.crew.exists()
    assert CrewMember.objects.values("id_number").distinct().count() >= 6


def test_customers_got_schedule_emails(story):
    confirmed = ScheduleChange.objects.filter(kind=ScheduleChange.Kind.CONFIRMED)
    assert confirmed.exclude(email=None).exists()


@pytest.mark.parametrize(
    "kind", [ScheduleChange.Kind.RESCHEDULED, ScheduleChange.Kind.CANCELLED]
)
def test_one_change_with_reason(story, kind):
    change = ScheduleChange.objects.get(kind=kind)
    assert change.reason
    assert change.email is not None


def test_first_time_customer_paid_after_aforo(story):
    order = ServiceOrder.objects.get(prepayment_required=True)
    aforo = Aforo.objects.get(order=order)
    prepayment = Prepayment.objects.get(order=order)
    assert prepayment.amount == aforo.charge_total
    assert order.status == Status.EXECUTED


def test_aforo_charges_lines_of_its_order(story):
    aforos = Aforo.objects.prefetch_related("readings__tariff_item", "order__lines")
    assert aforos.exists()
    for aforo in aforos:
        codes = {line.code for line in aforo.order.lines.all()}
        for reading in aforo.readings.all():
            assert reading.tariff_item.code in codes, aforo.order.code


def test_executed_orders_have_quantities(story):
    for order in ServiceOrder.objects.filter(status=Status.EXECUTED):
        assert all(line.executed_quantity is not None for line in order.lines.all())


def test_handed_over_orders_have_complete_proof(story):
    for order in ServiceOrder.objects.filter(handoff__isnull=False):
        assert not proof_missing(order), order.code


def test_weigh_tickets_have_references(story):
    tickets = ServiceProof.objects.filter(kind=ServiceProof.Kind.WEIGH_TICKET)
    assert tickets.exists()
    assert not tickets.filter(reference="").exists()


def test_coordinator_inbox_shows_incomplete_proof(story):
    coordinator = User.objects.get(username="coordinadora")
    days = proof_inbox(user=coordinator, today=timezone.localdate())
    assert days


def test_months_before_last_are_handed_over(story):
    handoffs = Handoff.objects.all()
    assert handoffs.exists()
    assert all(handoff.month < last_month().first_day for handoff in handoffs)
    assert OutgoingEmail.objects.filter(kind="billing_handoff").count() == len(handoffs)


def test_most_handed_over_orders_are_invoiced(story):
    handed_over = ServiceOrder.objects.filter(handoff__isnull=False)
    invoiced = handed_over.exclude(invoice_number="")
    assert invoiced.count() >= handed_over.count() * 0.6
    assert invoiced.count() < handed_over.count()


def test_last_month_is_executed_but_not_handed_over(story):
    month = last_month()
    executed = ServiceOrder.objects.executed_in(month.first_day, month.last_day)
    assert executed.count() >= 3
    assert not executed.filter(handoff__isnull=False).exists()


def test_last_month_workbook_export_has_rows(story, tmp_path):
    month = last_month()
    output = tmp_path / "consolidado.xlsx"
    out = StringIO()
    call_command(
        "export_monthly_services",
        "--month",
        month.slug,
        "--output",
        str(output),
        stdout=out,
    )
    sheet = openpyxl.load_workbook(output).active
    codes = {cell.value for row in sheet.iter_rows() for cell in row}
    executed = ServiceOrder.objects.executed_in(month.first_day, month.last_day)
    assert set(executed.values_list("code", flat=True)) <= codes


def test_last_month_page_lists_executed_services(story, client):
    month = last_month()
    client.force_login(User.objects.get(username="coordinadora"))
    response = client.get(reverse("billing:month"), {"mes": month.slug})
    assert response.status_code == 200
    order = ServiceOrder.objects.executed_in(month.first_day, month.last_day).first()
    assert order.code in response.content.decode()


def test_director_signature_stored(story):
    signature = DirectorSignature.objects.get(user__username="director")
    assert signature.image


def test_certificates_signed_and_one_draft(story):
    signed = Certificate.objects.filter(status=Certificate.Status.SIGNED)
    assert 2 <= signed.count() <= 3
    assert Certificate.objects.filter(status=Certificate.Status.DRAFT).count() == 1
    for certificate in signed:
        assert certificate.pdf_file
        assert all(line.invoice_number for line in certificate.lines.all())


def test_second_load_adds_nothing(story):
    before = ServiceOrder.objects.count()
    assert demo_after_sales_load() is None
    assert ServiceOrder.objects.count() == before


def test_certificate_waste_matches_services():
    from demo.after_sales import waste_type_of

    class Line:
        def __init__(self, description):
            self.description = description

    class Order:
        def __init__(self, *descriptions):
            self.lines = self
            self.items = [Line(text) for text in descriptions]

        def all(self):
            return self.items

    pruning_and_compactor = Order(
        "Poda de árbol - altura hasta 5 m",
        "Vehículo compactador de 25 yd³ con conductor y dos operarios",
    )
    assert waste_type_of([pruning_and_compactor]) == (
        "Residuos de poda y corte de césped; "
        "Residuos sólidos ordinarios no aprovechables"
    )
    assert "voluminosos" not in waste_type_of([pruning_and_compactor])


def test_history_records_name_their_user(story):
    from simple_history.models import registered_models

    missing = {}
    for model in registered_models.values():
        manager = getattr(model, "history", None)
        if manager is None:
            continue
        count = manager.filter(history_user__isnull=True).count()
        if count:
            missing[model._meta.label] = count
    assert missing == {}
