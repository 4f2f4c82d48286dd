"""Demo data: a fictional aseo company in Tolima with staff in every role, three
zones and a few hundred invented customers assigned fairly to the advisors.

The same seed always produces the same customers, so screenshots, manuals and bug
reports made on demo data can be reproduced.
"""

import logging
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from accounts.roles import Role
from core.text import fold
from customers.identification import IdType, compute_check_digit
from customers.models import Contact, Customer, DataConsent
from customers.phones import normalise_phone
from demo import data
from demo.history import history_author
from zones import services as zone_services
from zones.models import Municipality, Zone

logger = logging.getLogger(__name__)

DEFAULT_SEED = 2026
DEFAULT_CUSTOMER_COUNT = 300
DEMO_NOTE = (
    "Cliente ficticio de demostración: nombre, identificación, dirección, teléfonos "
    "y correo son inventados."
)
# Demo dates are counted back from this day (or today, if earlier) so that a given
# seed yields the same customers on any day.
REFERENCE_DATE = date(2026, 11, 30)


class DemoRefusedError(Exception):
    """Demo data must never be loaded into a production database."""


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: str
    full_name: str


@dataclass(frozen=True)
class DemoResult:
    staff: list[DemoStaff]
    customers_created: int
    zone_counts: dict[str, int]
    unassigned_count: int


def demo_load(
    *, seed: int = DEFAULT_SEED, customer_count: int = DEFAULT_CUSTOMER_COUNT
) -> DemoResult:
    """Create the demo staff, zones and customers, then assign each zone fairly.

    Users and zones that already exist are updated, and customers whose
    identification already exists are skipped, so running it twice adds nothing.
    Raises DemoRefusedError on a production configuration.
    """
    if settings.IS_PRODUCTION:
        raise DemoRefusedError(
            "No se cargan datos de demostración en producción (DJANGO_ENV=production)."
        )
    generator = CustomerGenerator(random.Random(seed))

    with transaction.atomic():
        users = _load_staff()
        with history_author(users["director"]):
            zones = _load_zones(users)
            created = _load_customers(
                generator, zones, customer_count, users["director"]
            )

    with history_author(users["director"]):
        for zone in zones.values():
            _assign_zone(zone, users["director"])

    logger.info("Demo data loaded: %s customers created", created)
    return DemoResult(
        staff=[
            DemoStaff(username, Role(role).label, f"{first} {last}")
            for username, role, first, last in data.STAFF
        ],
        customers_created=created,
        zone_counts={
            zone.name: Customer.objects.filter(zone=zone).count()
            for zone in zones.values()
        },
        unassigned_count=Customer.objects.filter(advisor__isnull=True).count(),
    )


def _load_staff() -> dict[str, User]:
    # One hash for all demo users: Django's PBKDF2 is deliberately slow, and these
    # accounts share a password printed on screen anyway.
    password_hash = make_password(data.DEMO_PASSWORD)
    users = {}
    for username, role, first_name, last_name in data.STAFF:
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@aseo-sumapaz.example.com",
                "is_active": True,
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
                "password": password_hash,
            },
        )
        user.groups.add(Group.objects.get(name=role.value))
        users[username] = user
    return users


def _load_zones(users: dict[str, User]) -> dict[str, Zone]:
    zones = {}
    for name, description, dane_codes, advisors, _share in data.ZONES:
        zone, _created = Zone.objects.update_or_create(
            name=name, defaults={"description": description, "is_active": True}
        )
        zone.municipalities.set(Municipality.objects.filter(dane_code__in=dane_codes))
        zone.advisors.set([users[username] for username in advisors])
        zones[name] = zone
    return zones


def _load_customers(generator, zones, count: int, author: User) -> int:
    municipalities = {m.dane_code: m for m in Municipality.objects.all()}
    existing = set(Customer.objects.values_list("id_number", flat=True))
    drafts = []
    for _index in range(count):
        # Drawn whether or not it is kept, so the sequence never depends on the
        # database and a second run skips exactly the customers of the first.
        draft = generator.customer(zones, municipalities)
        if draft.customer.id_number not in existing:
            drafts.append(draft)

    customers = [draft.customer for draft in drafts]
    for customer in customers:
        customer.fill_derived_fields()
    bulk_create_with_history(customers, Customer, default_user=author)

    contacts, consents = [], []
    for draft in drafts:
        for contact in draft.contacts:
            contact.customer = draft.customer
            contacts.append(contact)
        for consent in draft.consents:
            consent.customer = draft.customer
            consent.recorded_by = author
            consents.append(consent)
    bulk_create_with_history(contacts, Contact, default_user=author)
    bulk_create_with_history(consents, DataConsent, default_user=author)
    return len(customers)


