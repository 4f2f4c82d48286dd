"""Demo sales data: the approved tariff book, quote requests from every channel,
quotations in every state with their follow-ups over the last eight weeks, and this
week's telemarketing contacts and visits.

Everything goes through the real services, each step run with the clock set to the
moment it happens in the story, so quotation codes follow the issue dates without
gaps and every issued quotation has its stored PDF. The same seed tells the same
story, dated back from the day it is loaded.

Loading the whole demo, with the after-sales story of demo/after_sales.py, took
about 12 s of CPU time (`time manage.py load_demo` on a fresh SQLite database, two
cores, user time), most of it rendering the 52 quotation PDFs; wall time is longer
on a busy machine.
"""

import logging
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from core.imports import run_import
from core.text import fold
from customers.models import Customer, DataConsent
from customers.services import consent_record
from demo import data
from demo.history import history_author
from demo.services import DEFAULT_SEED, DemoRefusedError
from quotations import services as quotation_services
from quotations.models import Quotation
from quote_requests.models import QuoteRequest
from quote_requests.services import (
    quote_request_create,
    quote_request_discard,
    quote_request_register_customer,
    quote_request_start,
)
from tariffs.importer import TariffImporter
from tariffs.models import TariffItem, TariffVersion, Unit
from tariffs.services import tariff_version_approve
from telemarketing.models import Channel, ContactLog
from telemarketing.rules import consented_channels
from telemarketing.services import ContactNotAllowed, contact_log
from visits.models import Visit
from visits.services import visit_record_result, visit_request_quote, visit_schedule
from zones.models import Municipality

logger = logging.getLogger(__name__)

TARIFF_SHEET = Path(__file__).parent / "data" / "tarifas_servicios_especiales.xlsx"
TARIFF_VERSION_NAME = "Tarifas aprobadas 2026 (demostración)"
# How far back the quotations go; accepted ones go further, so that the after-sales
# story (demo/after_sales.py) has three months of served customers to tell.
STORY_DAYS = 56
ACCEPTED_DAYS = 92

Status = Quotation.Status
# How many quotations end in each state, and the range of their age in days when
# issued (or created, for drafts). Expired ones are issued more than the default
# 30 days of validity ago; open ones less.
QUOTATION_PLAN = [
    (Status.DRAFT, 4, (1, 4)),
    (Status.ISSUED, 5, (1, 10)),
    (Status.SENT, 9, (2, 28)),
    (Status.ACCEPTED, 24, (4, ACCEPTED_DAYS)),
    (Status.REJECTED, 6, (4, STORY_DAYS)),
    (Status.EXPIRED, 5, (36, STORY_DAYS)),
    (Status.ANNULLED, 3, (2, 50)),
]
# Days before the load within which the after-sales story looks for the
# acceptance of the first-time customer who prepays against an aforo.
PREPAID_ACCEPTED_DAYS = (30, 75)
# A quotation is accepted 3 to 11 days after its issue (_follow_ups), so one
# issued within these days is accepted within PREPAID_ACCEPTED_DAYS.
PREPAID_ISSUED_DAYS = (45, 75)
# Requests still open or discarded, besides the ones that led to a quotation.
OPEN_REQUEST_PLAN = [
    (QuoteRequest.Status.NEW, 6, (0, 3)),
    (QuoteRequest.Status.IN_PROGRESS, 5, (1, 9)),
    (QuoteRequest.Status.DISCARDED, 4, (6, 40)),
]
REQUEST_CHANNELS = [
    QuoteRequest.Channel.PHONE,
    QuoteRequest.Channel.WHATSAPP,
    QuoteRequest.Channel.EMAIL,
    QuoteRequest.Channel.WEB,
]
CONTACTS_PER_ADVISOR_DAY = 3

