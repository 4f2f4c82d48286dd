"""Demo after-sales data: what happens to the accepted quotations of the sales story
over the last three months. Customers are onboarded with their documents and
approved by billing (on credit or prepaid, two of them still pending). Service
orders get agreements, schedule requests and confirmed crews, one reschedule and
one cancellation, an aforo and a prepayment for a first-time customer. Executed
services get their quantities and proof, a few of them without complete proof.
The months before last are handed over to billing and mostly invoiced, and three
certificates are drafted, two of them signed.

Like demo/sales.py, every step goes through the real services with the clock set
to its moment. The steps of all customers run in date order, so order and
certificate codes follow their dates. Uploaded files are small images and PDFs
drawn here and marked as demo documents; only the signed certificates render a PDF
with WeasyPrint.
"""

import heapq
import io
import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from billing import services as billing_services
from billing.models import Handoff
from billing.periods import Month
from certificates import services as certificate_services
from certificates.models import Certificate, DirectorSignature
from core.calendar import is_business_day
from customers.identification import compute_check_digit
from customers.models import Customer
from demo import data
from demo.history import history_author
from demo.sales import PREPAID_ACCEPTED_DAYS, _clock
from demo.services import DEFAULT_SEED, DemoRefusedError
from field_work import services as field_services
from field_work.models import Aforo, ServiceProof
from field_work.proof import proof_requirements
from onboarding import services as onboarding_services
from onboarding.models import DocumentKind, Onboarding, PaymentTerms
from quotations.models import Quotation
from service_orders import services as order_services
from service_orders.crew import CrewInput
from service_orders.models import Agreement, ServiceOrder
from tariffs.models import TariffItem, Unit

logger = logging.getLogger(__name__)

DEMO_LABEL = "DOCUMENTO FICTICIO DE DEMOSTRACIÓN"
# Invoice numbers of the accounting software start here in the demo.
FIRST_INVOICE = 10_482
PLATES = ["TKL482", "SXM913", "WHO275", "OTG608"]
CREW_ROLES = ["Conductor", "Operario", "Operario", "Operario de poda"]
SERVICE_TIMES = [time(7, 0), time(7, 30), time(8, 0), time(13, 0)]
# Share of the invoice-ready customers whose invoice is not recorded yet.
NOT_INVOICED_SHARE = 0.15
# Certificates the director signs; one more stays a draft.
MAX_SIGNED = 3

RESCHEDULE_REASON = (
    "El cliente pidió mover el servicio: ese día hay asamblea de copropietarios y "
    "no se puede ocupar la portería."
)
CANCEL_REASON = (
    "El cliente informó que el constructor de la obra retiró los escombros por su "
    "cuenta; ya no necesita el servicio."
)
RETURN_NOTE = (
    "La copia de la cédula está ilegible. Pida al cliente una copia legible y vuelva "
    "a enviar la vinculación."
)
APPROVAL_NOTES = {
    PaymentTerms.CREDIT: "Cliente con buen historial de pago; crédito a 30 días.",
    PaymentTerms.PREPAID: "Pago anticipado contra aforo o cotización.",
}
AGREEMENT_KINDS = [
    Agreement.Kind.ACCEPTANCE_EMAIL,
    Agreement.Kind.ACCEPTANCE_EMAIL,
    Agreement.Kind.PURCHASE_ORDER,
    Agreement.Kind.CONTRACT,
]
INSTRUCTIONS = [
    "Ingresar por la portería de servicio; preguntar por el administrador.",
    "El material está acopiado en la parte trasera del lote.",
    "Llevar escalera y equipo de altura; hay cableado cerca de los árboles.",
    "",
]
WASTE_TYPES = [
    "Residuos de construcción y demolición (RCD)",
    "Residuos de poda y corte de césped",
    "Residuos voluminosos (muebles y enseres)",
]
# Words of a service order line's description → the waste type it handles.
WASTE_TYPE_WORDS = [
    (("escombro", "rcd", "demolici", "construcci"), WASTE_TYPES[0]),
    (("poda", "césped", "cesped", "jardín", "jardin", "tala"), WASTE_TYPES[1]),
    (("voluminos", "mueble", "enseres", "colch"), WASTE_TYPES[2]),
    (
        ("compactador", "relleno", "evento", "barrido", "lote", "residuos ("),
        "Residuos sólidos ordinarios no aprovechables",
    ),
]
OTHER_WASTE_TYPE = "Residuos sólidos ordinarios no aprovechables"


