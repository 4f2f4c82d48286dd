"""Generate a customer file shaped like the sales director's Excel export.

The file has the 14 Spanish headers of the customer database, is encoded in cp1252
with `;` as delimiter and CRLF line ends, and ends with the two empty `;;;` rows
that Excel keeps. About 11 % of the rows carry one kind of mess: a NIT typed another
way, a wrong DV, a customer typed twice, stray spaces, odd phone, e-mail, date or
amount formats, or cells that need quoting. The rates follow the 600-row export in
customers/tests/data/clientes_base_datos.csv. The same seed always gives the same
file.

Every name, number and address is invented; e-mails use example.com/.net/.org.
"""

import csv
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from stdnum.co import nit as stdnum_nit

HEADERS = [
    "NIT/CC",
    "DV",
    "RAZÓN SOCIAL / NOMBRE",
    "TIPO CLIENTE",
    "DIRECCIÓN",
    "BARRIO",
    "MUNICIPIO",
    "TELÉFONO",
    "CELULAR",
    "CORREO",
    "CONTACTO",
    "ZONA",
    "FECHA ÚLTIMO SERVICIO",
    "VALOR ÚLTIMO SERVICIO",
]

# (name, DANE code, landline prefix, rows among the 600 of the sample export)
MUNICIPALITIES = [
    ("Melgar", "73449", "608", 337),
    ("Carmen de Apicalá", "73148", "608", 71),
    ("Girardot", "25307", "601", 50),
    ("Espinal", "73268", "608", 44),
    ("Flandes", "73275", "608", 39),
    ("Cunday", "73226", "608", 18),
    ("Icononzo", "73352", "608", 17),
    ("Villarrica", "73873", "608", 13),
    ("Suárez", "73770", "608", 10),
]
MUNICIPALITY_ABBREVIATED = {"Cunday": "Cunday (Tol.)"}
ZONES = [("URBANA", 66), ("CORREDOR VIAL", 21), ("RURAL", 13)]

