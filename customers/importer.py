"""Import of the customer database the sales team keeps in Excel.

Customers are matched by their normalised identification: a known customer is
updated with the values the file fills (empty cells never erase stored data), a new
one is created. Every created or changed customer and contact gets a history record.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.formatting import format_date, format_pesos
from core.imports import (
    Column,
    Importer,
    Outcome,
    PendingRecord,
    RowReader,
    WriteResult,
    clean_text,
    parse_date,
    parse_decimal,
    parse_yes_no,
    register,
)
from core.imports.bulk import (
    KeyBlock,
    bulk_insert,
    bulk_update,
    history_insert_stored,
    uses_copy,
)
from core.imports.columns import ForeignKind, header_key
from core.text import fold, sort_key
from customers import initial_load
from customers.identification import (
    IdType,
    format_identification,
    looks_like_company_nit,
    parse_identification,
)
from customers.import_changes import ChangeDescriber, changed_fields
from customers.models import Contact, Customer
from customers.phones import (
    format_phone,
    is_mobile,
    normalise_phone,
    split_phone_list,
)
from customers.search import SEARCH_INDEX
from zones.models import Municipality, Zone

COLUMNS = [
    Column(
        "id_number",
        _("NIT/CC"),
        aliases=(
            "NIT",
            "CC",
            "NIT o CC",
            "CC o NIT",
            "NIT / Cédula",
            "Cédula / NIT",
            "Cédula",
            "Cédula o NIT",
            "Número de documento",
            "No. documento",
            "Documento",
            "Identificación",
            "Número de identificación",
            "NIT/CC/CE",
        ),
        required=True,
    ),
    Column(
        "check_digit",
        _("DV"),
        aliases=("Dígito de verificación", "Dígito verificación"),
    ),
    Column(
        "id_type",
        _("TIPO DOCUMENTO"),
        aliases=(
            "Tipo de documento",
            "Tipo doc",
            "Tipo de identificación",
            "Tipo identificación",
        ),
    ),
    Column(
        "name",
        _("RAZÓN SOCIAL / NOMBRE"),
        aliases=(
            "Razón social",
            "Nombre",
            "Nombre o razón social",
            "Nombre / Razón social",
            "Nombre completo",
            "Cliente",
            "Nombre del cliente",
        ),
        required=True,
    ),
    Column(
        "trade_name",
        _("NOMBRE COMERCIAL"),
        aliases=("Establecimiento", "Nombre del establecimiento"),
    ),
    Column(
        "customer_type",
        _("TIPO CLIENTE"),
        aliases=("Tipo de cliente", "Tipo", "Clase de cliente"),
    ),
    Column("address", _("DIRECCIÓN"), aliases=("Dirección del predio", "Dir")),
    Column(
        "barrio", _("BARRIO"), aliases=("Barrio o vereda", "Barrio / Vereda", "Vereda")
    ),
    Column("municipality", _("MUNICIPIO"), aliases=("Ciudad", "Municipio / Ciudad")),
    Column(
        "dane_code",
        _("CÓDIGO DANE"),
        aliases=("Cód. DANE", "DANE", "Código DANE municipio", "DIVIPOLA"),
    ),
    Column(
        "phone",
        _("TELÉFONO"),
        aliases=("Teléfonos", "Tel", "Fijo", "Teléfono fijo"),
    ),
    Column(
        "mobile",
        _("CELULAR"),
        aliases=("Móvil", "Cel", "Teléfono celular", "Celulares", "WhatsApp"),
    ),
    Column(
        "email",
        _("CORREO"),
        aliases=("Correo electrónico", "Email", "E-mail", "Mail"),
    ),
    Column(
        "contact",
        _("CONTACTO"),
        aliases=("Persona de contacto", "Contacto principal", "Nombre del contacto"),
    ),
    Column("zone", _("ZONA"), aliases=("Zona comercial",)),
    Column(
        "last_service_date",
        _("FECHA ÚLTIMO SERVICIO"),
        aliases=("Fecha del último servicio", "Último servicio"),
    ),
    Column(
        "last_service_amount",
        _("VALOR ÚLTIMO SERVICIO"),
        aliases=("Valor del último servicio", "Valor"),
    ),
    Column(
        "in_catastro",
        _("EN CATASTRO"),
        aliases=("Catastro", "Suscriptor", "Es suscriptor"),
    ),
]

ID_TYPES = {
    "nit": IdType.NIT,
    "cc": IdType.CC,
    "c c": IdType.CC,
    "cedula": IdType.CC,
    "cedula de ciudadania": IdType.CC,
    "ce": IdType.CE,
    "c e": IdType.CE,
    "cedula de extranjeria": IdType.CE,
    "ppt": IdType.PPT,
    "permiso por proteccion temporal": IdType.PPT,
    "pa": IdType.PASSPORT,
    "pas": IdType.PASSPORT,
    "pasaporte": IdType.PASSPORT,
}
CUSTOMER_TYPES = {
    "nuevo": Customer.CustomerType.NEW,
    "antiguo": Customer.CustomerType.EXISTING,
}

# Columns of the customer table the import writes, in the order rows are built.
NEW_CUSTOMER = {
    "id_type": "",
    "id_number": "",
    "check_digit": "",
    "person_kind": Customer.PersonKind.LEGAL,
    "name": "",
    "trade_name": "",
    "customer_type": Customer.CustomerType.NEW,
    "address": "",
    "barrio": "",
    "municipality_id": None,
    "phone": "",
    "mobile": "",
    "email": "",
    "zone_id": None,
    "advisor_id": None,
    "in_catastro": False,
    "last_service_date": None,
    "last_service_amount": None,
    "notes": "",
    "search_text": "",
    "sort_name": "",
    "created_at": None,
    "updated_at": None,
}
WRITE_FIELDS = list(NEW_CUSTOMER)
UPDATE_FIELDS = [f for f in WRITE_FIELDS if f not in ("id_number", "created_at")]
UNCHANGED = Outcome.UNCHANGED
# The columns parse_row reads as text, each once per row (RowReader.texts).
TEXT_KEYS = (
    "id_type",
    "id_number",
    "check_digit",
    "name",
    "trade_name",
    "customer_type",
    "address",
    "barrio",
    "municipality",
    "dane_code",
    "phone",
    "mobile",
    "email",
    "zone",
)
SCAN_KEYS = ("id_type", "id_number", "check_digit")

# Text columns stored as the file writes them, with the length of their field.
# A longer cell rejects the row: cutting it would store a wrong name or address.
_FIELD_LENGTHS = {field.name: field.max_length for field in Customer._meta.fields}
CHECKED_LENGTHS = {
    "name": _FIELD_LENGTHS["name"],
    "trade_name": _FIELD_LENGTHS["trade_name"],
    "address": _FIELD_LENGTHS["address"],
    "barrio": _FIELD_LENGTHS["barrio"],
    "zone": Zone._meta.get_field("name").max_length,
}
_AMOUNT_FIELD = Customer._meta.get_field("last_service_amount")
# The largest last-service amount the column stores (14 digits before the comma).
MAX_AMOUNT = Decimal(10) ** (_AMOUNT_FIELD.max_digits - _AMOUNT_FIELD.decimal_places)
EMAIL_LENGTH = Customer._meta.get_field("email").max_length
CONTACT_NAME_LENGTH = Contact._meta.get_field("name").max_length
CONTACT_ROLE_LENGTH = Contact._meta.get_field("role").max_length

# Files of the regulated service that a person may upload here by mistake. They
# have an ID and a name column, so without these checks their subscribers would
# be created as customers.
COMPETITOR_LIST = ForeignKind(
    name=gettext_lazy("una lista de solicitudes de terminación de un competidor"),
    headers=(
        "FECHA RADICACIÓN",
        "Fecha de radicación",
        "Fecha radicado",
        "CÓDIGO CUENTA / CATASTRO",
        "NOMBRE SUSCRIPTOR",
        "ESTRATO",
        "USO",
    ),
)
REGISTRY_EXPORT = ForeignKind(
    name=gettext_lazy("el catastro de suscriptores (exportación de facturación)"),
    headers=(
        "CODIGO_CUENTA",
        "NUMERO_PREDIAL",
        "NOMBRE_SUSCRIPTOR",
        "COD_DANE_MUNICIPIO",
        "TIPO_PRODUCTOR",
        "FECHA_VINCULACION",
    ),
)
# This import's own file, known by headers that only a customer file has (an
# e-mail or zone column may appear anywhere), for the imports of the regulated
# service's files to reject it by name.
CUSTOMER_DATABASE = ForeignKind(
    name=gettext_lazy("la base de datos de clientes"),
    headers=(
        "RAZÓN SOCIAL / NOMBRE",
        "Razón social",
        "TIPO CLIENTE",
        "Tipo de cliente",
        "FECHA ÚLTIMO SERVICIO",
        "VALOR ÚLTIMO SERVICIO",
    ),
)
CONTACT_FIELDS = ["name", "role", "phone", "mobile"]

# A municipality written with its department: "Cunday (Tol.)", "Melgar, Tolima".
# The "D.C." of «Bogotá, D.C.» or «Bogota DC», left out of town-name lookups.
_CAPITAL_DISTRICT = re.compile(r"[\s,]*\bd\.?\s?c\.?$")
_DEPARTMENT_SUFFIX = re.compile(r"\s*(?:\(([^)]*)\)|[,\-]\s*([^,\-]+))\s*$")
# A contact written as "Name (Role)": the role may itself hold brackets, "Dueño(a)".
_CONTACT_WITH_ROLE = re.compile(r"^([^()]+?)\s*\((.+)\)$")
_RESERVED_TLDS = frozenset({"example", "invalid", "test", "localhost", "local"})
# Addresses this simple pass Django's validate_email unchanged, so they skip it:
# it costs about ten times as much as this match.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"[a-z]{2,63}"
)


def _lock_customers() -> None:
    """Keep other transactions from writing customers until this import ends, so
    that the customers it looked up stay as read and a new customer can be
    inserted without a conflict check (PostgreSQL only; readers go on).

    NOTE: a user saving a customer during a long import waits for it to finish.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"LOCK TABLE {connection.ops.quote_name(Customer._meta.db_table)} "
            "IN SHARE ROW EXCLUSIVE MODE"
        )