QUANTITIES = {
    Unit.CUBIC_METRE: ["2", "3", "4", "6", "8", "12"],
    Unit.TRIP: ["1", "2", "3"],
    Unit.TONNE: ["1", "1.5", "2", "4"],
    Unit.HOUR: ["2", "4", "6", "8"],
    Unit.TREE: ["1", "2", "3", "5"],
    Unit.SQUARE_METRE: ["80", "150", "240", "600"],
    Unit.DAY: ["1", "2", "3"],
    Unit.MONTH: ["1", "3", "6"],
}
DISCARD_REASONS = [
    "El cliente ya contrató el servicio con otra empresa.",
    "Solicitud duplicada: el cliente escribió también por WhatsApp.",
    "El servicio pedido es de recolección ordinaria, no especial.",
    "No fue posible contactar al solicitante después de tres intentos.",
]
REJECTION_REASONS = [
    "Precio por encima del presupuesto del cliente.",
    "El cliente aplazó la obra para el próximo año.",
    "Otra empresa ofreció recoger los escombros el mismo día.",
    "El cliente prefirió hacer la poda con su propio personal.",
]
COMPETITORS = [
    "SERVIASEO ALTO MAGDALENA S.A.S. E.S.P.",
    "Ecoservicios del Tolima S.A.S.",
    "Volquetas y Escombros La 40",
    "",
]
ANNULMENT_REASONS = [
    "Se emitió con la cantidad de m³ equivocada; se prepara una nueva.",
    "El cliente pidió cotizar a nombre de otra razón social.",
]
FOLLOW_UP_NOTES = [
    "Se confirmó que recibió la cotización; la revisa con la administración.",
    "Pide que lo llamen después del comité de compras.",
    "Está comparando con otra propuesta; se le explicó el certificado de "
    "disposición final.",
    "No contestó; se dejó mensaje por WhatsApp.",
]
NEXT_ACTIONS = [
    "Llamar para conocer la decisión",
    "Enviar fotos de servicios similares",
    "Confirmar fecha de ejecución",
]
ACCEPTANCE_TEXTS = [
    "Buenas tardes, aprobamos la cotización %(code)s. Quedamos atentos a la "
    "programación del servicio.",
    "Aceptamos la cotización %(code)s; por favor coordinen la fecha con la "
    "administración.",
]
CONTACT_NOTES = {
    ContactLog.Outcome.INTERESTED: "Le interesa la poda antes de la temporada de "
    "lluvias.",
    ContactLog.Outcome.NOT_INTERESTED: "Ya tiene quien le preste el servicio.",
    ContactLog.Outcome.NO_ANSWER: "Timbra y no contesta.",
    ContactLog.Outcome.CALL_BACK: "Pide que lo llamen la otra semana.",
    ContactLog.Outcome.REQUESTS_QUOTE: "Pide cotización de retiro de escombros.",
}
VISIT_PURPOSES = [
    "Medir el volumen de escombros de la remodelación.",
    "Revisar los árboles que requieren poda en las zonas comunes.",
    "Evaluar el lavado de tanques y zonas duras.",
]


@dataclass(frozen=True)
class SalesResult:
    tariff_items: int
    quote_requests: int
    quotations: dict[str, int]
    contacts: int
    visits: int


@dataclass
class PlannedQuotation:
    status: str
    issued_at: datetime
    customer: Customer
    lines: list[tuple[TariffItem, Decimal]] = field(default_factory=list)


def demo_sales_load(*, seed: int = DEFAULT_SEED) -> SalesResult | None:
    """Load the tariff book and, when the database has no sales records yet, the
    sales story for the demo customers; return what was created, or None when the
    sales records were already there."""
    if settings.IS_PRODUCTION:
        raise DemoRefusedError(
            "No se cargan datos de demostración en producción (DJANGO_ENV=production)."
        )
    users = {user.username: user for user in User.objects.all()}
    director = users["director"]
    today = timezone.localdate()

    with transaction.atomic(), history_author(director):
        items = _load_tariffs(director)
        if Quotation.objects.exists() or QuoteRequest.objects.exists():
            logger.info("Demo sales data skipped: quotations or requests exist")
            return None
        story = SalesStory(random.Random(seed), users, today)
        story.tell()
        # Open quotations issued more than their validity ago expire as they would
        # overnight; this runs on the real clock.
        quotation_services.quotations_expire(today=today)

    counts = dict(Quotation.objects.values_list("status").annotate(count=Count("pk")))
    logger.info("Demo sales data loaded: %s quotations", sum(counts.values()))
    return SalesResult(
        tariff_items=items,
        quote_requests=QuoteRequest.objects.count(),
        quotations=counts,
        contacts=ContactLog.objects.count(),
        visits=Visit.objects.count(),
    )