GIVEN_NAMES = (
    "José María Juan Luis Carlos Ana Jorge Luz Martha Diego Andrés Sandra Claudia "
    "Jhon Paola Óscar Héctor Iván Julián Ángela Mónica Lorena Nelly Édgar Fabián "
    "Germán Adriana Alexandra Esperanza Leonor Osvaldo Julieth Antonio Milena Nora "
    "Santiago Camila Valentina Sebastián Daniela Alejandro Natalia Mauricio Gloria "
    "Fernando Patricia Ricardo Sofía Harold Yolanda Wilson Liliana Jairo Amparo "
    "Ramiro Verónica Rubén Stiven Marina Elkin Edith Alberto Frank Lady Jesús Inés"
).split()
SURNAMES = (
    "García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres "
    "Díaz Vargas Moreno Gómez Rojas Jiménez Muñoz Castro Ortiz Rubio Suárez Gutiérrez "
    "Marín Zuluaga Quintero Murillo Márquez Ríos Giraldo Bohórquez Pineda Salazar "
    "Chávez Peña Mendoza Gamboa Acosta Álvarez Velásquez Caicedo Cardona Molina "
    "Escobar Correa Restrepo Manrique Domínguez Bravo Villamizar Silva Paz Riascos "
    "Londoño Herrera Figueroa Carvajal Delgado Ávila Rendón Burbano Pinzón Carrillo "
    "Angarita Velandia Jaramillo Hoyos Daza Leal Ortega Garzón Sepúlveda Mora Gil"
).split()
BUSINESS_KINDS = [
    ("Condominio Campestre", "info", True),
    ("Conjunto Residencial", "administracion", True),
    ("Edificio", "administracion", True),
    ("Hotel", "reservas", False),
    ("Ecohotel", "reservas", False),
    ("Apartahotel", "recepcion", False),
    ("Centro Vacacional", "gerencia", False),
    ("Cabañas", "compras", False),
    ("Restaurante", "contabilidad", False),
    ("Asadero", "gerencia", False),
    ("Piqueteadero", "compras", False),
    ("Parrilla", "administracion", False),
    ("Panadería y Cafetería", "contabilidad", False),
    ("Heladería", "gerencia", False),
    ("Droguería", "gerencia", False),
    ("Supermercado", "compras", False),
    ("Lavandería", "compras", False),
    ("Estación de Servicio", "gerencia", False),
    ("Institución Educativa", "contabilidad", False),
    ("Jardín Infantil", "contabilidad", False),
    ("Colegio", "contabilidad", False),
    ("Clínica", "administracion", False),
    ("Laboratorio Clínico", "gerencia", False),
    ("Odontología Especializada", "compras", False),
    ("Centro de Fisioterapia", "gerencia", False),
    ("Avícola", "info", False),
    ("Transportes", "info", False),
    ("Constructora", "contabilidad", False),
    ("Inversiones", "gerencia", False),
]
BUSINESS_NAMES = (
    "El Mirador|La Herradura|Tropical|Los Cámbulos|El Edén|La Tambora|Mi Ranchito|"
    "El Manantial|Santa Lucía|El Fogón|Villa Real|Los Ocobos|Río Sumapaz|La Estación|"
    "El Paraíso|Las Acacias|Sol y Luna|Palmares Real|El Samán|La Cascada|Altos del Valle|"
    "Portal Real|Brisas del Río|El Guadual|La Perla|Los Naranjos|San Miguel|El Oasis|"
    "La Mona|El Buen Gusto|Reserva Tropical|Piedra Grande|Los Ángeles|San Jorge|"
    "El Punto del Sabor|Mirador del Río|Terrazas del Valle|La Colina|El Bosque|"
    "Las Palmas|Los Almendros|El Recreo|La Florida|Villa Olímpica|San José|El Palmar|"
    "Guacamayas|La Ceiba|Los Guayacanes|El Totumo|Las Veraneras|Bella Vista"
).split("|")
LEGAL_SUFFIXES = [("", 60), (" S.A.S.", 25), (" Ltda.", 8), (" P.H.", 5), (" S.A.", 2)]
CONTACT_ROLES = (
    "Gerente|Administración|Jefe de compras|Gestión ambiental|Pagaduría|SST|"
    "Consejo de administración|Portería|Contabilidad"
).split("|")
BARRIOS = (
    "Centro|Los Cámbulos|La Cabaña|Villa Olímpica|El Edén|El Progreso|La Paz|"
    "El Libertador|Las Palmas|Villa Rosa|San Rafael|El Recreo|Kennedy|La Florida|"
    "Las Ferias|Primero de Mayo|El Mirador|Bella Vista|Divino Niño|San Antonio|"
    "Camilo Torres|Las Acacias|Los Naranjos|La Libertad"
).split("|")
VEREDAS = (
    "Santa Bárbara|Cuatro Esquinas|Potrerillo|San Pablo|Guacamayas|Balconcitos|"
    "El Cural|La Colorada|La Mesa|Las Brisas|Tres Esquinas|Pueblo Nuevo|Aguablanca|"
    "El Recreo|Las Mercedes"
).split("|")
STREET_KINDS = [
    "Calle",
    "Cl.",
    "Cll",
    "CL.",
    "Carrera",
    "Cra",
    "Cra.",
    "Kr",
    "Tv",
    "Transversal",
]
NUMBER_SIGNS = ["#", "#", "#", "No", "No.", "N"]
UNITS = ["", "", "", " Local {n}", " Loc. {n}", " Piso {floor}", " Este"]
CORRIDORS = [
    "Melgar - Girardot",
    "Melgar - Bogota",
    "Melgar - Carmen de Apicala",
    "Girardot - Nariño",
    "Flandes - Girardot",
    "Espinal - Guamo",
    "Icononzo - Melgar",
    "Villarrica - Cunday",
    "Carmen de Apicala - Cunday",
]
COMMON_AMOUNTS = [48000, 96000, 232000, 1166200, 1250000, 1404200, 2332400, 2500000]
MOBILE_PREFIXES = [*range(300, 306), *range(310, 325), 350, 351]
COMPANY_NIT_BLOCKS = [800, 830, 860, 890, 900, 900, 900, 901, 901, 901]

# Kinds of mess and their row counts in the 600-row sample export (65 rows, 11 %).
QUIRKS = {
    "nit_format": 13,
    "wrong_dv": 4,
    "duplicate": 6,
    "spaces": 4,
    "upper_name": 4,
    "phone_format": 8,
    "bad_email": 6,
    "empty_cell": 4,
    "date_format": 4,
    "amount_format": 5,
    "customer_type_case": 2,
    "municipality_spelling": 2,
    "needs_quoting": 3,
}
SAMPLE_ROWS = 600
FIRST_SERVICE_DATE = date(2024, 6, 1)
SERVICE_DATE_SPAN_DAYS = 880