def _defer_search_index_updates() -> None:
    """Let the word index collect this transaction's new entries in its pending
    list, to be merged once at the end, instead of updating its posting trees
    row by row (PostgreSQL only; the setting ends with the transaction)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")


def _merge_search_index_updates() -> None:
    """Merge the word index's pending list in one sorted pass, so that neither
    searches nor the next single-row save pay for it."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT gin_clean_pending_list(to_regclass(%s)) "
            "WHERE to_regclass(%s) IS NOT NULL",
            [SEARCH_INDEX, SEARCH_INDEX],
        )


# Zones, municipalities and customer types repeat on every row: fold each once.
cached_fold = lru_cache(maxsize=4096)(fold)


def _cached_text_parser(parser):
    """Wrap a cell parser so that text cells it already read return the same
    value without parsing again (dates and yes/no repeat across rows). A cell
    that raises CellError is not cached and raises again."""
    cached = lru_cache(maxsize=4096)(parser)

    def parse(value):
        if value.__class__ is str:
            return cached(value)
        return parser(value)

    return parse


cached_parse_date = _cached_text_parser(parse_date)
cached_parse_decimal = _cached_text_parser(parse_decimal)
cached_parse_yes_no = _cached_text_parser(parse_yes_no)


def _merged_contact(current: dict, incoming: dict) -> dict:
    """Return the contact `current` updated with a row's `incoming` fields. A
    different person named without a role gets an empty role: the role
    belonged to the person the row replaces."""
    merged = {**current, **incoming}
    if (
        "role" not in incoming
        and "name" in incoming
        and fold(incoming["name"]) != fold(current.get("name") or "")
    ):
        merged["role"] = ""
    return merged