def waste_type_of(orders) -> str:
    """Return the waste types the orders' lines handle, joined in WASTE_TYPES
    order, or OTHER_WASTE_TYPE when no line names one (equipment hours)."""
    descriptions = [
        line.description.lower() for order in orders for line in order.lines.all()
    ]
    found = [
        waste_type
        for words, waste_type in WASTE_TYPE_WORDS
        if any(word in text for text in descriptions for word in words)
    ]
    return "; ".join(dict.fromkeys(found)) or OTHER_WASTE_TYPE


DESTINATION_SITE = "Escombrera La Esperanza, vereda Potrerillo (Melgar)"
DESTINATION_AUTHORIZATION = "Resolución 2187 de 2022 (autorización ficticia)"


@dataclass(frozen=True)
class AfterSalesResult:
    onboardings: dict[str, int]
    orders: dict[str, int]
    handoffs: int
    invoiced: int
    certificates: dict[str, int]


@dataclass
class Pipeline:
    """One customer with an accepted quotation, and how far its story goes."""

    quotation: Quotation
    accepted_at: datetime
    role: str = "served"  # served, returned, missing_documents
    payment_terms: str = PaymentTerms.CREDIT
    prepaid_first_time: bool = False
    onboarding: Onboarding | None = None
    orders: list[ServiceOrder] = field(default_factory=list)
    stopped: bool = False


def demo_after_sales_load(*, seed: int = DEFAULT_SEED) -> AfterSalesResult | None:
    """Play the after-sales story of the accepted demo quotations, unless service
    orders exist already; return what was created, or None when skipped."""
    if settings.IS_PRODUCTION:
        raise DemoRefusedError(
            "No se cargan datos de demostración en producción (DJANGO_ENV=production)."
        )
    if ServiceOrder.objects.exists():
        logger.info("Demo after-sales data skipped: service orders exist")
        return None
    users = {user.username: user for user in User.objects.all()}
    # The history of steps whose services take no acting user is attributed to
    # the coordinator, who runs the after-sales procedure.
    with transaction.atomic(), history_author(users["coordinadora"]):
        AfterSalesStory(random.Random(seed), users, timezone.now()).tell()

    result = AfterSalesResult(
        onboardings=_count_by(Onboarding.objects, "status"),
        orders=_count_by(ServiceOrder.objects, "status"),
        handoffs=Handoff.objects.count(),
        invoiced=ServiceOrder.objects.exclude(invoice_number="").count(),
        certificates=_count_by(Certificate.objects, "status"),
    )
    logger.info("Demo after-sales data loaded: %s", result)
    return result


def _count_by(queryset, field_name: str) -> dict[str, int]:
    return dict(queryset.values_list(field_name).annotate(count=Count("pk")))