@dataclass
class CustomerRecord:
    """One generated customer with clean values, before any mess is applied."""

    id_number: str
    check_digit: str
    is_company: bool
    name: str
    customer_type: str
    address: str
    barrio: str
    municipality: str
    dane_code: str
    phone: str
    mobile: str
    email: str
    contact: str
    zone: str
    last_service_date: date | None
    last_service_amount: int | None


class CustomerGenerator:
    """Deterministic source of customer records and of the rows of the file."""

    def __init__(self, seed: int = 2026):
        self.random = random.Random(seed)
        self.used_numbers: set[str] = set()
        self.written: list[CustomerRecord] = []
        # Rows given each kind of mess so far.
        self.quirk_counts: Counter[str] = Counter()

    def records(self, count: int) -> Iterator[CustomerRecord]:
        for _ in range(count):
            yield self.record()

    def record(self) -> CustomerRecord:
        pick = self.random
        municipality, dane_code, landline_prefix = self._municipality()
        zone = self._weighted(ZONES)
        is_company = pick.random() < 0.68
        if is_company:
            name, mailbox, slug = self._business_name()
            id_number = self._unique_number(self._company_nit)
            check_digit = stdnum_nit.calc_check_digit(id_number)
            email = f"{mailbox}@{slug}.example.com"
            contact = self._contact()
        else:
            given, surname = self._person_name()
            name = given + " " + surname
            id_number = self._unique_number(self._cedula)
            # Some persons give the DV of their RUT, which is computed the same way.
            check_digit = (
                stdnum_nit.calc_check_digit(id_number) if pick.random() < 0.1 else ""
            )
            first = given.split()[0]
            last = surname.split()[0]
            email = (
                f"{_ascii(first)}.{_ascii(last)}{pick.randint(1, 99)}"
                f"@example.{pick.choice(['com', 'net', 'org'])}"
            ).lower()
            contact = name if pick.random() < 0.15 else ""

        return CustomerRecord(
            id_number=id_number,
            check_digit=check_digit,
            is_company=is_company,
            name=name,
            customer_type="ANTIGUO" if pick.random() < 0.77 else "NUEVO",
            address=self._address(zone, municipality),
            barrio=self._barrio(zone),
            municipality=municipality,
            dane_code=dane_code,
            phone=(
                f"{landline_prefix}{pick.randint(2, 8)}{pick.randint(0, 999999):06d}"
                if pick.random() < 0.49
                else ""
            ),
            mobile=(
                f"{pick.choice(MOBILE_PREFIXES)}{pick.randint(0, 9999999):07d}"
                if pick.random() < 0.96
                else ""
            ),
            email=email if pick.random() < 0.905 else "",
            contact=contact,
            zone=zone,
            last_service_date=FIRST_SERVICE_DATE
            + timedelta(days=pick.randrange(SERVICE_DATE_SPAN_DAYS)),
            last_service_amount=self._amount(),
        )

    def rows(self, count: int) -> Iterator[list[str]]:
        """Yield `count` data rows as cell lists, about 11 % of them messy."""
        quirk_names = list(QUIRKS)
        quirk_weights = list(QUIRKS.values())
        quirk_rate = sum(quirk_weights) / SAMPLE_ROWS
        for record in self.records(count):
            cells = clean_cells(record)
            quirk = None
            if self.random.random() < quirk_rate:
                quirk = self.random.choices(quirk_names, quirk_weights)[0]
                cells = self._apply_quirk(quirk, record, cells)
                self.quirk_counts[quirk] += 1
            if quirk != "duplicate":
                # A bounded window of earlier rows feeds the "typed twice" quirk.
                self.written.append(record)
                if len(self.written) > 500:
                    del self.written[:250]
            yield cells

    def _apply_quirk(self, quirk, record, cells):
        pick = self.random
        number, dv = record.id_number, record.check_digit
        if quirk == "nit_format":
            if record.is_company:
                dotted = _dotted(number)
                cells[0], cells[1] = pick.choice(
                    [
                        (f"{dotted}-{dv}", dv),
                        (f"{dotted}-{dv}", ""),
                        (number + dv, ""),
                        (number, ""),
                        (dotted, dv),
                    ]
                )
            else:
                cells[0] = _dotted(number)
        elif quirk == "wrong_dv" and record.is_company:
            cells[1] = str((int(dv) + pick.randint(1, 9)) % 10)
        elif quirk == "duplicate" and self.written:
            earlier = pick.choice(self.written)
            cells = clean_cells(earlier)
            if earlier.is_company:
                dotted = _dotted(earlier.id_number)
                cells[0] = f"{dotted}-{earlier.check_digit}"
                cells[1] = ""
            else:
                cells[0] = _dotted(earlier.id_number)
            cells[8] = f"{pick.choice(MOBILE_PREFIXES)}{pick.randint(0, 9999999):07d}"
        elif quirk == "spaces":
            column = pick.choice([0, 2, 8, 9])
            if cells[column]:
                cells[column] = " " * pick.randint(1, 2) + cells[column] + "   "
        elif quirk == "upper_name":
            cells[2] = cells[2].upper()
        elif quirk == "phone_format":
            cells[8] = self._odd_phone(record)
        elif quirk == "bad_email":
            cells[9] = self._odd_email(record)
        elif quirk == "empty_cell":
            cells[pick.choice([4, 6, 8, 12])] = ""
        elif quirk == "date_format" and record.last_service_date:
            cells[12] = _odd_date(record.last_service_date, pick)
        elif quirk == "amount_format" and record.last_service_amount:
            cells[13] = _odd_amount(record.last_service_amount, pick)
        elif quirk == "customer_type_case":
            cells[3] = pick.choice([cells[3].lower(), cells[3] + " "])
        elif quirk == "municipality_spelling":
            cells[6] = MUNICIPALITY_ABBREVIATED.get(
                record.municipality, record.municipality + " (Tol.)"
            )
        elif quirk == "needs_quoting":
            choice = pick.randrange(3)
            if choice == 0 and record.contact:
                cells[10] = record.contact.split(" (")[0] + "\nAdministradora"
            elif choice == 1:
                cells[4] = record.address + "; frente al parque principal"
            else:
                cells[2] = f'{record.name.split()[0]} "La {pick.randint(2, 30)}"'
        return cells

    def _municipality(self):
        names = [(row, row[3]) for row in MUNICIPALITIES]
        name, dane_code, prefix, _weight = self._weighted(names)
        return name, dane_code, prefix

    def _weighted(self, pairs):
        values = [value for value, _ in pairs]
        weights = [weight for _, weight in pairs]
        return self.random.choices(values, weights)[0]

    def _unique_number(self, make):
        while True:
            number = make()
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def _company_nit(self):
        block = self.random.choice(COMPANY_NIT_BLOCKS)
        return f"{block}{self.random.randint(0, 999999):06d}"

    def _cedula(self):
        if self.random.random() < 0.55:
            return str(self.random.randint(1_000_000_000, 1_033_999_999))
        return str(self.random.randint(10_000_000, 99_999_999))

    def _person_name(self):
        pick = self.random
        given = pick.choice(GIVEN_NAMES)
        if pick.random() < 0.4:
            given += " " + pick.choice(GIVEN_NAMES)
        surname = pick.choice(SURNAMES) + " " + pick.choice(SURNAMES)
        return given, surname

    def _business_name(self):
        pick = self.random
        kind, mailbox, is_property = pick.choice(BUSINESS_KINDS)
        base = pick.choice(BUSINESS_NAMES)
        if kind in ("Inversiones", "Transportes", "Constructora"):
            base = pick.choice(SURNAMES) + (
                " " + pick.choice(SURNAMES) if pick.random() < 0.5 else ""
            )
        suffix = " P.H." if is_property else self._weighted(LEGAL_SUFFIXES)
        name = f"{kind} {base}{suffix}"
        slug = _ascii(f"{kind.split()[0]}{base}").lower().replace(" ", "")
        if pick.random() < 0.5:
            mailbox = pick.choice(
                ["info", "gerencia", "contabilidad", "compras", "administracion"]
            )
        return name, mailbox, slug

    def _contact(self):
        pick = self.random
        if pick.random() < 0.2:
            return ""
        name = f"{pick.choice(GIVEN_NAMES)} {pick.choice(SURNAMES)}"
        if pick.random() < 0.45:
            name += f" ({pick.choice(CONTACT_ROLES)})"
        return name

    def _address(self, zone, municipality):
        pick = self.random
        if zone == "CORREDOR VIAL":
            road = pick.choice(CORRIDORS)
            km = pick.choice(["Km", "Kilómetro"])
            via = pick.choice(["vía", "Vía"])
            lot = f" Lote {pick.randint(1, 60)}" if pick.random() < 0.2 else ""
            return f"{km} {pick.randint(1, 12)} {via} {road}{lot}"
        if zone == "RURAL":
            vereda = pick.choice(VEREDAS)
            place = pick.choice(
                ["Finca Mi Refugio", "Lote", "Parcela", "Finca La Esperanza"]
            )
            if place in ("Lote", "Parcela"):
                place += f" {pick.randint(1, 60)}"
            return f"Vereda {vereda} {place}"
        if pick.random() < 0.08:
            complex_name = pick.choice(BUSINESS_NAMES)
            return (
                f"Conj. Res. {complex_name} T {pick.randint(1, 6)} "
                f"Apto {pick.randint(1, 6)}0{pick.randint(1, 8)}"
            )
        street = pick.choice(STREET_KINDS)
        letter = pick.choice(["", "", "", "A", "B", " Bis"])
        cross_letter = pick.choice(["", "", "", "A", "B", "C"])
        unit = pick.choice(UNITS).format(
            n=pick.randint(1, 30), floor=pick.randint(2, 5)
        )
        return (
            f"{street} {pick.randint(1, 45)}{letter} {pick.choice(NUMBER_SIGNS)} "
            f"{pick.randint(1, 45)}{cross_letter}-{pick.randint(2, 99)}{unit}"
        )

    def _barrio(self, zone):
        pick = self.random
        if pick.random() < 0.08:
            return ""
        if zone == "URBANA":
            return pick.choice(BARRIOS)
        return "Vereda " + pick.choice(VEREDAS)

    def _amount(self):
        pick = self.random
        if pick.random() < 0.3:
            return pick.choice(COMMON_AMOUNTS)
        return pick.randint(320, 90000) * 100

    def _odd_phone(self, record):
        pick = self.random
        mobile = record.mobile or f"{pick.choice(MOBILE_PREFIXES)}5551234"
        other = f"{pick.choice(MOBILE_PREFIXES)}{pick.randint(0, 9999999):07d}"
        return pick.choice(
            [
                f"{mobile} - {other}",
                f"{mobile[:3]}-{mobile[3:6]}-{mobile[6:]}",
                f"{pick.randint(2, 5)}{pick.randint(10, 99)} {pick.randint(10, 99)} "
                f"{pick.randint(10, 99)}",
                f"+57 {mobile}",
            ]
        )

    def _odd_email(self, record):
        pick = self.random
        slug = _ascii(record.name.split()[-1]).lower()
        return pick.choice(
            [
                (record.email or f"recepcion@{slug}.example.com").upper(),
                f"{slug}@@example.net",
                f"compras@{slug}.example",
                "no tiene",
            ]
        )