def _load_tariffs(director: User) -> int:
    """Import the sample tariff sheet and approve it as the director, unless an
    approved version is already in force."""
    approved = TariffItem.objects.approved()
    if approved.exists():
        return approved.count()
    importer = TariffImporter(user=director, version_name=TARIFF_VERSION_NAME)
    report = run_import(importer, TARIFF_SHEET)
    if not report.committed or importer.version is None:
        raise ValidationError(
            "El tarifario de demostración %(file)s no se pudo importar: %(errors)s",
            params={"file": TARIFF_SHEET.name, "errors": report.errors[:3]},
        )
    tariff_version_approve(version=importer.version, user=director)
    return TariffVersion.objects.get(pk=importer.version.pk).items.count()


@contextmanager
def _clock(at: datetime):
    """Run the block as if it were `at`: the services stamp issue dates, history,
    outbox messages and default dates with `timezone.now()`."""
    with mock.patch.object(timezone, "now", return_value=at):
        yield


class SalesStory:
    """Plays the last weeks of the sales team, one dated event at a time, drawing
    every choice from one seeded random generator."""

    def __init__(self, rng: random.Random, users: dict[str, User], today: date):
        self.rng = rng
        self.users = users
        self.today = today
        self.now = timezone.now()
        self.coordinator = users["coordinadora"]
        self.supervisor = users["operaciones"]
        self.advisors = [
            users[name] for name, role, *_names in data.STAFF if role == Role.ADVISOR
        ]
        customers = (
            Customer.objects.filter(advisor__isnull=False)
            .exclude(email="")
            .select_related("advisor", "municipality", "zone")
            .prefetch_related("consents")
            .order_by("pk")
        )
        self.customers = list(customers)
        first_day = today - timedelta(days=ACCEPTED_DAYS)
        self.items = list(TariffItem.objects.in_force(on=first_day).order_by("code"))
        self.requester_numbers: set[str] = set()

    def tell(self) -> None:
        planned = self._plan_quotations()
        for plan in sorted(planned, key=lambda plan: plan.issued_at):
            self._play_quotation(plan)
        self._open_requests()
        self._telemarketing_week()
        self._visits_week()

    # Quotations

    def _plan_quotations(self) -> list[PlannedQuotation]:
        planned = []
        # Each quotation goes to another customer while there are enough of them.
        customers = self.rng.sample(self.customers, len(self.customers))
        for status, count, (youngest, oldest) in QUOTATION_PLAN:
            for _index in range(count):
                age = self.rng.randint(youngest, oldest)
                plan = PlannedQuotation(
                    status=status,
                    issued_at=self._working_moment(self.today - timedelta(days=age)),
                    customer=customers[len(planned) % len(customers)],
                )
                for item in self.rng.sample(self.items, self.rng.choice([1, 1, 2, 3])):
                    quantities = QUANTITIES.get(item.unit, ["1", "2"])
                    plan.lines.append((item, Decimal(self.rng.choice(quantities))))
                planned.append(plan)
        self._add_weighed_line(planned)
        self._add_measured_line(planned)
        return planned

    def _add_weighed_line(self, planned: list[PlannedQuotation]) -> None:
        # The oldest accepted quotation gets a service charged by the tonne unless
        # one already has it, so the after-sales story shows weigh tickets.
        weighed = [item for item in self.items if item.unit == Unit.TONNE]
        accepted = [plan for plan in planned if plan.status == Status.ACCEPTED]
        if not weighed or not accepted:
            return
        if any(item.unit == Unit.TONNE for plan in accepted for item, _ in plan.lines):
            return
        oldest = min(accepted, key=lambda plan: plan.issued_at)
        oldest.lines.append((weighed[0], Decimal(QUANTITIES[Unit.TONNE][0])))

    def _add_measured_line(self, planned: list[PlannedQuotation]) -> None:
        # The after-sales story prepays one first-time customer's service against
        # an aforo, which measures m³ and charges a line of the order. The
        # oldest accepted quotation of a first-time customer issued within
        # PREPAID_ISSUED_DAYS gets a service charged by the m³ unless one
        # there already has it.
        measured = [item for item in self.items if item.unit == Unit.CUBIC_METRE]
        youngest, oldest = PREPAID_ISSUED_DAYS
        candidates = [
            plan
            for plan in planned
            if plan.status == Status.ACCEPTED
            and plan.customer.customer_type == Customer.CustomerType.NEW
            and not plan.customer.in_catastro
            and youngest <= (self.today - plan.issued_at.date()).days <= oldest
        ]
        if not measured or not candidates:
            return
        if any(
            item.unit == Unit.CUBIC_METRE
            for plan in candidates
            for item, _quantity in plan.lines
        ):
            return
        first = min(candidates, key=lambda plan: plan.issued_at)
        first.lines.append((measured[0], Decimal(QUANTITIES[Unit.CUBIC_METRE][0])))

    def _play_quotation(self, plan: PlannedQuotation) -> None:
        customer = plan.customer
        advisor = customer.advisor
        drafted_at = plan.issued_at - timedelta(hours=self.rng.randint(1, 3))

        quote_request = None
        if self.rng.random() < 0.6:
            received_at = drafted_at - timedelta(days=self.rng.randint(0, 3), hours=2)
            quote_request = self._request_from_customer(customer, received_at, plan)
        with _clock(drafted_at):
            quotation = quotation_services.quotation_create(
                customer=customer,
                advisor=advisor,
                user=advisor,
                quote_request=quote_request,
            )
            below_tariff = plan.status == Status.DRAFT and self.rng.random() < 0.5
            for item, quantity in plan.lines:
                price, reason = None, ""
                if below_tariff:
                    price = (item.unit_price * Decimal("0.9")).quantize(Decimal("1"))
                    reason = "Cliente frecuente: se ofrece 10 % de descuento."
                quotation_services.quotation_line_add(
                    quotation=quotation,
                    tariff_item=item,
                    quantity=quantity,
                    unit_price=price,
                    price_reason=reason,
                )
            if below_tariff:
                quotation_services.quotation_submit_for_approval(
                    quotation=quotation, user=advisor
                )
        if plan.status == Status.DRAFT:
            return

        with _clock(plan.issued_at):
            quotation = quotation_services.quotation_issue(
                quotation=quotation, user=advisor
            )
        if plan.status == Status.ANNULLED:
            with _clock(plan.issued_at + timedelta(hours=2)):
                quotation_services.quotation_annul(
                    quotation=quotation,
                    user=advisor,
                    reason=self.rng.choice(ANNULMENT_REASONS),
                )
            return
        if plan.status == Status.ISSUED:
            return

        with _clock(plan.issued_at + timedelta(minutes=30)):
            quotation_services.quotation_send_email(
                quotation=quotation, user=advisor, to=[customer.email]
            )
        answered_on = self._follow_ups(quotation, plan)
        if plan.status == Status.ACCEPTED:
            self._accept(quotation, answered_on)
        elif plan.status == Status.REJECTED:
            with _clock(self._working_moment(answered_on)):
                quotation_services.quotation_reject(
                    quotation=quotation,
                    user=advisor,
                    reason=self.rng.choice(REJECTION_REASONS),
                    competitor=self.rng.choice(COMPETITORS),
                )

    def _follow_ups(self, quotation: Quotation, plan: PlannedQuotation) -> date:
        """Log one or two follow-ups after the issue date and return the day of the
        customer's answer (for the quotations that get one)."""
        issued_on = plan.issued_at.date()
        last_day = min(self.today - timedelta(days=1), issued_on + timedelta(days=20))
        day = issued_on
        for _index in range(self.rng.choice([1, 1, 2])):
            day = min(day + timedelta(days=self.rng.randint(2, 5)), last_day)
            if day <= issued_on:
                break
            next_on = day + timedelta(days=self.rng.randint(2, 6))
            with _clock(self._working_moment(day)):
                quotation_services.follow_up_add(
                    quotation=quotation,
                    user=quotation.advisor,
                    note=self.rng.choice(FOLLOW_UP_NOTES),
                    contacted_on=day,
                    channel=self.rng.choice(
                        [Quotation.Channel.CALL, Quotation.Channel.WHATSAPP]
                    ),
                    next_action=self.rng.choice(NEXT_ACTIONS),
                    next_action_on=next_on,
                )
        return min(day + timedelta(days=1), self.today - timedelta(days=1))

    def _accept(self, quotation: Quotation, answered_on: date) -> None:
        at = self._working_moment(answered_on)
        accepted_on = max(at.date(), timezone.localdate(quotation.issued_at))
        channel = self.rng.choice([Quotation.Channel.EMAIL, Quotation.Channel.WHATSAPP])
        with _clock(at):
            quotation_services.quotation_accept(
                quotation=quotation,
                user=quotation.advisor,
                channel=channel,
                accepted_on=accepted_on,
                email_text=self.rng.choice(ACCEPTANCE_TEXTS) % {"code": quotation.code},
            )

    # Quote requests

    def _request_from_customer(
        self, customer: Customer, received_at: datetime, plan: PlannedQuotation
    ) -> QuoteRequest:
        item = plan.lines[0][0]
        channel = self.rng.choice(REQUEST_CHANNELS)
        web = channel == QuoteRequest.Channel.WEB
        with _clock(received_at):
            return quote_request_create(
                channel=channel,
                service=item.service,
                tariff_code=item.code,
                description=self.rng.choice(VISIT_PURPOSES),
                customer=customer,
                contact_name=customer.name,
                contact_phone=customer.mobile,
                contact_email=customer.email,
                address=customer.address,
                barrio=customer.barrio,
                municipality=customer.municipality,
                created_by=None if web else customer.advisor,
                data_consent=web,
                data_consent_text=data.CONSENT_PURPOSES[0] if web else "",
                send_confirmation=web,
                received_at=received_at,
            )

    def _open_requests(self) -> None:
        """Requests not quoted yet: half from customers, half from people who wrote
        through the web page and are not customers yet."""
        for status, count, (youngest, oldest) in OPEN_REQUEST_PLAN:
            for index in range(count):
                received_at = self._working_moment(
                    self.today - timedelta(days=self.rng.randint(youngest, oldest))
                )
                if index % 2:
                    item = self.rng.choice(self.items)
                    plan = PlannedQuotation(status, received_at, self._customer())
                    plan.lines.append((item, Decimal("1")))
                    quote_request = self._request_from_customer(
                        plan.customer, received_at, plan
                    )
                else:
                    quote_request = self._web_request(received_at)
                self._move_request(quote_request, status, received_at)

    def _web_request(self, received_at: datetime) -> QuoteRequest:
        rng = self.rng
        names = rng.choice([data.FIRST_NAMES_WOMEN, data.FIRST_NAMES_MEN])
        name = f"{rng.choice(names)} {' '.join(rng.sample(data.SURNAMES, 2))}"
        municipality = Municipality.objects.get(
            dane_code=rng.choice([data.MELGAR, data.GIRARDOT, data.FLANDES])
        )
        item = rng.choice(self.items)
        mobile = f"{rng.choice(data.MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
        with _clock(received_at):
            return quote_request_create(
                channel=QuoteRequest.Channel.WEB,
                service=item.service,
                tariff_code=item.code,
                description=rng.choice(VISIT_PURPOSES),
                requester_name=name,
                requester_id_number=self._new_cedula(),
                contact_name=name,
                contact_phone=mobile,
                contact_email=f"{fold(name.split()[0])}{rng.randint(10, 99)}"
                f"@{rng.choice(data.EMAIL_DOMAINS)}",
                address=f"Calle {rng.randint(1, 30)} # {rng.randint(1, 40)}-"
                f"{rng.randint(2, 90):02d}",
                barrio=rng.choice(data.BARRIOS[municipality.dane_code]),
                municipality=municipality,
                data_consent=True,
                data_consent_text=data.CONSENT_PURPOSES[0],
                received_at=received_at,
            )

    def _move_request(self, quote_request, status, received_at: datetime) -> None:
        user = quote_request.advisor or self.coordinator
        if status == QuoteRequest.Status.NEW:
            return
        with _clock(received_at + timedelta(hours=self.rng.randint(1, 5))):
            if status == QuoteRequest.Status.DISCARDED:
                quote_request_discard(
                    quote_request=quote_request,
                    user=user,
                    reason=self.rng.choice(DISCARD_REASONS),
                )
                return
            quote_request_start(quote_request=quote_request, user=user)
            if not quote_request.customer_id:
                # The advisor registers the web requester before quoting.
                quote_request_register_customer(quote_request=quote_request, user=user)

    def _new_cedula(self) -> str:
        taken = set(Customer.objects.values_list("id_number", flat=True))
        while True:
            number = f"10{self.rng.randint(0, 99_999_999):08d}"
            if number not in taken and number not in self.requester_numbers:
                self.requester_numbers.add(number)
                return number

    def _customer(self) -> Customer:
        return self.rng.choice(self.customers)

    # This week

    def _telemarketing_week(self) -> None:
        """Outbound contacts of each advisor on the working days of this week so
        far; a contact the contact rules forbid is simply not made."""
        for day in self._days_this_week():
            for advisor in self.advisors:
                portfolio = [c for c in self.customers if c.advisor_id == advisor.pk]
                count = min(CONTACTS_PER_ADVISOR_DAY, len(portfolio))
                for customer in self.rng.sample(portfolio, count):
                    at = self._working_moment(day)
                    if at > self.now:
                        continue
                    self._contact(customer, advisor, at)

    def _contact(self, customer: Customer, advisor: User, at: datetime) -> None:
        channels = sorted(
            consented_channels(customer, at.date())
            & {Channel.CALL, Channel.WHATSAPP, Channel.EMAIL}
        )
        if not channels:
            return
        outcome = self.rng.choice(list(CONTACT_NOTES))
        next_action, next_on = "", None
        if outcome in (ContactLog.Outcome.CALL_BACK, ContactLog.Outcome.INTERESTED):
            next_action = "Volver a llamar"
            next_on = at.date() + timedelta(days=self.rng.randint(1, 6))
        try:
            with _clock(at):
                contact_log(
                    customer=customer,
                    user=advisor,
                    channel=self.rng.choice(channels),
                    outcome=outcome,
                    notes=CONTACT_NOTES[outcome],
                    next_action=next_action,
                    next_action_on=next_on,
                    at=at,
                )
        except ContactNotAllowed:
            # Opted out, or already contacted that day: the advisor moves on.
            pass

    def _visits_week(self) -> None:
        """Two visits per advisor: one already made this week, with its result (one
        of them ends in a quote request), and one scheduled for the coming days."""
        past_days = self._days_this_week()
        coming_days = [
            self.today + timedelta(days=offset)
            for offset in range(1, 5)
            if (self.today + timedelta(days=offset)).weekday() != 6
        ]
        for advisor in self.advisors:
            portfolio = [c for c in self.customers if c.advisor_id == advisor.pk]
            visited = self.rng.sample(portfolio, min(2, len(portfolio)))
            for customer, days in zip(visited, [past_days, coming_days], strict=False):
                hour = time(self.rng.choice([9, 10, 11]))
                starts_at = timezone.make_aware(
                    datetime.combine(self.rng.choice(days), hour)
                )
                self._visit(customer, advisor, starts_at)

    def _visit(self, customer: Customer, advisor: User, starts_at: datetime) -> None:
        # Fresh from the database: the visit rules read the consent recorded here.
        customer = Customer.objects.get(pk=customer.pk)
        agreed_at = min(starts_at - timedelta(days=2), self.now)
        with _clock(agreed_at):
            # The customer agreed to the visit on the phone; the call is recorded.
            consent_record(
                customer=customer,
                fields={
                    "channel": DataConsent.Channel.VISIT,
                    "method": DataConsent.Method.RECORDED_CALL,
                    "granted_on": timezone.localdate(agreed_at),
                    "purposes": data.CONSENT_PURPOSES[0],
                    "policy_version": settings.DATA_POLICY_VERSION,
                },
                user=advisor,
            )
            try:
                visit = visit_schedule(
                    customer=customer,
                    advisor=advisor,
                    starts_at=starts_at,
                    duration_minutes=60,
                    purpose=self.rng.choice(VISIT_PURPOSES),
                    user=advisor,
                    supervisor=self.supervisor if self.rng.random() < 0.3 else None,
                )
            except ValidationError:
                return
        finished_at = starts_at + timedelta(hours=1)
        if finished_at > self.now:
            return
        with _clock(finished_at):
            if not QuoteRequest.objects.filter(channel="visita").exists():
                visit_request_quote(
                    visit=visit,
                    service=self.rng.choice(self.items).service,
                    description="Se midió en sitio; el cliente pide cotización.",
                    user=advisor,
                )
            else:
                visit_record_result(
                    visit=visit,
                    outcome=Visit.Outcome.INTERESTED,
                    notes="Se revisó el sitio; enviará las medidas por WhatsApp.",
                    user=advisor,
                )

    # Dates

    def _days_this_week(self) -> list[date]:
        """Monday to Saturday of this week up to today. On a Monday the previous
        week counts too, so there is always some history."""
        monday = self.today - timedelta(days=self.today.weekday())
        start = monday - timedelta(days=7) if self.today == monday else monday
        end = self.today
        days = []
        day = start
        while day <= end:
            if day.weekday() < 6:
                days.append(day)
            day += timedelta(days=1)
        return days

    def _working_moment(self, day: date) -> datetime:
        """Pick a moment between 08:00 and 16:45 on `day`, moved back to Friday
        when `day` falls on a weekend."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        moment = time(self.rng.randint(8, 16), self.rng.choice([0, 10, 20, 30, 45]))
        return timezone.make_aware(datetime.combine(day, moment))