class AfterSalesStory:
    """Plays the steps of every served customer, billing and the director in date
    order from one queue, drawing every choice from one seeded random generator."""

    def __init__(self, rng: random.Random, users: dict[str, User], now: datetime):
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.coordinator = users["coordinadora"]
        self.billing = users["facturacion"]
        self.director = users["director"]
        self.supervisors = [users["operaciones"], users["operaciones2"]]
        self.logistics = users["logistica"]
        self.queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self.sequence = itertools.count()
        self.next_invoice = FIRST_INVOICE
        self.used_cedulas: set[str] = set()
        self.crews = [self._crew() for _index in range(4)]
        self.cancelled = False
        self.rescheduled = False
        self.signed = 0

    # The queue

    def at(self, moment: datetime, step: Callable[[], None], pipeline=None) -> None:
        """Queue `step` at `moment`; steps after now are not played, and a
        customer's later steps are dropped with it."""

        def guarded():
            if pipeline is not None and pipeline.stopped:
                return
            if moment > self.now:
                if pipeline is not None:
                    pipeline.stopped = True
                return
            with _clock(moment):
                step()

        heapq.heappush(self.queue, (moment, next(self.sequence), guarded))

    def tell(self) -> None:
        pipelines = self._plan()
        for pipeline in pipelines:
            self._queue_onboarding(pipeline)
        self._queue_upcoming(pipelines)
        month = Month.of(self.today)
        for _index in range(3):
            month = month.previous()
            if month != Month.of(self.today).previous():
                # The months before last go to billing; last month waits.
                self._queue_handoff(month)
        self.at(self.now - timedelta(hours=1), lambda: self._certify(sign=False))
        while self.queue:
            _moment, _sequence, step = heapq.heappop(self.queue)
            step()

    def _plan(self) -> list[Pipeline]:
        accepted = (
            Quotation.objects.filter(status=Quotation.Status.ACCEPTED)
            .select_related("customer", "advisor")
            .order_by("accepted_on", "pk")
        )
        pipelines = []
        first_time_prepaid = False
        pending = {"returned": False, "missing_documents": False}
        for quotation in accepted:
            # The hook of quotation_accept opened the onboarding at acceptance.
            onboarding = quotation.customer.onboardings.order_by("-pk").first()
            pipeline = Pipeline(
                quotation=quotation,
                accepted_at=onboarding.opened_at,
                onboarding=onboarding,
            )
            customer = quotation.customer
            first_time = (
                customer.customer_type == Customer.CustomerType.NEW
                and not customer.in_catastro
            )
            age = (self.today - quotation.accepted_on).days
            if first_time:
                # First-time customers go on credit, except one who pays ahead
                # and so gets an aforo and a prepayment before scheduling. The
                # aforo charges a line of the order measured in m³, so that
                # customer must have bought one.
                if (
                    not first_time_prepaid
                    and PREPAID_ACCEPTED_DAYS[0] <= age <= PREPAID_ACCEPTED_DAYS[1]
                    and quotation.lines.filter(
                        tariff_item__unit=Unit.CUBIC_METRE
                    ).exists()
                ):
                    pipeline.payment_terms = PaymentTerms.PREPAID
                    pipeline.prepaid_first_time = True
                    first_time_prepaid = True
            else:
                if 10 <= age <= 45 and not all(pending.values()):
                    role = (
                        "returned" if not pending["returned"] else "missing_documents"
                    )
                    pending[role] = True
                    pipeline.role = role
                pipeline.payment_terms = self.rng.choice(
                    [PaymentTerms.CREDIT, PaymentTerms.PREPAID]
                )
            pipelines.append(pipeline)
        return pipelines

    # Onboarding

    def _queue_onboarding(self, pipeline: Pipeline) -> None:
        quotation = pipeline.quotation
        advisor = quotation.advisor
        reviewed_at = self._later(pipeline.accepted_at, hours=(2, 20))
        uploaded_at = self._later(reviewed_at, hours=(1, 30))
        submitted_at = self._later(uploaded_at, hours=(1, 4))
        decided_at = self._later(submitted_at, hours=(2, 26))

        def review():
            if pipeline.onboarding.status == Onboarding.Status.OPEN:
                onboarding_services.onboarding_review_data(
                    onboarding=pipeline.onboarding, user=advisor
                )

        def upload():
            if pipeline.onboarding.status != Onboarding.Status.OPEN:
                return
            kinds = self._document_kinds(quotation.customer)
            if pipeline.role == "missing_documents":
                kinds = kinds[:1]
            for kind in kinds:
                self._upload_document(pipeline.onboarding, kind, advisor)

        def submit():
            if pipeline.role == "missing_documents":
                pipeline.stopped = True
                return
            onboarding_services.onboarding_submit(
                onboarding=pipeline.onboarding, user=advisor
            )

        def decide():
            if pipeline.role == "returned":
                onboarding_services.onboarding_return(
                    onboarding=pipeline.onboarding, user=self.billing, note=RETURN_NOTE
                )
                pipeline.stopped = True
                return
            onboarding_services.onboarding_approve(
                onboarding=pipeline.onboarding,
                user=self.billing,
                payment_terms=pipeline.payment_terms,
                note=APPROVAL_NOTES[pipeline.payment_terms],
            )

        self.at(reviewed_at, review, pipeline)
        self.at(uploaded_at, upload, pipeline)
        self.at(submitted_at, submit, pipeline)
        self.at(decided_at, decide, pipeline)
        self._queue_orders(pipeline, decided_at)

    def _document_kinds(self, customer: Customer) -> list[str]:
        if customer.person_kind == Customer.PersonKind.LEGAL:
            return [
                DocumentKind.RUT,
                DocumentKind.CHAMBER_OF_COMMERCE,
                DocumentKind.REPRESENTATIVE_ID,
            ]
        return [DocumentKind.ID_CARD, DocumentKind.RUT]

    def _upload_document(self, onboarding: Onboarding, kind: str, user: User) -> None:
        customer = onboarding.customer
        issued_on = None
        if kind == DocumentKind.CHAMBER_OF_COMMERCE:
            issued_on = timezone.localdate() - timedelta(days=self.rng.randint(3, 20))
        nit = ""
        if kind == DocumentKind.RUT:
            number = customer.id_number
            check = customer.check_digit or compute_check_digit(number)
            nit = f"{number}-{check}"
        label = DocumentKind(kind).label
        onboarding_services.document_upload(
            onboarding=onboarding,
            kind=kind,
            uploaded=_upload(f"{kind}.pdf", demo_pdf(str(label))),
            user=user,
            issued_on=issued_on,
            document_id_number=nit,
        )

    # Orders

    def _queue_orders(self, pipeline: Pipeline, decided_at: datetime) -> None:
        quotation = pipeline.quotation
        advisor = quotation.advisor
        agreed_at = self._later(decided_at, hours=(1, 6))
        created_at = self._later(agreed_at, hours=(1, 4))
        kind = self.rng.choice(AGREEMENT_KINDS)
        number = ""
        if kind in order_services.NUMBERED_AGREEMENT_KINDS:
            number = f"OC-{self.rng.randint(1200, 8900)}"

        def agree():
            order_services.agreement_record(
                quotation=quotation,
                user=advisor,
                kind=kind,
                signed_on=timezone.localdate(),
                uploaded=_upload(
                    "acuerdo.pdf", demo_pdf(str(Agreement.Kind(kind).label))
                ),
                number=number,
            )

        self.at(agreed_at, agree, pipeline)
        # Customers on credit with an older acceptance get a second, monthly order.
        repeats = (
            2
            if (
                pipeline.payment_terms == PaymentTerms.CREDIT
                and (self.today - quotation.accepted_on).days > 55
                and self.rng.random() < 0.5
            )
            else 1
        )
        for index in range(repeats):
            self._queue_order(pipeline, self._later(created_at, days=30 * index))

    def _queue_order(self, pipeline: Pipeline, created_at: datetime) -> None:
        quotation = pipeline.quotation
        advisor = quotation.advisor
        holder: dict[str, ServiceOrder] = {}
        requested_at = self._later(created_at, hours=(1, 8))
        service_day = self._business_day(
            timezone.localdate(requested_at) + timedelta(days=self.rng.randint(3, 9))
        )
        confirmed_at = self._working_moment(
            timezone.localdate(requested_at) + timedelta(days=self.rng.randint(1, 2))
        )
        confirmed_at = max(confirmed_at, self._later(requested_at, hours=(1, 3)))
        if timezone.localdate(confirmed_at) >= service_day:
            service_day = self._business_day(
                timezone.localdate(confirmed_at) + timedelta(days=1)
            )

        def create():
            order = order_services.service_order_create(
                quotation=quotation,
                user=advisor,
                site_contact=quotation.customer.name,
                site_contact_phone=quotation.customer.mobile,
                instructions=self.rng.choice(INSTRUCTIONS),
            )
            holder["order"] = order
            pipeline.orders.append(order)

        def request():
            order_services.schedule_request(
                order=holder["order"], user=advisor, requested_date=service_day
            )

        self.at(created_at, create, pipeline)
        self.at(requested_at, request, pipeline)
        if pipeline.prepaid_first_time:
            paid_at = self._queue_prepayment(pipeline, holder, requested_at)
            confirmed_at = max(confirmed_at, self._later(paid_at, hours=(1, 3)))
            if timezone.localdate(confirmed_at) >= service_day:
                service_day = self._business_day(
                    timezone.localdate(confirmed_at) + timedelta(days=1)
                )
        self._queue_schedule(pipeline, holder, confirmed_at, service_day)

    def _queue_upcoming(self, pipelines: list[Pipeline]) -> None:
        """Queue new orders of customers served before, created in the last days.
        Most are confirmed for this week or the next, one waits for operations to
        confirm the requested date, and one has no date requested yet."""
        regulars = [
            pipeline
            for pipeline in pipelines
            if pipeline.role == "served"
            and not pipeline.prepaid_first_time
            and (self.today - pipeline.quotation.accepted_on).days > 20
        ]
        stages = [
            ServiceOrder.Status.SCHEDULED,
            ServiceOrder.Status.SCHEDULED,
            ServiceOrder.Status.SCHEDULED,
            ServiceOrder.Status.SCHEDULED,
            ServiceOrder.Status.REQUESTED,
            ServiceOrder.Status.TO_SCHEDULE,
        ]
        chosen = self.rng.sample(regulars, min(len(stages), len(regulars)))
        for index, (pipeline, stage) in enumerate(zip(chosen, stages, strict=False)):
            quotation = pipeline.quotation
            holder: dict[str, ServiceOrder] = {}
            created_at = min(
                self._working_moment(
                    self.today - timedelta(days=self.rng.randint(1, 4))
                ),
                self.now - timedelta(hours=3),
            )
            requested_at = created_at + timedelta(minutes=self.rng.randint(20, 90))
            confirmed_at = requested_at + timedelta(minutes=self.rng.randint(30, 90))
            service_day = self._business_day(
                self.today + timedelta(days=self.rng.randint(1, 9))
            )
            if index == 0 and is_business_day(self.today):
                # Operations' page of the day shows a service on a working day.
                service_day = self.today

            def create(quotation=quotation, holder=holder):
                holder["order"] = order_services.service_order_create(
                    quotation=quotation,
                    user=quotation.advisor,
                    site_contact=quotation.customer.name,
                    site_contact_phone=quotation.customer.mobile,
                    instructions=self.rng.choice(INSTRUCTIONS),
                )

            def request(quotation=quotation, holder=holder, day=service_day):
                order_services.schedule_request(
                    order=holder["order"], user=quotation.advisor, requested_date=day
                )

            self.at(created_at, create)
            if stage == ServiceOrder.Status.TO_SCHEDULE:
                continue
            self.at(requested_at, request)
            if stage == ServiceOrder.Status.SCHEDULED:
                self._queue_schedule(None, holder, confirmed_at, service_day)

    def _queue_prepayment(self, pipeline, holder, requested_at: datetime) -> datetime:
        """Queue the aforo and the payment of the order; return when it is paid."""
        measured_at = self._later(requested_at, hours=(1, 5))
        paid_at = self._later(measured_at, hours=(3, 20))
        supervisor = self.supervisors[0]

        def measure():
            order = holder["order"]
            item = self._aforo_item(order)
            field_services.aforo_record(
                order=order,
                user=self.logistics,
                measured_on=timezone.localdate(),
                measured_by=supervisor,
                method=Aforo.Method.VOLUME,
                readings=[
                    field_services.ReadingInput(
                        container="Acopio de escombros en el andén",
                        count=1,
                        reading=Decimal(self.rng.choice(["3.5", "4", "5.5"])),
                        unit="m3",
                        tariff_code=item.code,
                    ),
                    field_services.ReadingInput(
                        container="Lonas en el patio",
                        count=self.rng.randint(6, 12),
                        reading=Decimal("0.08"),
                        unit="m3",
                        tariff_code=item.code,
                    ),
                ],
                signed_record=_upload("acta.pdf", demo_pdf("Acta de aforo firmada")),
                photos=[_upload("foto.png", demo_png("Foto del aforo"))],
                notes="Aforo volumétrico antes del pago anticipado.",
            )

        def pay():
            order = holder["order"]
            field_services.prepayment_register(
                order=order,
                user=pipeline.quotation.advisor,
                reference=f"TRF-{self.rng.randint(100000, 999999)}",
                paid_on=timezone.localdate(),
                amount=field_services.prepayment_due(order),
                receipt=_upload("pago.png", demo_png("Comprobante de transferencia")),
            )

        self.at(measured_at, measure, pipeline)
        self.at(paid_at, pay, pipeline)
        return paid_at

    def _aforo_item(self, order: ServiceOrder) -> TariffItem:
        """Return the tariff item in force of the order's first line measured
        in m³, which _plan made sure the order has."""
        in_force = TariffItem.objects.in_force(on=timezone.localdate())
        codes = list(
            order.lines.order_by("position", "pk").values_list("code", flat=True)
        )
        measured = in_force.filter(code__in=codes, unit=Unit.CUBIC_METRE)
        items = {item.code: item for item in measured}
        for code in codes:
            if code in items:
                return items[code]
        raise RuntimeError(
            f"Order {order.code} has no line measured in m3 with a tariff in force."
        )

    def _queue_schedule(self, pipeline, holder, confirmed_at, service_day) -> None:
        supervisor = self.rng.choice(self.supervisors)
        crew = self.rng.choice(self.crews)
        plate = self.rng.choice(PLATES)
        service_time = self.rng.choice(SERVICE_TIMES)

        def confirm():
            order_services.schedule_confirm(
                order=holder["order"],
                user=self.logistics,
                scheduled_date=service_day,
                scheduled_time=service_time,
                crew=crew,
                vehicle_plate=plate,
                supervisor=supervisor,
            )

        self.at(confirmed_at, confirm, pipeline)

        # The first order confirmed for a day still to come is moved two business
        # days later. The first order due 10 to 30 days ago is cancelled instead.
        if (
            not self.rescheduled
            and service_day > self.today
            and confirmed_at <= self.now
        ):
            self.rescheduled = True
            new_day = self._business_day(service_day + timedelta(days=2))
            moved_at = min(self._later(confirmed_at, hours=(2, 6)), self.now)

            def reschedule():
                order_services.schedule_reschedule(
                    order=holder["order"],
                    user=supervisor,
                    reason=RESCHEDULE_REASON,
                    scheduled_date=new_day,
                    scheduled_time=service_time,
                )

            self.at(moved_at, reschedule, pipeline)
            return
        days_ago = (self.today - service_day).days
        if not self.cancelled and 10 <= days_ago <= 30:
            self.cancelled = True

            def cancel():
                order_services.schedule_cancel(
                    order=holder["order"], user=self.coordinator, reason=CANCEL_REASON
                )

            cancelled_at = max(
                self._working_moment(service_day - timedelta(days=1)),
                self._later(confirmed_at, hours=(2, 6)),
            )
            self.at(cancelled_at, cancel, pipeline)
            return
        self._queue_execution(pipeline, holder, service_day, supervisor)

    # Execution and proof

    def _queue_execution(self, pipeline, holder, day: date, supervisor) -> None:
        executed_at = timezone.make_aware(datetime.combine(day, time(16, 30)))
        proof_at = executed_at + timedelta(hours=1)
        # Orders of the last two weeks sometimes miss part of their proof, so the
        # coordinator's inbox has something to chase.
        recent = (self.today - day).days <= 14
        incomplete = recent and self.rng.random() < 0.35

        def execute():
            order = holder["order"]
            quantities = {
                line.pk: self._executed_quantity(line.quantity)
                for line in order.lines.all()
            }
            holder["order"] = field_services.execution_record(
                order=order, user=supervisor, executed_on=day, quantities=quantities
            )

        def prove():
            order = holder["order"]
            requirements = proof_requirements(order)
            if incomplete:
                # The general proof goes missing, so weighed orders keep their
                # weigh ticket and its reference.
                requirements = requirements[1:]
                field_services.proof_upload(
                    order=order,
                    user=supervisor,
                    kind=ServiceProof.Kind.PHOTO,
                    file=_upload("foto.png", demo_png("Foto del servicio")),
                    taken_on=day,
                )
            for requirement in requirements:
                kind = self.rng.choice(requirement.kinds)
                reference = ""
                if kind == ServiceProof.Kind.WEIGH_TICKET:
                    reference = f"TB-{self.rng.randint(20000, 29999)}"
                field_services.proof_upload(
                    order=order,
                    user=supervisor,
                    kind=kind,
                    file=_upload(f"{kind}.pdf", demo_pdf(kind_label(kind))),
                    taken_on=day,
                    reference=reference,
                )

        self.at(executed_at, execute, pipeline)
        self.at(proof_at, prove, pipeline)

    def _executed_quantity(self, quantity: Decimal) -> Decimal:
        factor = self.rng.choice(["1", "1", "1", "0.8", "1.25"])
        executed = (quantity * Decimal(factor)).quantize(Decimal("0.001"))
        if quantity == quantity.to_integral_value():
            executed = max(executed.to_integral_value(), Decimal("1"))
        return executed

    # Billing

    def _queue_handoff(self, month: Month) -> None:
        sent_day = self._business_day(month.last_day + timedelta(days=3))
        sent_at = timezone.make_aware(datetime.combine(sent_day, time(9, 15)))

        def send():
            try:
                result = billing_services.handoff_send(
                    month=month, user=self.coordinator
                )
            except ValidationError:
                logger.info("Demo: nothing to hand over for %s", month.slug)
                return
            self._queue_invoices(result.handoff, sent_at)

        self.at(sent_at, send)

    def _queue_invoices(self, handoff: Handoff, sent_at: datetime) -> None:
        by_customer: dict[int, list[ServiceOrder]] = {}
        for order in handoff.service_orders.order_by("executed_on", "code"):
            by_customer.setdefault(order.customer_id, []).append(order)
        recorded_at = sent_at
        for orders in by_customer.values():
            recorded_at = self._later(recorded_at, hours=(2, 20))
            if self.rng.random() < NOT_INVOICED_SHARE:
                continue

            def record(orders=orders):
                number = f"FE-{self.next_invoice}"
                self.next_invoice += 1
                for order in orders:
                    billing_services.invoice_record(
                        order=order,
                        number=number,
                        invoice_date=timezone.localdate(),
                        user=self.billing,
                    )

            self.at(recorded_at, record)
        self.at(self._later(recorded_at, days=2), self._certify)

    # Certificates

    def _certify(self, *, sign: bool = True) -> None:
        """Draft certificates for up to two customers with invoiced services not
        certified yet, over the latest month that has them. The director signs
        them, up to MAX_SIGNED in all. With `sign` False, draft one certificate
        and leave it unsigned."""
        if not DirectorSignature.objects.filter(user=self.director).exists():
            certificate_services.signature_save(
                user=self.director,
                image=_upload(
                    "firma.png", signature_png(self.director.get_full_name())
                ),
                title="Directora Comercial",
            )
        today = timezone.localdate()
        invoiced = (
            ServiceOrder.objects.exclude(invoice_number="")
            .filter(certificate_lines__isnull=True)
            .select_related("customer")
        )
        latest = invoiced.order_by("-executed_on").first()
        if latest is None:
            return
        period = Month.of(latest.executed_on)
        invoiced = invoiced.executed_in(period.first_day, period.last_day).order_by(
            "invoice_date", "code"
        )
        customers = list(dict.fromkeys(order.customer for order in invoiced))
        count = min(2, MAX_SIGNED - self.signed) if sign else 1
        for customer in customers[:count]:
            orders = list(
                certificate_services.billed_orders(
                    customer, period.first_day, period.last_day
                ).filter(certificate_lines__isnull=True)
            )
            certificate = certificate_services.certificate_draft(
                customer=customer,
                user=customer.advisor or self.coordinator,
                data=certificate_services.DraftData(
                    request_channel=Certificate.RequestChannel.EMAIL,
                    request_reference=f"Correo del {today:%d/%m/%Y}",
                    requested_on=today,
                    period_start=period.first_day,
                    period_end=period.last_day,
                    orders=orders,
                    waste_type=waste_type_of(orders),
                    destination_site=DESTINATION_SITE,
                    destination_authorization=DESTINATION_AUTHORIZATION,
                    notes="Certificado de demostración con datos ficticios.",
                ),
            )
            if sign:
                certificate_services.certificate_sign(
                    certificate=certificate, user=self.director
                )
                self.signed += 1

    # People and dates

    def _crew(self) -> list[CrewInput]:
        members = []
        for role in self.rng.sample(CREW_ROLES, 3):
            names = self.rng.choice(
                [data.FIRST_NAMES_MEN, data.FIRST_NAMES_MEN, data.FIRST_NAMES_WOMEN]
            )
            name = f"{self.rng.choice(names)} {' '.join(self.rng.sample(data.SURNAMES, 2))}"
            while True:
                cedula = self.rng.choice(
                    [
                        f"{self.rng.randint(5_800_000, 93_500_000)}",
                        f"10{self.rng.randint(0, 99_999_999):08d}",
                    ]
                )
                if cedula not in self.used_cedulas:
                    self.used_cedulas.add(cedula)
                    break
            members.append(CrewInput(name, cedula, role))
        return members

    def _later(self, moment: datetime, *, hours=None, days: int = 0) -> datetime:
        """Return a working moment `days` days, plus a random number of `hours`,
        after `moment`."""
        later = moment + timedelta(days=days)
        if hours is not None:
            later += timedelta(hours=self.rng.randint(*hours))
        local = timezone.localtime(later)
        if local.hour >= 17 or local.hour < 8:
            day = local.date() + timedelta(days=1 if local.hour >= 17 else 0)
            return self._working_moment(day, earliest=later)
        if local.weekday() >= 5:
            return self._working_moment(local.date(), earliest=later)
        return later

    def _working_moment(self, day: date, *, earliest=None) -> datetime:
        """Pick a moment between 08:00 and 16:45 on the first weekday from `day`,
        and not before `earliest`."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        moment = time(self.rng.randint(8, 16), self.rng.choice([0, 15, 30, 45]))
        result = timezone.make_aware(datetime.combine(day, moment))
        if earliest is not None and result < earliest:
            result = earliest + timedelta(minutes=15)
        return result

    def _business_day(self, day: date) -> date:
        while not is_business_day(day):
            day += timedelta(days=1)
        return day


def kind_label(kind: str) -> str:
    return str(ServiceProof.Kind(kind).label)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@cache
def _demo_image(title: str) -> Image.Image:
    image = Image.new("RGB", (640, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([8, 8, 631, 291], outline=(180, 30, 30), width=4)
    draw.text((30, 40), DEMO_LABEL, fill=(180, 30, 30), font=_font(24))
    draw.text((30, 110), title, fill="black", font=_font(22))
    draw.text(
        (30, 200),
        f"{settings.COMPANY_NAME} · datos inventados, sin valor legal",
        fill=(90, 90, 90),
        font=_font(16),
    )
    return image


@cache
def _font(size: int):
    return ImageFont.load_default(size=size)


@cache
def demo_pdf(title: str) -> bytes:
    """Draw a one-page PDF marked as a fictional demo document."""
    buffer = io.BytesIO()
    _demo_image(title).save(buffer, format="PDF", resolution=72)
    return buffer.getvalue()


@cache
def demo_png(title: str) -> bytes:
    """Draw a small PNG image marked as a fictional demo document."""
    buffer = io.BytesIO()
    _demo_image(title).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def signature_png(name: str) -> bytes:
    """Draw a handwriting-like scribble over the signer's name, as a PNG."""
    image = Image.new("RGB", (420, 160), "white")
    draw = ImageDraw.Draw(image)
    points = [(20 + x * 12, 70 + ((x * 37) % 23) - 11) for x in range(30)]
    draw.line(points, fill=(20, 40, 120), width=3)
    draw.line([(30, 110), (390, 104)], fill=(20, 40, 120), width=2)
    draw.text(
        (30, 118), f"{name} (firma de demostración)", fill="black", font=_font(14)
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