def clean_cells(record: CustomerRecord) -> list[str]:
    """Return the 14 cells of `record` the way a tidy row of the file has them."""
    return [
        record.id_number,
        record.check_digit,
        record.name,
        record.customer_type,
        record.address,
        record.barrio,
        record.municipality,
        record.phone,
        record.mobile,
        record.email,
        record.contact,
        record.zone,
        record.last_service_date.strftime("%d/%m/%Y")
        if record.last_service_date
        else "",
        str(record.last_service_amount) if record.last_service_amount else "",
    ]


def write_customer_file(path: Path, rows: int, seed: int = 2026) -> Path:
    """Write a cp1252, `;`-delimited, CRLF customer file of `rows` data rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = CustomerGenerator(seed)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(generator.rows(rows))
        # Excel keeps two rows of bare separators after the data.
        for _ in range(2):
            writer.writerow([""] * len(HEADERS))
    return path


def _dotted(number: str) -> str:
    return f"{int(number):,}".replace(",", ".")


def _odd_date(value: date, pick: random.Random) -> str:
    months = "ene feb mar abr may jun jul ago sep oct nov dic".split()
    return pick.choice(
        [
            f"{value.day}-{months[value.month - 1]}-{value:%y}",
            f"{value:%d/%m/%y}",
            value.isoformat(),
            f"{value.day}/{value.month}/{value.year}",
        ]
    )


def _odd_amount(value: int, pick: random.Random) -> str:
    dotted = f"{value:,}".replace(",", ".")
    return pick.choice([f"$ {dotted}", f"${dotted},00", f"{value},50", f"$ {dotted}"])


def _ascii(text: str) -> str:
    table = str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN")
    return text.translate(table)