@dataclass
class CustomerRecord:
    """A valid row: the customer columns it fills and its primary contact."""

    values: dict
    contact: dict = field(default_factory=dict)
    municipality_name: str = ""
    zone_name: str = ""


@register
class CustomerImporter(Importer):
    kind = "clientes"
    title = _("Base de datos de clientes")
    description = _(
        "Clientes con su NIT o cédula, dirección, municipio, teléfonos, correo, "
        "contacto y zona. Los clientes ya registrados se actualizan."
    )
    columns = COLUMNS
    # The registry export first: it also has the competitor list's ESTRATO and USO.
    foreign_kinds = (REGISTRY_EXPORT, COMPETITOR_LIST)
    write_behind = True

    def prepare(self) -> None:
        self.municipalities_by_code: dict[str, Municipality] = {}
        self.municipalities_by_name: dict[str, list[Municipality]] = {}
        for municipality in Municipality.objects.all():
            self.municipalities_by_code[municipality.dane_code] = municipality
            folded = fold(municipality.name)
            for name in {folded, _CAPITAL_DISTRICT.sub("", folded)}:
                self.municipalities_by_name.setdefault(name, []).append(municipality)
        self.today = timezone.localdate()
        self.zones = {fold(zone.name): zone for zone in Zone.objects.all()}
        self.changes = ChangeDescriber(
            municipalities=self.municipalities_by_code,
            zones={zone.pk: zone.name for zone in self.zones.values()},
        )
        # Translated once: write_batch labels every registered customer.
        self.registered_label = _("cliente registrado «%(name)s»")
        self.user_id = self.user.pk if self.user is not None else None
        self.now = timezone.now()
        _lock_customers()
        self.started_empty = not Customer.objects.exists()
        # On PostgreSQL an import into an empty table copies its rows straight
        # in and builds the indexes once at the end (customers/initial_load.py).
        self.loads_empty_table = self.started_empty and uses_copy()
        self.restore_statements: list[str] = []
        # Rows that move an assigned customer to another zone.
        self.zone_moves: list[int] = []
        if not self.loads_empty_table:
            _defer_search_index_updates()
        elif not self.dry_run:
            self.restore_statements = initial_load.schema_drop()
            # A key for every row, reserved while both tables are locked,
            # because encode_batch gives rows their keys away from the database.
            self.customer_keys = KeyBlock(Customer, self._expected_rows)
            self.contact_keys = KeyBlock(Contact, self._expected_rows)

    def finish(self) -> None:
        if self.zone_moves:
            self.notes.append(self._zone_moves_note())
        if not self.loads_empty_table:
            _merge_search_index_updates()
        elif not self.dry_run:
            initial_load.schema_restore(self.restore_statements)

    def parse_row(self, row: RowReader) -> CustomerRecord | None:
        cells = dict(zip(TEXT_KEYS, row.texts(TEXT_KEYS), strict=True))
        # A rejected row is still read to the end, so that the report lists all
        # of its problems at once and not one more after each fix.
        values = self._parse_identity(row, cells) or {}
        for key, max_length in CHECKED_LENGTHS.items():
            if len(cells[key]) > max_length:
                row.check_length(key, cells[key], max_length)
        record = CustomerRecord(values=values)

        for key in ("trade_name", "address", "barrio"):
            text = cells[key]
            if text:
                values[key] = text
        self._parse_customer_type(row, cells["customer_type"], values)
        municipality = self._parse_municipality(row, cells)
        if municipality is not None:
            values["municipality_id"] = municipality.dane_code
            record.municipality_name = municipality.name
        prefix = municipality.landline_prefix if municipality else ""
        self._parse_phones(row, cells, record, prefix)
        self._parse_email(row, cells["email"], values)
        self._parse_contact(row, record)
        self._parse_zone(row, cells["zone"], record)

        last_date = row.parse("last_service_date", cached_parse_date)
        if last_date is not None and last_date > self.today:
            row.warning(
                "last_service_date",
                _(
                    "La fecha del último servicio %(date)s es posterior a hoy: "
                    "escriba la fecha en que se prestó. Se dejó vacía."
                )
                % {"date": format_date(last_date)},
            )
        elif last_date is not None:
            values["last_service_date"] = last_date
        amount = row.parse("last_service_amount", cached_parse_decimal)
        if amount is not None and amount < 0:
            row.warning(
                "last_service_amount",
                _(
                    "El valor del último servicio no puede ser negativo: escriba "
                    "el valor cobrado. Se dejó vacío."
                ),
            )
        elif amount is not None and amount >= MAX_AMOUNT:
            row.warning(
                "last_service_amount",
                _(
                    "El valor del último servicio %(value)s es demasiado grande: el "
                    "máximo es de %(digits)s cifras. Revise el valor. Se dejó vacío."
                )
                % {
                    "value": row.text("last_service_amount")[:40],
                    "digits": len(str(MAX_AMOUNT)) - 1,
                },
            )
        elif amount is not None:
            values["last_service_amount"] = amount
        in_catastro = row.parse("in_catastro", cached_parse_yes_no)
        if in_catastro is not None:
            values["in_catastro"] = in_catastro
        return None if row.rejected else record

    def _parse_identity(self, row: RowReader, cells: dict) -> dict | None:
        id_type = None
        type_text = cells["id_type"]
        if type_text:
            id_type = ID_TYPES.get(header_key(type_text))
            if id_type is None:
                row.error(
                    "id_type",
                    _(
                        "«%(value)s» no es un tipo de documento conocido: escriba NIT, "
                        "CC, CE, PPT o Pasaporte."
                    )
                    % {"value": type_text},
                )

        raw_number = cells["id_number"]
        raw_check_digit = cells["check_digit"]
        identification = None
        try:
            identification = parse_identification(raw_number, raw_check_digit, id_type)
        except ValidationError as error:
            column = "id_number"
            if error.code in ("wrong_dv", "invalid_dv") and raw_check_digit:
                column = "check_digit"
            message = " ".join(error.messages)
            if error.code == "missing":
                message += " " + _("Escriba el NIT o la cédula del cliente.")
            row.error(column, message)

        name = cells["name"]
        if not name:
            row.error(
                "name",
                _(
                    "Falta la razón social o el nombre. Escríbalo para poder registrar el cliente."
                ),
            )
        if row.rejected or identification is None:
            return None

        legal = identification.id_type == IdType.NIT and looks_like_company_nit(
            identification.number
        )
        return {
            "id_type": identification.id_type,
            "id_number": identification.number,
            "check_digit": identification.check_digit,
            "person_kind": (
                Customer.PersonKind.LEGAL if legal else Customer.PersonKind.NATURAL
            ),
            "name": name,
        }

    def _parse_customer_type(self, row: RowReader, text: str, values: dict) -> None:
        if not text:
            return
        customer_type = CUSTOMER_TYPES.get(cached_fold(text))
        if customer_type is None:
            row.warning(
                "customer_type",
                _("«%(value)s» no es un tipo de cliente: escriba NUEVO o ANTIGUO.")
                % {"value": text}
                + " "
                + _("Se dejó el tipo que tenía (NUEVO si es un cliente nuevo)."),
            )
            return
        values["customer_type"] = customer_type

    def _parse_municipality(self, row: RowReader, cells: dict) -> Municipality | None:
        code = cells["dane_code"]
        if code:
            municipality = self.municipalities_by_code.get(code.zfill(5))
            if municipality is not None:
                return municipality
            row.warning(
                "dane_code",
                _(
                    "El código DANE «%(value)s» no corresponde a ningún municipio "
                    "registrado: escriba los 5 dígitos del código DIVIPOLA. Se dejó "
                    "sin municipio."
                )
                % {"value": code},
            )
            return None

        text = cells["municipality"]
        if not text:
            return None
        if text.isdigit():
            municipality = self.municipalities_by_code.get(text.zfill(5))
            if municipality is not None:
                return municipality
        municipality = self._municipality_by_name(text)
        if municipality is None:
            row.warning(
                "municipality",
                _(
                    "No se encontró el municipio «%(value)s»: revise cómo está escrito "
                    "o agregue la columna CÓDIGO DANE. El cliente se guarda sin "
                    "municipio."
                )
                % {"value": text},
            )
        return municipality

    def _municipality_by_name(self, text: str) -> Municipality | None:
        name, department = cached_fold(text), ""
        candidates = self.municipalities_by_name.get(name)
        if candidates is None:
            candidates = self.municipalities_by_name.get(
                _CAPITAL_DISTRICT.sub("", name)
            )
        if candidates is None:
            suffix = _DEPARTMENT_SUFFIX.search(name)
            if suffix:
                department = (suffix.group(1) or suffix.group(2) or "").strip(" .")
                candidates = self.municipalities_by_name.get(name[: suffix.start()])
        if not candidates:
            return None
        if len(candidates) > 1 and department:
            in_department = [
                municipality
                for municipality in candidates
                if fold(municipality.department_name).startswith(department)
            ]
            candidates = in_department or candidates
        # NOTE: a name shared by two departments with no department written takes
        # the first (alphabetical by department); a CÓDIGO DANE column avoids it.
        return candidates[0]

    def _parse_phones(
        self, row: RowReader, cells: dict, record: CustomerRecord, prefix: str
    ):
        """Put the first landline and the first mobile on the customer and the next
        ones on the primary contact, whichever column they were typed in."""
        landlines, mobiles = [], []
        for key in ("phone", "mobile"):
            for raw in split_phone_list(cells[key]):
                try:
                    number = normalise_phone(raw, prefix)
                except ValidationError as error:
                    row.warning(
                        key, " ".join(error.messages) + " " + _("Se dejó vacío."), raw
                    )
                    continue
                target = mobiles if is_mobile(number) else landlines
                if number not in target:
                    target.append(number)

        if landlines:
            record.values["phone"] = landlines[0]
        if mobiles:
            record.values["mobile"] = mobiles[0]
        if len(landlines) > 1:
            record.contact["phone"] = landlines[1]
        if len(mobiles) > 1:
            record.contact["mobile"] = mobiles[1]
        dropped = landlines[2:] + mobiles[2:]
        if dropped:
            row.warning(
                "phone",
                _(
                    "Hay más de dos fijos o dos celulares; no se guardaron %(numbers)s. "
                    "Regístrelos como otro contacto del cliente."
                )
                % {"numbers": ", ".join(dropped)},
            )

    def _parse_email(self, row: RowReader, text: str, values: dict) -> None:
        if not text:
            return
        email = text.lower()
        try:
            if len(email) > EMAIL_LENGTH:
                raise ValidationError("too long")
            if not _PLAIN_EMAIL.fullmatch(email):
                validate_email(email)
            if email.rsplit(".", 1)[-1] in _RESERVED_TLDS:
                raise ValidationError("reserved domain")
        except ValidationError:
            row.warning(
                "email",
                _(
                    "El correo «%(value)s» no es válido: escriba una sola dirección "
                    "como nombre@empresa.com. Se dejó vacío."
                )
                % {"value": text},
            )
            return
        values["email"] = email

    def _parse_contact(self, row: RowReader, record: CustomerRecord) -> None:
        raw = row.raw("contact")
        text = raw.strip() if isinstance(raw, str) else clean_text(raw)
        if not text:
            return
        lines = [clean_text(line) for line in text.splitlines() if line.strip()]
        name, role = lines[0], " ".join(lines[1:])
        if not role and (match := _CONTACT_WITH_ROLE.match(name)):
            name, role = match.group(1).strip(), match.group(2).strip()
        if not row.check_length("contact", name, CONTACT_NAME_LENGTH):
            return
        if role and not row.check_length("contact", role, CONTACT_ROLE_LENGTH):
            return
        record.contact["name"] = name
        if role:
            record.contact["role"] = role

    def _parse_zone(self, row: RowReader, name: str, record: CustomerRecord) -> None:
        if not name:
            return
        zone = self.zones.get(cached_fold(name))
        if zone is None and row.rejected:
            # Only a row that is imported creates a zone.
            return
        if zone is None:
            self.wait_for_writes()
            zone = Zone(name=name)
            zone._history_user = self.user
            zone.save()
            self.zones[fold(name)] = zone
            self.changes.zones[zone.pk] = zone.name
            if self.dry_run:
                note = _(
                    "Se creará la zona «%(zone)s», que no existe (aparece por "
                    "primera vez en la fila %(row)s). Si es un error de escritura, "
                    "corrija el archivo antes de confirmar."
                )
            else:
                note = _(
                    "Se creó la zona «%(zone)s» (aparece por primera vez en la "
                    "fila %(row)s)."
                )
            self.notes.append(note % {"zone": zone.name, "row": row.number})
        record.values["zone_id"] = zone.pk
        record.zone_name = zone.name

    def record_key(self, record: CustomerRecord) -> str:
        return record.values["id_number"]

    def scan_key(self, row: RowReader) -> str | None:
        """Return the normalised number that parse_row would store. The common
        cell of plain digits skips the validation, so a row that parse_row
        rejects (a wrong DV, say) may still return a key: that can only make a
        key look repeated, which costs a merge but changes no outcome."""
        type_text, raw_number, raw_check_digit = row.texts(SCAN_KEYS)
        if (
            not type_text
            and raw_number.isdigit()
            and (not raw_check_digit or raw_check_digit.isdigit())
        ):
            number = raw_number.lstrip("0") or "0"
            if not raw_check_digit and len(number) == 10:
                # A company NIT with its DV glued on, as parse_identification
                # splits it.
                if looks_like_company_nit(number[:9]):
                    number = number[:9]
            return number
        id_type = ID_TYPES.get(header_key(type_text)) if type_text else None
        try:
            identification = parse_identification(raw_number, raw_check_digit, id_type)
        except ValidationError:
            return None
        return identification.number

    def merge_records(
        self, earlier: CustomerRecord, later: CustomerRecord
    ) -> tuple[CustomerRecord, bool]:
        merged = CustomerRecord(
            values=_latest_service_kept({**earlier.values, **later.values}, earlier),
            contact=_merged_contact(earlier.contact, later.contact),
            municipality_name=later.municipality_name or earlier.municipality_name,
            zone_name=later.zone_name or earlier.zone_name,
        )
        changed = merged.values != earlier.values or merged.contact != earlier.contact
        return merged, changed

    def describe_merge(self, earlier: CustomerRecord, merged: CustomerRecord) -> str:
        """Return each customer and contact field a later row of the same
        customer changed, in the text of a registered customer's update."""
        return self.changes.describe(
            before=earlier.values,
            after=merged.values,
            fields=changed_fields(earlier.values, merged.values),
            contact_before=earlier.contact,
            contact_after=merged.contact,
        )

    def key_display(self, record: CustomerRecord) -> str:
        values = record.values
        return format_identification(
            values["id_type"], values["id_number"], values["check_digit"]
        )

    def preview_row(self, record: CustomerRecord) -> dict[str, str]:
        values = record.values
        contact = record.contact
        return {
            _("Identificación"): self.key_display(record),
            _("Nombre"): values["name"],
            _("Tipo"): self.changes.choice_labels["customer_type"].get(
                values.get("customer_type", ""), ""
            ),
            _("Municipio"): record.municipality_name,
            _("Zona"): record.zone_name,
            _("Teléfono"): format_phone(values.get("phone", "")),
            _("Celular"): format_phone(values.get("mobile", "")),
            _("Correo"): values.get("email", ""),
            _("Contacto"): " · ".join(
                part for part in (contact.get("name"), contact.get("role")) if part
            ),
            _("Último servicio"): format_date(values.get("last_service_date")),
            _("Valor"): format_pesos(values.get("last_service_amount")),
        }

    def _expected_rows(self) -> int:
        return self.expected_rows or 0

    def encode_batch(
        self, batch: list[PendingRecord]
    ) -> list[PendingRecord] | initial_load.NewCustomers:
        """Return the batch as COPY text when the customer table was empty when
        the import began, else unchanged (see Importer.encode_batch)."""
        if not self.loads_empty_table or self.dry_run:
            return batch
        return initial_load.encode_new_customers(
            [pending.record for pending in batch],
            customer_keys=self.customer_keys,
            contact_keys=self.contact_keys,
            user_id=self.user_id,
            when=self.now,
        )

    def write_batch(
        self, batch: list[PendingRecord] | initial_load.NewCustomers
    ) -> list[WriteResult]:
        if isinstance(batch, initial_load.NewCustomers):
            initial_load.copy_new_customers(batch)
            return [WriteResult(Outcome.CREATED)] * batch.count
        if self.loads_empty_table:
            # Every record of a load into an empty table is a new customer, so a
            # dry run counts them without writing. Dropping the indexes would
            # lock readers out of the customer list while the preview runs.
            return [WriteResult(Outcome.CREATED)] * len(batch)
        now = timezone.now()
        stored = self._stored_customers([pending.key for pending in batch])
        plan = [
            self._merge(pending.record, stored.get(pending.key), now)
            for pending in batch
        ]

        for pending, (row, _outcome, existing, _fields) in zip(
            batch, plan, strict=True
        ):
            if (
                existing is not None
                and existing["advisor_id"] is not None
                and row["zone_id"] != existing["zone_id"]
            ):
                self.zone_moves.append(pending.row)

        created = [row for row, _outcome, existing, _fields in plan if existing is None]
        changed = [
            row
            for row, outcome, existing, _fields in plan
            if existing is not None and outcome is not UNCHANGED
        ]
        keys = bulk_insert(Customer, created, columns=WRITE_FIELDS)
        for row, key in zip(created, keys, strict=True):
            row["id"] = key
        bulk_update(Customer, changed, UPDATE_FIELDS)
        history_insert_stored(
            Customer, keys, history_type="+", user_id=self.user_id, when=now
        )
        history_insert_stored(
            Customer,
            [row["id"] for row in changed],
            history_type="~",
            user_id=self.user_id,
            when=now,
        )

        contacts_written = self._write_contacts(batch, plan, now)
        results = []
        for (row, outcome, existing, fields), contact in zip(
            plan, contacts_written, strict=True
        ):
            if existing is None:
                results.append(WriteResult(outcome))
                continue
            if outcome is UNCHANGED and contact is not None:
                outcome = Outcome.UPDATED
            label = self.registered_label % {"name": existing["name"]}
            changes = ""
            if outcome is not UNCHANGED:
                changes = self.changes.describe(
                    before=existing,
                    after=row,
                    fields=fields,
                    contact_before=contact[0] if contact else None,
                    contact_after=contact[1] if contact else None,
                )
            results.append(WriteResult(outcome, label, changes))
        return results

    def _zone_moves_note(self) -> str:
        """Return the note listing the rows that move an assigned customer to
        another zone: the advisor stays, so the assignment needs a look."""
        count = len(self.zone_moves)
        rows = ", ".join(str(row) for row in sorted(self.zone_moves)[:20])
        if count > 20:
            rows += ", …"
        if self.dry_run:
            text = ngettext(
                "%(count)s cliente con asesor pasará a otra zona y seguirá con el "
                "mismo asesor (fila %(rows)s). Después de importar, revise la "
                "asignación en Zonas.",
                "%(count)s clientes con asesor pasarán a otra zona y seguirán con "
                "el mismo asesor (filas %(rows)s). Después de importar, revise la "
                "asignación en Zonas.",
                count,
            )
        else:
            text = ngettext(
                "%(count)s cliente con asesor pasó a otra zona y sigue con el mismo "
                "asesor (fila %(rows)s). Revise la asignación en Zonas.",
                "%(count)s clientes con asesor pasaron a otra zona y siguen con el "
                "mismo asesor (filas %(rows)s). Revise la asignación en Zonas.",
                count,
            )
        return text % {"count": count, "rows": rows}

    def _stored_customers(self, id_numbers: list[str]) -> dict[str, dict]:
        """Return the stored customers of a batch by id_number, in one query."""
        if self.started_empty:
            # Keys do not repeat across batches and the table is locked, so a
            # table that was empty when the import started holds none of them.
            return {}
        return {
            row["id_number"]: row
            for row in Customer.objects.filter(id_number__in=id_numbers).values(
                "id", *WRITE_FIELDS
            )
        }

    def _merge(self, record: CustomerRecord, existing: dict | None, now) -> tuple:
        """Return (row to write, outcome, stored row, fields that differ from
        the stored row) for one record, as a plain tuple because a named one
        takes longer to build for each row."""
        fields = ()
        if existing is None:
            row = NEW_CUSTOMER.copy()
            row.update(record.values)
            row["created_at"] = row["updated_at"] = now
            outcome = Outcome.CREATED
        else:
            row = _latest_service_kept({**existing, **record.values}, existing)
            fields = [name for name in record.values if row[name] != existing[name]]
            outcome = Outcome.UPDATED if fields else UNCHANGED
            row["updated_at"] = now
        row["search_text"] = Customer.build_search_text(SimpleNamespace(**row))
        row["sort_name"] = sort_key(row["name"])
        return row, outcome, existing, fields

    def _write_contacts(self, batch, plan, now) -> list[tuple[dict, dict] | None]:
        """Create or update each customer's primary contact. Return, per
        record, the contact's fields before and after when it was written
        (before is empty for a new contact), else None."""
        customer_ids = [
            row["id"] for row, _outcome, existing, _fields in plan if existing
        ]
        primaries = {}
        if customer_ids:
            for contact in Contact.objects.filter(
                customer_id__in=customer_ids, is_primary=True
            ).values("id", "customer_id", "email", "is_primary", *CONTACT_FIELDS):
                primaries.setdefault(contact["customer_id"], contact)

        new_contacts, changed_contacts, written = [], [], []
        for pending, (row, _outcome, _existing, _fields) in zip(
            batch, plan, strict=True
        ):
            incoming = pending.record.contact
            if not incoming:
                written.append(None)
                continue
            current = primaries.get(row["id"])
            if current is None:
                contact = {
                    "customer_id": row["id"],
                    "name": incoming.get("name") or row["name"][:150],
                    "role": incoming.get("role", ""),
                    "phone": incoming.get("phone", ""),
                    "mobile": incoming.get("mobile", ""),
                    "email": "",
                    "is_primary": True,
                }
                new_contacts.append(contact)
                primaries[row["id"]] = contact
                written.append(({}, contact))
                continue
            merged = _merged_contact(current, incoming)
            if merged == current:
                written.append(None)
                continue
            before = dict(current)
            current.update(merged)
            changed_contacts.append(current)
            written.append((before, current))

        new_keys = bulk_insert(Contact, new_contacts)
        for contact, key in zip(new_contacts, new_keys, strict=True):
            contact["id"] = key
        bulk_update(Contact, changed_contacts, CONTACT_FIELDS)
        history_insert_stored(
            Contact, new_keys, history_type="+", user_id=self.user_id, when=now
        )
        history_insert_stored(
            Contact,
            [contact["id"] for contact in changed_contacts],
            history_type="~",
            user_id=self.user_id,
            when=now,
        )
        return written


def _latest_service_kept(merged: dict, earlier: dict | CustomerRecord) -> dict:
    """Return `merged` (earlier values updated by a later row's) with the last
    service of `earlier` when it is more recent: an older file, or an older row
    of the same customer, must not move the last service back in time."""
    if isinstance(earlier, CustomerRecord):
        earlier = earlier.values
    earlier_date = earlier.get("last_service_date")
    merged_date = merged.get("last_service_date")
    if earlier_date is None or merged_date is None or earlier_date <= merged_date:
        return merged
    merged["last_service_date"] = earlier_date
    merged["last_service_amount"] = earlier.get("last_service_amount")
    return merged
