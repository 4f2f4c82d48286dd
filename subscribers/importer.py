"""Import of the subscriber registry (catastro) as exported for the joint-billing
company.

Accounts are matched by account code: a known account is updated with the columns
the file has, a new one is created, and an account equal to the stored one is left
unchanged. The registry export is the whole record of each account, so a column the
file has overwrites the stored value even when the cell is empty, except the linking
date: an empty or invalid FECHA_VINCULACION keeps the stored date. Columns the file
lacks are left as stored. An account the termination flow unlinked stays
DESVINCULADO, because reactivating it would hide its unlinking from the novelties
report. Every created or changed account gets a history record.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import format_date
from core.imports import (
    CellError,
    Column,
    ForeignKind,
    Importer,
    ImportReport,
    Outcome,
    PendingRecord,
    RowReader,
    WriteResult,
    parse_date,
    parse_integer,
    parse_yes_no,
    register,
)
from core.imports.bulk import (
    COPY_NULL,
    KeyBlock,
    bulk_upsert,
    copy_lines,
    copy_text_fields,
    drop_foreign_keys,
    drop_secondary_indexes,
    history_insert,
    history_insert_stored,
    restore_schema,
    uses_copy,
)
from core.text import fold
from customers.identification import (
    IdType,
    format_identification,
    parse_identification,
)
from customers.importer import CUSTOMER_DATABASE
from subscribers.models import SubscriberAccount, account_search_text
from subscribers.zoning import ZoneResolver
from zones.models import Municipality

logger = logging.getLogger(__name__)

# An import that creates or changes at least this many accounts refreshes the
# planner statistics and the visibility map of the table when it commits.
LARGE_IMPORT_ACCOUNTS = 10_000
# Rows per batch written into an empty registry. Fewer, larger batches make
# fewer round trips, which are slow while the parser holds the interpreter
# lock. Two alternating in-process imports of 200,000 rows took 12.5 and
# 12.1 s with 5,000 rows per batch, against 13.2 and 13.3 s with 2,000
# (2-core machine at load average 2 to 2.6).
EMPTY_REGISTRY_BATCH_SIZE = 5000
# The columns that lookups, joins and lists filter on. VACUUM (ANALYZE) of
# 200,000 new accounts took 0.23 s with these against 0.54 s with every column,
# because the long text columns (names, addresses, search text) cost most. An
# ANALYZE of some columns leaves the table due for autovacuum's full one.
ANALYZED_COLUMNS = (
    "id",
    "account_code",
    "cadastral_number",
    "id_number",
    "billing_account",
    "zone_id",
    "municipality_id",
    "status",
    "use_class",
    "estrato",
)
# Indexes kept while an empty registry is loaded. When the file lists accounts
# by code, as the benchmark file does, the server adds entries at the end of
# these indexes while Python parses, instead of building them after the last
# row. The whole command took 9.1-9.9 s with them kept against 9.8-10.8 s
# (200,000 rows, three alternating runs).
LOADED_INDEXES = ("subscriber_code_prefix_idx", "subscriber_predial_prefix_idx")

COLUMNS = [
    Column(
        "account_code",
        _("CODIGO_CUENTA"),
        aliases=("Código de cuenta", "Cuenta", "Código cuenta", "Código suscriptor"),
        required=True,
    ),
    Column(
        "cadastral_number",
        _("NUMERO_PREDIAL"),
        aliases=("Número predial", "Predial", "Número predial nacional"),
    ),
    Column(
        "id_type",
        _("TIPO_DOCUMENTO"),
        aliases=("Tipo de documento", "Tipo doc", "Tipo de identificación"),
    ),
    Column(
        "id_number",
        _("NUMERO_DOCUMENTO"),
        aliases=("Número de documento", "Documento", "Identificación", "NIT/CC"),
    ),
    Column("check_digit", _("DV"), aliases=("Dígito de verificación",)),
    Column(
        "name",
        _("NOMBRE_SUSCRIPTOR"),
        aliases=("Nombre del suscriptor", "Suscriptor", "Nombre"),
        required=True,
    ),
    Column("address", _("DIRECCION"), aliases=("Dirección del predio",)),
    Column("barrio", _("BARRIO"), aliases=("Barrio o vereda", "Vereda")),
    Column(
        "dane_code",
        _("COD_DANE_MUNICIPIO"),
        aliases=("Código DANE", "Cód. DANE", "DANE", "DIVIPOLA"),
    ),
    Column("municipality", _("MUNICIPIO"), aliases=("Ciudad",)),
    Column("estrato", _("ESTRATO"), aliases=("Estrato socioeconómico",)),
    Column("use_class", _("USO"), aliases=("Clase de uso", "Clase", "Uso del predio")),
    Column(
        "producer_type",
        _("TIPO_PRODUCTOR"),
        aliases=("Tipo de productor", "Productor"),
    ),
    Column("status", _("ESTADO"), aliases=("Estado de la cuenta",)),
    Column(
        "linked_on",
        _("FECHA_VINCULACION"),
        aliases=("Fecha de vinculación", "Vinculación"),
    ),
    Column("is_multiuser", _("MULTIUSUARIO"), aliases=("Es multiusuario",)),
    Column(
        "unit_count",
        _("UNIDADES"),
        aliases=("Número de unidades", "Unidades independientes"),
    ),
    Column(
        "billing_account",
        _("CUENTA_FACTURACION"),
        aliases=("Cuenta facturación", "Cuenta en facturación conjunta"),
    ),
]

# A competitor's list of termination requests (terminations.importer), which a
# person may upload here by mistake. Its CÓDIGO CUENTA / CATASTRO and NOMBRE
# SUSCRIPTOR headers match registry columns. Without this check every row would
# be rejected one by one for its missing municipality and use class.
COMPETITOR_LIST = ForeignKind(
    name=gettext_lazy("una lista de solicitudes de terminación de un competidor"),
    headers=(
        "FECHA RADICACIÓN",
        "Fecha de radicación",
        "Fecha radicado",
        "CÓDIGO CUENTA / CATASTRO",
        "CÉDULA / NIT",
        "OBSERVACIONES",
        "TELÉFONO",
    ),
)

# Text columns copied from the file as written, which parse_row checks against
# the length of their model field. The other text columns are parsed into
# values that fit their fields.
CHECKED_TEXT_KEYS = ("name", "address", "barrio", "billing_account")
# The earliest linking date accepted: an earlier year is taken for a typing error.
EARLIEST_LINKED_ON = date(1900, 1, 1)

ID_TYPES = {
    "nit": IdType.NIT,
    "cc": IdType.CC,
    "cedula": IdType.CC,
    "cedula de ciudadania": IdType.CC,
    "ce": IdType.CE,
    "cedula de extranjeria": IdType.CE,
    "ppt": IdType.PPT,
    "pa": IdType.PASSPORT,
    "pasaporte": IdType.PASSPORT,
}
USE_CLASSES = {
    "residencial": SubscriberAccount.UseClass.RESIDENTIAL,
    "comercial": SubscriberAccount.UseClass.COMMERCIAL,
    "industrial": SubscriberAccount.UseClass.INDUSTRIAL,
    "oficial": SubscriberAccount.UseClass.OFFICIAL,
    "especial": SubscriberAccount.UseClass.SPECIAL,
}
PRODUCER_TYPES = {
    "pequeno productor": SubscriberAccount.ProducerType.SMALL,
    "pequeno": SubscriberAccount.ProducerType.SMALL,
    "gran productor": SubscriberAccount.ProducerType.LARGE,
    "gran": SubscriberAccount.ProducerType.LARGE,
    "grande": SubscriberAccount.ProducerType.LARGE,
}
STATUSES = {
    "activo": SubscriberAccount.Status.ACTIVE,
    "activa": SubscriberAccount.Status.ACTIVE,
    "desvinculado": SubscriberAccount.Status.UNLINKED,
    "desvinculada": SubscriberAccount.Status.UNLINKED,
    "suspendido": SubscriberAccount.Status.SUSPENDED,
    "suspendida": SubscriberAccount.Status.SUSPENDED,
}
# Names the registry uses for an account whose subscriber is not identified.
NO_DOCUMENT_NAMES = frozenset({"sin informacion", "sin info", "no registra"})
# Document columns of an account stored without a document.
NO_DOCUMENT = MappingProxyType(
    {"id_type": "", "id_number": "", "check_digit": "", "check_digit_mismatch": False}
)

# Columns of the account table the import writes, with the values of a new account.
NEW_ACCOUNT = {
    "account_code": "",
    "cadastral_number": "",
    "id_type": "",
    "id_number": "",
    "check_digit": "",
    "check_digit_mismatch": False,
    "name": "",
    "address": "",
    "barrio": "",
    "municipality_id": None,
    "zone_id": None,
    "use_class": "",
    "estrato": None,
    "producer_type": "",
    "is_multiuser": False,
    "unit_count": 1,
    "status": SubscriberAccount.Status.ACTIVE,
    "linked_on": None,
    "unlinking_scheduled_on": None,
    "unlinked_on": None,
    "billing_account": "",
    "search_text": "",
    "created_at": None,
    "updated_at": None,
}
WRITE_FIELDS = list(NEW_ACCOUNT)
# The text columns of a new account, in the order _copy_line writes them.
# NOTE: _copy_line lists them itself; keep the two in the same order.
COPY_TEXT_FIELDS = (
    "account_code",
    "cadastral_number",
    "id_type",
    "id_number",
    "check_digit",
    "name",
    "address",
    "barrio",
    "municipality_id",
    "use_class",
    "producer_type",
    "status",
    "billing_account",
    "search_text",
)
# Every column _copy_line writes: the key, the text columns, then the others.
COPY_COLUMNS = [
    "id",
    *COPY_TEXT_FIELDS,
    "check_digit_mismatch",
    "zone_id",
    "estrato",
    "is_multiuser",
    "unit_count",
    "linked_on",
    "unlinking_scheduled_on",
    "unlinked_on",
    "created_at",
    "updated_at",
]
UPDATE_FIELDS = [f for f in WRITE_FIELDS if f not in ("account_code", "created_at")]
COMPARE_FIELDS = [f for f in UPDATE_FIELDS if f != "updated_at"]

_CODE_SEPARATORS = re.compile(r"[\s.\-]+")

# Columns whose few distinct values decide the municipality, use class, estrato,
# producer type and status. Their combinations repeat on most rows, so each
# combination is checked once (SubscriberImporter._parse_categories).
CATEGORY_KEYS = (
    "dane_code",
    "municipality",
    "use_class",
    "estrato",
    "producer_type",
    "status",
)
# Combinations remembered per import: a registry has a few hundred, and the
# bound keeps memory flat on a file where they do not repeat.
CATEGORY_CACHE_SIZE = 4096

# Classes, statuses and types repeat on every row: fold each once.
cached_fold = lru_cache(maxsize=4096)(fold)


def _unlinked_by_termination() -> frozenset[str]:
    """Return the codes of the unlinked accounts whose latest novelty is an
    unlinking, that is, accounts the termination flow unlinked."""
    # Imported here because the terminations app depends on this one.
    from terminations.models import RegistryNovelty

    latest_kind = {}
    novelties = (
        RegistryNovelty.objects.filter(
            account__status=SubscriberAccount.Status.UNLINKED
        )
        .order_by("effective_on", "pk")
        .values_list("account__account_code", "kind")
    )
    for code, kind in novelties:
        latest_kind[code] = kind
    return frozenset(
        code
        for code, kind in latest_kind.items()
        if kind == RegistryNovelty.Kind.UNLINKED
    )


class _IssueLog:
    """Stand-in for RowReader that stores the problems a parse method reports,
    so that they can be replayed on every row with the same cells."""

    __slots__ = ("issues", "rejected")

    def __init__(self):
        self.issues: list[tuple[bool, str, str, object]] = []
        self.rejected = False

    def error(self, key: str, message: str, value=None) -> None:
        self.issues.append((True, key, message, value))
        self.rejected = True

    def warning(self, key: str, message: str, value=None) -> None:
        self.issues.append((False, key, message, value))


@dataclass(frozen=True, slots=True)
class _Categories:
    """Parsed category cells of a row, with the problems found."""

    municipality: Municipality | None
    class_values: dict
    status: str | None
    issues: tuple[tuple[bool, str, str, object], ...]


@dataclass(frozen=True)
class _NewAccounts:
    """A batch of new accounts as COPY lines of COPY_COLUMNS, and their keys."""

    keys: range
    text: str


@dataclass
class AccountRecord:
    """A valid row: the account columns it fills, and labels for the report."""

    values: dict
    municipality_name: str = ""


@register
class SubscriberImporter(Importer):
    kind = "catastro"
    title = _("Catastro de suscriptores")
    description = _(
        "Cuentas del servicio público de aseo: código de cuenta, predio, suscriptor, "
        "dirección, municipio, clase de uso, estrato y estado. Las cuentas ya "
        "registradas se actualizan por su código."
    )
    columns = COLUMNS
    foreign_kinds = (COMPETITOR_LIST, CUSTOMER_DATABASE)
    # parse_row reads only the lookups prepare() loads, so batches may be
    # written while the next rows are parsed.
    write_behind = True

    def prepare(self) -> None:
        self.municipalities_by_code = {
            municipality.dane_code: municipality
            for municipality in Municipality.objects.all()
        }
        self.municipalities_by_name: dict[str, Municipality] = {}
        for municipality in self.municipalities_by_code.values():
            self.municipalities_by_name.setdefault(
                fold(municipality.name), municipality
            )
        self.zones = ZoneResolver()
        self.unlinked_by_termination = _unlinked_by_termination()
        self.user_id = self.user.pk if self.user is not None else None
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.max_lengths = {
            key: SubscriberAccount._meta.get_field(key).max_length
            for key in ("account_code", *CHECKED_TEXT_KEYS)
        }
        self.category_cache: dict[tuple, _Categories] = {}
        self.restore_statements: list[str] = []
        self.started_empty = False
        if uses_copy():
            self._lock_accounts()
            self.started_empty = not SubscriberAccount.objects.exists()
        if self.started_empty:
            # An empty registry has nothing to read, so locking readers out of
            # the table until the commit costs nothing, and each index is built
            # once over the loaded rows.
            self.restore_statements = [
                *drop_secondary_indexes(SubscriberAccount, keep=LOADED_INDEXES),
                *drop_foreign_keys(SubscriberAccount),
            ]
            self.batch_size = EMPTY_REGISTRY_BATCH_SIZE
            # A key for every row, reserved while the table is locked, because
            # encode_batch gives rows their keys away from the database.
            self.new_keys = KeyBlock(SubscriberAccount, lambda: self.expected_rows or 0)

    def _lock_accounts(self) -> None:
        """Keep other transactions from writing accounts until this import ends
        (PostgreSQL only). The accounts it looked up then stay as read, and an
        import into an empty registry can insert without conflict checks.
        Readers are not blocked.

        NOTE: a user saving an account during a long import waits for it to end.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE "
                f"{connection.ops.quote_name(SubscriberAccount._meta.db_table)} "
                "IN SHARE ROW EXCLUSIVE MODE"
            )

    def finish(self) -> None:
        if self.started_empty and not self.dry_run:
            # A dry run is rolled back, which restores the dropped indexes.
            restore_schema(self.restore_statements)

    def after_commit(self, report: ImportReport) -> None:
        """Run VACUUM (ANALYZE) on the account table after a large import
        (PostgreSQL only), analysing ANALYZED_COLUMNS. The planner then has
        statistics of the new rows, and the broad registry search reads its
        covering index without visiting the table, which needs the pages marked
        all-visible. Inside an enclosing transaction, where VACUUM cannot run,
        only ANALYZE runs."""
        if not uses_copy() or report.created + report.updated < LARGE_IMPORT_ACCOUNTS:
            return
        quote = connection.ops.quote_name
        table = quote(SubscriberAccount._meta.db_table)
        columns = ", ".join(quote(column) for column in ANALYZED_COLUMNS)
        statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"{statement} {table} ({columns})")
        except DatabaseError:
            # The accounts are committed: autovacuum catches up later.
            logger.warning(
                "%s of %s failed after an import", statement, table, exc_info=True
            )

    def parse_row(self, row: RowReader) -> AccountRecord | None:
        # Every cell is read once, as text: the import runs this for each of
        # hundreds of thousands of rows.
        texts = row.text_map()
        values = {}
        account_code = self._parse_account_code(row, texts.get("account_code", ""))
        name = texts.get("name", "")
        if not name:
            row.error(
                "name",
                _(
                    "Falta el nombre del suscriptor. Escríbalo, o SIN INFORMACION si "
                    "no se conoce."
                ),
            )
        max_lengths = self.max_lengths
        for key in CHECKED_TEXT_KEYS:
            text = texts.get(key)
            if text is not None and len(text) > max_lengths[key]:
                row.check_length(key, text, max_lengths[key])
        values.update(self._parse_identity(row, texts, name))
        category_texts = tuple(map(texts.get, CATEGORY_KEYS))
        categories = self.category_cache.get(category_texts)
        if categories is None:
            categories = self._parse_categories(category_texts)
        for is_error, key, message, value in categories.issues:
            if is_error:
                row.error(key, message, value)
            else:
                row.warning(key, message, value)
        municipality = categories.municipality
        values.update(categories.class_values)
        status = categories.status
        if row.rejected:
            return None
        if account_code in self.unlinked_by_termination:
            status = self._keep_unlinked(row, account_code, status)

        values["account_code"] = account_code
        values["name"] = name
        values["status"] = status
        values["municipality_id"] = municipality.dane_code
        for key in ("address", "barrio", "billing_account"):
            if key in texts:
                values[key] = texts[key]
        if "cadastral_number" in texts:
            values["cadastral_number"] = self._parse_cadastral_number(
                row, texts["cadastral_number"]
            )
        if texts.get("linked_on"):
            linked_on = self._parse_linked_on(row, texts["linked_on"])
            if linked_on is not None:
                values["linked_on"] = linked_on
        if "is_multiuser" in texts or "unit_count" in texts:
            self._parse_units(row, values)
        return AccountRecord(values=values, municipality_name=municipality.name)

    def _parse_categories(self, category_texts: tuple) -> _Categories:
        """Parse the CATEGORY_KEYS cells (None for a column the file lacks) and
        remember the outcome for the rows that repeat them. The issues keep
        the value None where the parse method passed none, so a replayed issue
        shows the cell of its own row."""
        texts = {
            key: text
            for key, text in zip(CATEGORY_KEYS, category_texts, strict=True)
            if text is not None
        }
        log = _IssueLog()
        categories = _Categories(
            municipality=self._parse_municipality(log, texts),
            class_values=self._parse_class(log, texts),
            status=self._parse_status(log, texts),
            issues=tuple(log.issues),
        )
        if len(self.category_cache) < CATEGORY_CACHE_SIZE:
            self.category_cache[category_texts] = categories
        return categories

    def _parse_account_code(self, row: RowReader, text: str) -> str:
        """Return the code without the spaces, dots and dashes that group its
        digits, leading zeros kept. A code must be digits only, as the
        termination requests' account form requires, and a leading dash is a
        minus sign, not a separator."""
        code = text if text.isdigit() else _CODE_SEPARATORS.sub("", text)
        max_length = self.max_lengths["account_code"]
        if not code:
            row.error(
                "account_code",
                _("Falta el código de cuenta. Escríbalo para identificar la cuenta."),
            )
        elif not code.isdigit() or not text[0].isdigit():
            row.error(
                "account_code",
                _(
                    "El código de cuenta «%(value)s» no es válido: escriba solo los "
                    "dígitos de la cuenta, con los ceros iniciales (p. ej. 449001234)."
                )
                % {"value": text},
            )
        elif len(code) > max_length:
            row.error(
                "account_code",
                _(
                    "El código de cuenta «%(value)s» es demasiado largo: use a lo sumo "
                    "%(max_length)s dígitos."
                )
                % {"value": text, "max_length": max_length},
            )
        return code

    def _parse_identity(self, row: RowReader, texts: dict, name: str) -> dict:
        """Return the document columns. A missing document keeps the account with
        a warning. So does a NIT whose DV does not match, with the DV kept as
        written and flagged for review, because losing a registry account over a
        typo in the DV is worse than storing it."""
        type_text = texts.get("id_type", "")
        raw_number = texts.get("id_number", "")
        raw_check_digit = texts.get("check_digit", "")
        if not raw_number:
            if cached_fold(name) in NO_DOCUMENT_NAMES:
                message = _(
                    "La cuenta no tiene documento del suscriptor (SIN INFORMACION). "
                    "Se guarda sin documento; complételo cuando se conozca."
                )
            else:
                message = _(
                    "Falta el número de documento del suscriptor. La cuenta se guarda "
                    "sin documento; complételo cuando se conozca."
                )
            row.warning("id_number", message)
            return NO_DOCUMENT

        id_type = None
        if type_text:
            id_type = ID_TYPES.get(cached_fold(type_text).replace(".", ""))
            if id_type is None:
                row.error(
                    "id_type",
                    _(
                        "«%(value)s» no es un tipo de documento conocido: escriba NIT, "
                        "CC, CE, PPT o PA."
                    )
                    % {"value": type_text},
                )
                return NO_DOCUMENT
        try:
            identification = parse_identification(raw_number, raw_check_digit, id_type)
        except ValidationError as error:
            if error.code != "wrong_dv":
                column = "check_digit" if error.code == "invalid_dv" else "id_number"
                row.error(column, " ".join(error.messages))
                return NO_DOCUMENT
            row.warning(
                "check_digit",
                " ".join(error.messages)
                + " "
                + _("La cuenta se guarda con el DV como venía, marcado para revisar."),
            )
            identification = parse_identification(raw_number, "", id_type)
            return {
                "id_type": identification.id_type,
                "id_number": identification.number,
                "check_digit": raw_check_digit,
                "check_digit_mismatch": True,
            }
        return {
            "id_type": identification.id_type,
            "id_number": identification.number,
            "check_digit": identification.check_digit,
            "check_digit_mismatch": False,
        }

    def _parse_municipality(self, row: RowReader, texts: dict) -> Municipality | None:
        code = texts.get("dane_code", "")
        if code:
            municipality = self.municipalities_by_code.get(code.zfill(5))
            if municipality is None:
                row.error(
                    "dane_code",
                    _(
                        "El código DANE «%(value)s» no corresponde a ningún municipio "
                        "registrado: escriba los 5 dígitos del código DIVIPOLA "
                        "(73449 para Melgar)."
                    )
                    % {"value": code},
                )
            return municipality

        text = texts.get("municipality", "")
        municipality = self.municipalities_by_name.get(cached_fold(text))
        if municipality is None:
            key = "municipality" if "municipality" in texts else "dane_code"
            if not text:
                row.error(
                    key,
                    _(
                        "Falta el municipio: escriba el código DANE de 5 dígitos en "
                        "COD_DANE_MUNICIPIO (73449 para Melgar)."
                    ),
                )
                return None
            row.error(
                key,
                _(
                    "No se encontró el municipio «%(value)s»: escriba el código DANE "
                    "de 5 dígitos en COD_DANE_MUNICIPIO."
                )
                % {"value": text},
            )
        return municipality

    def _parse_class(self, row: RowReader, texts: dict) -> dict:
        """Return use class, estrato and producer type, or {} when rejected."""
        text = texts.get("use_class", "")
        use_class = USE_CLASSES.get(cached_fold(text))
        if use_class is None:
            row.error(
                "use_class",
                _(
                    "«%(value)s» no es una clase de uso: escriba RESIDENCIAL, "
                    "COMERCIAL, INDUSTRIAL, OFICIAL o ESPECIAL."
                )
                % {"value": text},
            )
            return {}
        if use_class == SubscriberAccount.UseClass.RESIDENTIAL:
            return self._parse_residential(row, texts)

        if texts.get("estrato"):
            row.warning(
                "estrato",
                _(
                    "Solo las cuentas residenciales llevan estrato; se ignoró para "
                    "esta cuenta %(use)s."
                )
                % {"use": text.lower()},
            )
        producer_text = texts.get("producer_type", "")
        producer_type = PRODUCER_TYPES.get(cached_fold(producer_text), "")
        if producer_text and not producer_type:
            row.warning(
                "producer_type",
                _(
                    "«%(value)s» no es un tipo de productor: escriba PEQUEÑO PRODUCTOR "
                    "o GRAN PRODUCTOR. Se dejó vacío."
                )
                % {"value": producer_text},
            )
        return {"use_class": use_class, "estrato": None, "producer_type": producer_type}

    def _parse_residential(self, row: RowReader, texts: dict) -> dict:
        text = texts.get("estrato", "")
        estrato = None
        if text.isdigit() and 1 <= int(text) <= 6:
            estrato = int(text)
        elif not text:
            row.error(
                "estrato",
                _(
                    "Falta el estrato de la cuenta residencial: escriba un número de 1 a 6."
                ),
            )
        else:
            row.error(
                "estrato",
                _(
                    "El estrato «%(value)s» no es válido para una cuenta residencial: "
                    "escriba un número de 1 a 6."
                )
                % {"value": text},
            )
        if texts.get("producer_type"):
            row.warning(
                "producer_type",
                _("Las cuentas residenciales no llevan tipo de productor; se ignoró."),
            )
        return {
            "use_class": SubscriberAccount.UseClass.RESIDENTIAL,
            "estrato": estrato,
            "producer_type": "",
        }

    def _parse_status(self, row: RowReader, texts: dict) -> str:
        text = texts.get("status", "")
        if not text:
            if "status" in texts:
                row.warning(
                    "status", _("Falta el estado de la cuenta; se dejó como ACTIVO.")
                )
            return SubscriberAccount.Status.ACTIVE
        status = STATUSES.get(cached_fold(text))
        if status is None:
            row.error(
                "status",
                _(
                    "«%(value)s» no es un estado de cuenta: escriba ACTIVO, SUSPENDIDO "
                    "o DESVINCULADO."
                )
                % {"value": text},
            )
        return status

    def _keep_unlinked(self, row: RowReader, account_code: str, status: str) -> str:
        if status != SubscriberAccount.Status.UNLINKED:
            row.warning(
                "status",
                _(
                    "La cuenta %(code)s fue desvinculada por una solicitud de "
                    "terminación del contrato; se mantuvo DESVINCULADO. Si el "
                    "suscriptor volvió, regístrelo como vinculado en una reunión de "
                    "conciliación."
                )
                % {"code": account_code},
            )
        return SubscriberAccount.Status.UNLINKED

    def _parse_linked_on(self, row: RowReader, text: str) -> date | None:
        """Return the date, or None with a warning when it is invalid, after
        today (Bogotá) or before EARLIEST_LINKED_ON."""
        try:
            linked_on = self._read_date(text)
        except CellError as error:
            problem = error.message
        else:
            if EARLIEST_LINKED_ON <= linked_on <= self.today:
                return linked_on
            problem = _(
                "La fecha de vinculación %(value)s no es válida: debe estar entre "
                "el %(earliest)s y hoy, %(today)s."
            ) % {
                "value": format_date(linked_on),
                "earliest": format_date(EARLIEST_LINKED_ON),
                "today": format_date(self.today),
            }
        row.warning(
            "linked_on",
            problem
            + " "
            + _(
                "Se conservó la fecha de vinculación registrada; una cuenta nueva "
                "queda sin fecha."
            ),
            text,
        )
        return None

    @staticmethod
    def _read_date(text: str) -> date:
        # Registry exports write ISO dates: read them without the general parser,
        # which costs a tenth of the import on large files.
        if len(text) == 10 and text[4] == "-":
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        return parse_date(text)

    def _parse_cadastral_number(self, row: RowReader, text: str) -> str:
        number = text if text.isdigit() else _CODE_SEPARATORS.sub("", text)
        if number and not (number.isdigit() and len(number) in (20, 30)):
            row.warning(
                "cadastral_number",
                _(
                    "El número predial «%(value)s» no es válido: debe tener 30 dígitos "
                    "(o 20 en el formato anterior). Se dejó vacío."
                )
                % {"value": text},
            )
            return ""
        return number

    def _parse_units(self, row: RowReader, values: dict) -> None:
        multiuser = row.parse("is_multiuser", parse_yes_no)
        units = row.parse("unit_count", parse_integer)
        if units is not None and units < 1:
            row.warning(
                "unit_count",
                _("Las unidades deben ser 1 o más; se dejó 1."),
            )
            units = 1
        if row.has("is_multiuser"):
            values["is_multiuser"] = bool(multiuser) or bool(units and units > 1)
        elif units and units > 1:
            values["is_multiuser"] = True
        if row.has("unit_count"):
            values["unit_count"] = units or 1

    def record_key(self, record: AccountRecord) -> str:
        return record.values["account_code"]

    def scan_key(self, row: RowReader) -> str | None:
        text = row.text("account_code")
        if text.isdigit():
            return text
        return _CODE_SEPARATORS.sub("", text) or None

    def merge_records(
        self, earlier: AccountRecord, later: AccountRecord
    ) -> tuple[AccountRecord, bool]:
        merged = AccountRecord(
            values={**earlier.values, **later.values},
            municipality_name=later.municipality_name,
        )
        return merged, merged.values != earlier.values

    def key_display(self, record: AccountRecord) -> str:
        return record.values["account_code"]

    def preview_row(self, record: AccountRecord) -> dict[str, str]:
        values = record.values
        estrato = values.get("estrato")
        return {
            _("Cuenta"): values["account_code"],
            _("Suscriptor"): values["name"],
            _("Documento"): format_identification(
                values["id_type"], values["id_number"], values["check_digit"]
            ),
            _("Dirección"): values.get("address", ""),
            _("Municipio"): record.municipality_name,
            _("Uso"): str(SubscriberAccount.UseClass(values["use_class"]).label),
            _("Estrato"): str(estrato) if estrato else "",
            _("Estado"): str(SubscriberAccount.Status(values["status"]).label),
            _("Vinculación"): format_date(values.get("linked_on")),
        }

    def encode_batch(
        self, batch: list[PendingRecord]
    ) -> list[PendingRecord] | _NewAccounts:
        """Return the batch as COPY text when the registry was empty when the
        import began, else unchanged (see Importer.encode_batch). Keys do not
        repeat across batches, so every record is then a new account."""
        if not self.started_empty:
            return batch
        keys = self.new_keys.take(len(batch))
        # The columns after linked_on are the same for every new account.
        now = self.now.isoformat()
        tail = f"\t{COPY_NULL}\t{COPY_NULL}\t{now}\t{now}\n"
        text = "".join(
            self._copy_line(key, pending.record.values, tail)
            for key, pending in zip(keys, batch, strict=True)
        )
        return _NewAccounts(keys, text)

    def write_batch(
        self, batch: list[PendingRecord] | _NewAccounts
    ) -> list[WriteResult]:
        if isinstance(batch, _NewAccounts):
            return self._insert_new(batch)
        now = timezone.now()
        stored = {
            row["account_code"]: row
            for row in SubscriberAccount.objects.filter(
                account_code__in=[pending.key for pending in batch]
            ).values("id", *WRITE_FIELDS)
        }
        plan = [
            self._merge(pending.record, stored.get(pending.key), now)
            for pending in batch
        ]

        written = [
            row for row, outcome, _stored in plan if outcome != Outcome.UNCHANGED
        ]
        keys = bulk_upsert(
            SubscriberAccount,
            [{field: row[field] for field in WRITE_FIELDS} for row in written],
            key="account_code",
            update_fields=UPDATE_FIELDS,
            compare_fields=COMPARE_FIELDS,
        )
        created, changed = [], []
        for row, outcome, _stored in plan:
            if outcome == Outcome.CREATED:
                row["id"] = keys[row["account_code"]]
                created.append(row)
            elif outcome == Outcome.UPDATED:
                changed.append(row)
        history_insert(
            SubscriberAccount, created, history_type="+", user_id=self.user_id, when=now
        )
        history_insert(
            SubscriberAccount, changed, history_type="~", user_id=self.user_id, when=now
        )

        # Only changed accounts are listed as matches: a re-import of the whole
        # registry would otherwise list every account.
        results = []
        for _row, outcome, existing in plan:
            label = ""
            if outcome == Outcome.UPDATED:
                label = _("cuenta registrada %(code)s «%(name)s»") % {
                    "code": existing["account_code"],
                    "name": existing["name"],
                }
            results.append(WriteResult(outcome, label))
        return results

    def _insert_new(self, accounts: _NewAccounts) -> list[WriteResult]:
        """COPY new accounts into the registry, with one history record each.
        The lock prepare() took keeps other inserts out of the table."""
        copy_lines(SubscriberAccount, COPY_COLUMNS, accounts.text)
        history_insert_stored(
            SubscriberAccount,
            accounts.keys,
            history_type="+",
            user_id=self.user_id,
            when=self.now,
        )
        return [WriteResult(Outcome.CREATED)] * len(accounts.keys)

    def _copy_line(self, key: int, values: dict, tail: str) -> str:
        """Return a new account as a line of COPY_COLUMNS in COPY text format.
        `tail` contains the columns after linked_on. Columns the file lacks
        take their NEW_ACCOUNT values."""
        get = values.get
        name = values["name"]
        address = get("address", "")
        barrio = get("barrio", "")
        municipality_id = values["municipality_id"]
        zone_id = self.zones.zone_for(municipality_id, barrio)
        estrato = values["estrato"]
        linked_on = get("linked_on")
        texts = (
            values["account_code"],
            get("cadastral_number", ""),
            values["id_type"],
            values["id_number"],
            values["check_digit"],
            name,
            address,
            barrio,
            municipality_id,
            values["use_class"],
            values["producer_type"],
            values["status"],
            get("billing_account", ""),
            account_search_text(name, address, barrio),
        )
        return (
            "\t".join(
                (
                    str(key),
                    copy_text_fields(texts),
                    "t" if values["check_digit_mismatch"] else "f",
                    COPY_NULL if zone_id is None else str(zone_id),
                    COPY_NULL if estrato is None else str(estrato),
                    "t" if get("is_multiuser", False) else "f",
                    str(get("unit_count", 1)),
                    COPY_NULL if linked_on is None else linked_on.isoformat(),
                )
            )
            + tail
        )

    def _fill_derived(self, row: dict) -> None:
        """Set the zone and search text that follow from the row's other columns."""
        row["zone_id"] = self.zones.zone_for(row["municipality_id"], row["barrio"])
        row["search_text"] = account_search_text(
            row["name"], row["address"], row["barrio"]
        )

    def _merge(self, record: AccountRecord, existing: dict | None, now):
        """Return (row to write, outcome, stored row) for one record."""
        if existing is None:
            row = {**NEW_ACCOUNT, **record.values, "created_at": now, "updated_at": now}
            outcome = Outcome.CREATED
        else:
            row = {**existing, **record.values}
            differs = any(row[name] != existing[name] for name in record.values)
            outcome = Outcome.UPDATED if differs else Outcome.UNCHANGED
            row["updated_at"] = now
        self._fill_derived(row)
        if existing is not None and row["zone_id"] != existing["zone_id"]:
            outcome = Outcome.UPDATED
        return row, outcome, existing