def _assign_zone(zone: Zone, director: User) -> None:
    advisors = list(zone.advisors.order_by("username"))
    plan = zone_services.assignment_plan(zone=zone, advisors=advisors)
    if not plan.moves:
        return
    zone_services.assignment_confirm(
        zone=zone, advisors=advisors, user=director, plan_digest=plan.digest
    )


@dataclass
class CustomerDraft:
    customer: Customer
    contacts: list[Contact]
    consents: list[DataConsent]


class CustomerGenerator:
    """Invents customers from the word lists, drawing every choice from one seeded
    random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.reference = min(REFERENCE_DATE, timezone.localdate())
        self.used_numbers: set[str] = set()

    def customer(self, zones, municipalities) -> CustomerDraft:
        zone_name = self._pick_zone()
        zone = zones.get(zone_name)
        dane_codes = self._zone_municipalities(zone_name)
        municipality = municipalities[self.rng.choice(dane_codes)]
        is_person = self.rng.random() < data.NATURAL_PERSON_SHARE

        if is_person:
            customer = self._natural_person()
            mailbox = None
        else:
            customer, mailbox = self._business()
        customer.zone = zone
        customer.municipality = municipality
        self._place(customer, zone_name, municipality)
        self._reach(customer, municipality, mailbox)
        self._commercial_state(customer)
        customer.notes = DEMO_NOTE

        contacts = [] if is_person else self._contacts(customer, municipality)
        return CustomerDraft(customer, contacts, self._consents())

    def _pick_zone(self) -> str | None:
        roll = self.rng.random()
        for name, _description, _codes, _advisors, share in data.ZONES:
            if roll < share:
                return name
            roll -= share
        return None  # not yet zoned: shows up as "sin asesor" for the director

    def _zone_municipalities(self, zone_name: str | None) -> list[str]:
        for name, _description, codes, _advisors, _share in data.ZONES:
            if name == zone_name:
                # The first municipality of each zone is its main town.
                return [codes[0], codes[0], *codes]
        return [data.MELGAR, data.GIRARDOT, data.FLANDES]

    def _person_name(self) -> tuple[str, str]:
        first_names = self.rng.choice([data.FIRST_NAMES_WOMEN, data.FIRST_NAMES_MEN])
        surnames = self.rng.sample(data.SURNAMES, 2)
        return self.rng.choice(first_names), " ".join(surnames)

    def _natural_person(self) -> Customer:
        first, last = self._person_name()
        while True:
            number = self.rng.choice(
                [
                    f"10{self.rng.randint(0, 99_999_999):08d}",
                    f"{self.rng.choice(['14', '28', '65', '93'])}"
                    f"{self.rng.randint(0, 999_999):06d}",
                ]
            )
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                break
        # Shopkeepers and farmers registered in the RUT use their cédula as NIT.
        has_rut = self.rng.random() < 0.3
        return Customer(
            id_type=IdType.NIT if has_rut else IdType.CC,
            id_number=number,
            check_digit=compute_check_digit(number) if has_rut else "",
            person_kind=Customer.PersonKind.NATURAL,
            name=f"{first} {last}",
        )

    def _business(self) -> tuple[Customer, str]:
        weights = [share for _pattern, _mailbox, share in data.BUSINESS_KINDS]
        pattern, mailbox, _share = self.rng.choices(data.BUSINESS_KINDS, weights)[0]
        surname, surname2 = self.rng.sample(data.SURNAMES, 2)
        place = self.rng.choice(data.PLACE_WORDS)
        name = pattern.format(place=place, surname=surname, surname2=surname2)
        while True:
            prefix = self.rng.choice(["900", "900", "901", "901", "800", "830", "890"])
            number = f"{prefix}{self.rng.randint(0, 999_999):06d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                break
        customer = Customer(
            id_type=IdType.NIT,
            id_number=number,
            check_digit=compute_check_digit(number),
            person_kind=Customer.PersonKind.LEGAL,
            name=name,
        )
        if pattern.startswith("Inversiones"):
            # A family holding that trades under a shop name.
            customer.trade_name = f"Supermercado {place}"
        return customer, mailbox

    def _place(self, customer: Customer, zone_name, municipality) -> None:
        rng = self.rng
        if zone_name == "RURAL":
            vereda = rng.choice(data.VEREDAS)
            customer.address = f"Vereda {vereda} Finca {rng.choice(data.PLACE_WORDS)}"
            customer.barrio = f"Vereda {vereda}"
        elif zone_name == "CORREDOR VIAL":
            customer.address = f"Km {rng.randint(1, 24)} {rng.choice(data.ROADS)}"
            customer.barrio = ""
        else:
            street = rng.choice(["Calle", "Cra", "Cll", "Carrera", "Av."])
            letter = rng.choice(["", "", "", "A", "B"])
            customer.address = (
                f"{street} {rng.randint(1, 40)}{letter} # "
                f"{rng.randint(1, 60)}-{rng.randint(2, 99):02d}"
            )
            if rng.random() < 0.15:
                customer.address += f" Local {rng.randint(1, 30)}"
            customer.barrio = rng.choice(data.BARRIOS[municipality.dane_code])

    def _reach(self, customer: Customer, municipality, mailbox: str | None) -> None:
        rng = self.rng
        mobile = f"{rng.choice(data.MOBILE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"
        customer.mobile = normalise_phone(mobile)
        if rng.random() < 0.6:
            # Girardot and its Cundinamarca neighbours dial 601, the rest 608.
            local = "88" if municipality.landline_prefix == "601" else "2"
            digits = 7 - len(local)
            landline = f"{local}{rng.randint(0, 10**digits - 1):0{digits}d}"
            customer.phone = normalise_phone(landline, municipality.landline_prefix)
        if rng.random() < 0.75:
            domain = rng.choice(data.EMAIL_DOMAINS)
            if mailbox is None:
                words = fold(customer.name).split()
                number = rng.randint(10, 99)
                customer.email = f"{words[0]}.{words[-2]}{number}@{domain}"
            else:
                name = customer.name
                for suffix in (" S.A.S.", " Ltda.", " P.H."):
                    name = name.removesuffix(suffix)
                slug = "".join(char for char in fold(name) if char.isalnum())
                customer.email = f"{mailbox}@{slug[:30]}.{domain}"

    def _commercial_state(self, customer: Customer) -> None:
        rng = self.rng
        is_new = rng.random() < 0.45
        customer.customer_type = (
            Customer.CustomerType.NEW if is_new else Customer.CustomerType.EXISTING
        )
        customer.in_catastro = rng.random() < 0.4
        if not is_new:
            customer.last_service_date = self.reference - timedelta(
                days=rng.randint(10, 700)
            )
            thousands = rng.randint(80, 6_000)
            customer.last_service_amount = Decimal(thousands * 1000)

    def _contacts(self, customer: Customer, municipality) -> list[Contact]:
        contacts = []
        for index in range(self.rng.choice([1, 1, 1, 2])):
            first, last = self._person_name()
            mobile = (
                f"{self.rng.choice(data.MOBILE_PREFIXES)}"
                f"{self.rng.randint(0, 9_999_999):07d}"
            )
            email = ""
            if customer.email:
                mailbox = fold(f"{first.split()[0]}.{last.split()[0]}")
                email = f"{mailbox}@{customer.email.split('@')[1]}"
            contacts.append(
                Contact(
                    name=f"{first} {last}",
                    role=self.rng.choice(data.CONTACT_ROLES),
                    mobile=normalise_phone(mobile),
                    email=email,
                    is_primary=index == 0,
                )
            )
        return contacts

    def _consents(self) -> list[DataConsent]:
        rng = self.rng
        if rng.random() > 0.65:
            return []
        channels = rng.sample(
            [
                DataConsent.Channel.CALL,
                DataConsent.Channel.WHATSAPP,
                DataConsent.Channel.EMAIL,
            ],
            rng.choice([1, 1, 2]),
        )
        consents = []
        for channel in channels:
            granted_on = self.reference - timedelta(days=rng.randint(30, 900))
            consent = DataConsent(
                channel=channel,
                method=rng.choice(
                    [
                        DataConsent.Method.FORM,
                        DataConsent.Method.RECORDED_CALL,
                        DataConsent.Method.CONTRACT,
                    ]
                ),
                granted_on=granted_on,
                purposes=rng.choice(data.CONSENT_PURPOSES),
                policy_version=rng.choice(data.POLICY_VERSIONS),
            )
            if rng.random() < 0.08:
                consent.revoked_on = granted_on + timedelta(days=rng.randint(5, 25))
                consent.revocation_note = "Solicitó no recibir más ofrecimientos."
            consents.append(consent)
        return consents
