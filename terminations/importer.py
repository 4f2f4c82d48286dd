"""Import of a competitor's list of termination requests (the spreadsheet they
deliver with title rows, a two-level header and a totals footer).

Each row becomes a TerminationRequest, matched to our registry in bulk
(terminations.matching). Rows that match no account, repeat an earlier request or
name an account already unlinked or claimed by another competitor are kept and
flagged, never dropped. The importer is not registered on the generic import pages
because it needs the competitor; terminations.services.request_list_import runs it.
"""

import calendar as month_calendar
import re
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Case, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.calendar import BusinessCalendar
from core.imports import (
    Column,
    ForeignKind,
    Importer,
    Outcome,
    PendingRecord,
    RowReader,
    Severity,
    WriteResult,
    is_excel_serial,
    parse_date,
)
from core.imports.bulk import bulk_insert, history_insert_stored
from core.imports.reading import xlsx_formulas
from core.text import fold
from customers.importer import CUSTOMER_DATABASE
from subscribers.models import SubscriberAccount
from terminations.matching import (
    CADASTRAL_NUMBER_LENGTH,
    MatchKeys,
    match_rows,
    normalise_address,
    normalise_id,
    parse_row_code,
)
from terminations.models import (
    RequestList,
    TerminationRequest,
    received_search_text,
)
from terminations.preview import count_display

# Every column of a request but its key, in the order the import writes them.
REQUEST_COLUMNS = [
    field.attname
    for field in TerminationRequest._meta.concrete_fields
    if not field.primary_key
]

COLUMNS = [
    Column("number", _("No."), aliases=("Número", "Nro", "Consecutivo")),
    Column(
        "filed_on",
        _("FECHA RADICACIÓN"),
        aliases=("Fecha de radicación", "Fecha radicado", "Fecha"),
        required=True,
    ),
    Column(
        "code",
        _("CÓDIGO CUENTA / CATASTRO"),
        aliases=("Código cuenta", "Cuenta", "Código de cuenta", "Número predial"),
        required=True,
    ),
    Column("name", _("NOMBRE SUSCRIPTOR"), aliases=("Nombre", "Suscriptor")),
    Column(
        "id_number",
        _("CÉDULA / NIT"),
        aliases=("Cédula", "NIT", "Documento", "NIT/CC"),
    ),
    Column("address", _("DIRECCIÓN"), aliases=("Dirección del predio",)),
    Column("barrio", _("BARRIO"), aliases=("Barrio / Vereda", "Vereda")),
    Column("estrato", _("ESTRATO")),
    Column("use", _("USO"), aliases=("Clase de uso", "Uso del predio")),
    Column("phone", _("TELÉFONO"), aliases=("Teléfonos", "Celular")),
    Column("notes", _("OBSERVACIONES"), aliases=("Observación", "Notas")),
]

# The billing system's registry export (subscribers.importer), which a person
# may pick by mistake: its FECHA_VINCULACION would be read as the filing date.
# A competitor's list may carry one of these headers (ESTADO), so a file needs
# two of them (ForeignKind.min_headers) to be taken for a registry export.
REGISTRY_EXPORT = ForeignKind(
    name=gettext_lazy("el catastro de suscriptores (exportación de facturación)"),
    headers=(
        "FECHA_VINCULACION",
        "COD_DANE_MUNICIPIO",
        "TIPO_PRODUCTOR",
        "MULTIUSUARIO",
        "ESTADO",
        "TIPO_DOCUMENTO",
    ),
)

# Maximum length of each text column. Name, address and barrio may be copied to
# the registry account, so they take its fields' max_length. The others are kept
# only in TerminationRequest.received (a JSONField) and get a limit long enough
# for any real value, so a pasted document cannot flood the pages that show it.
_ACCOUNT_FIELDS = {field.name: field for field in SubscriberAccount._meta.fields}
MAX_LENGTHS = {
    "number": 20,
    "name": _ACCOUNT_FIELDS["name"].max_length,
    # An identification as written, with dots, a dash and a type ("CC 1.019.968.196").
    "id_number": 30,
    "address": _ACCOUNT_FIELDS["address"].max_length,
    "barrio": _ACCOUNT_FIELDS["barrio"].max_length,
    "estrato": 10,
    "use": 60,
    "phone": 60,
    "notes": 2000,
}

# Folded estrato cells that mean a non-residential account, which has none.
ESTRATO_NOT_APPLICABLE = frozenset({"", "n/a", "na", "no aplica", "-"})

# Text columns searched for formula cells in an XLSX list.
FORMULA_COLUMNS = tuple(MAX_LENGTHS)

# The display text of =HYPERLINK("link", "text"), the usual formula in a name cell.
HYPERLINK_TEXT = re.compile(
    r'^=\s*HYPERLINK\s*\(\s*"(?:[^"]|"")*"\s*[,;]\s*"((?:[^"]|"")*)"\s*\)\s*$',
    re.IGNORECASE,
)


def formula_text(formula: str) -> str:
    """Return the text a formula cell shows when it can be read without Excel:
    the display text of a HYPERLINK, otherwise the formula as written."""
    match = HYPERLINK_TEXT.match(formula)
    if match:
        return " ".join(match.group(1).replace('""', '"').split())
    return formula


# Rows named in the note about filing dates converted from Excel serial numbers.
SERIAL_ROWS_LISTED = 10

# Rows of each kind the preview lists, the first ones of the file.
SAMPLE_ROWS = 20
# Kinds of row the preview lists (terminations.preview labels them). A row is
# listed under every kind it belongs to, and "truncated" rows are unmatched ones.
SAMPLE_KINDS = (
    "matched",
    "unmatched",
    "truncated",
    "duplicates",
    "claimed_by_other",
    "already_unlinked",
)
MATCH_PROBLEMS = {
    "cuenta": gettext_lazy("Coincide por código de cuenta."),
    "predial": gettext_lazy("Coincide por número predial."),
    "documento": gettext_lazy("Coincide por documento y dirección."),
}


def file_column_labels(positions: dict[str, int]) -> list[str]:
    """Return the labels of the COLUMNS a file has, in the order of their
    `positions` in the file (column key to index)."""
    found = [column for column in COLUMNS if column.key in positions]
    found.sort(key=lambda column: positions[column.key])
    return [str(column.label) for column in found]


def received_items(received: dict, column_order: list[str]) -> list[tuple[str, str]]:
    """Return a request's received cells (TerminationRequest.received) as
    (label, value) pairs in `column_order`, the file's column labels. Without
    it (lists imported before it was recorded) the pairs follow COLUMNS, the
    usual layout of a list. Labels in neither come last."""
    order = column_order or [str(column.label) for column in COLUMNS]
    position = {label: index for index, label in enumerate(order)}
    labels = sorted(received, key=lambda label: position.get(label, len(order)))
    return [(label, received[label]) for label in labels]


def months_before(day: date, months: int) -> date:
    """Return the same day `months` calendar months earlier (the month's last day
    when that month is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last_day = month_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _date_display(value: date, written: str) -> str:
    """Return the date as dd/mm/aaaa, followed by the cell as written when the
    cell was not already that text (a serial number, another format)."""
    formatted = value.strftime("%d/%m/%Y")
    return formatted if written in ("", formatted) else f"{formatted} («{written}»)"


class TerminationRequestImporter(Importer):
    kind = "solicitudes-terminacion"
    title = _("Solicitudes de terminación de un competidor")
    description = _(
        "Lista de suscriptores que un competidor dice que pidieron terminar el "
        "contrato: fecha de radicación, código de cuenta o número predial, nombre, "
        "documento y dirección."
    )
    columns = COLUMNS
    foreign_kinds = (REGISTRY_EXPORT, CUSTOMER_DATABASE)
    batch_size = 2000

    def __init__(self, *, request_list: RequestList, user=None, dry_run=False):
        super().__init__(user=user, dry_run=dry_run)
        self.request_list = request_list
        self.competitor = request_list.competitor
        self.tally: Counter = Counter()
        # For each of SAMPLE_KINDS, the number of rows and the first
        # SAMPLE_ROWS of them, for the preview.
        self.samples: dict[str, dict] = {
            kind: {"count": 0, "rows": []} for kind in SAMPLE_KINDS
        }
        # Request written first for each key (account id, or the code as written).
        self.first_by_key: dict = {}
        # The labels of the file's columns in the file's order, read on the
        # first row.
        self.received_columns: list[str] | None = None

    def prepare(self) -> None:
        self.user_id = self.user.pk if self.user is not None else None
        self.calendar = BusinessCalendar()
        self.response_days = settings.TERMINATION_RESPONSE_BUSINESS_DAYS
        self.effective_months = settings.TERMINATION_EFFECTIVE_MONTHS
        self.deadlines: dict[date, tuple[date, date]] = {}
        # A request is filed before the list that carries it is received, and a
        # filing date older than TERMINATION_FILED_MAX_AGE_MONTHS is taken for a
        # mistyped year.
        self.latest_filing = self.request_list.received_on
        self.filing_max_age_months = settings.TERMINATION_FILED_MAX_AGE_MONTHS
        self.earliest_filing = months_before(
            self.latest_filing, self.filing_max_age_months
        )
        # Spreadsheet rows whose filing date came as an Excel serial number.
        self.serial_date_rows: list[int] = []
        # Formula cells of an XLSX list, read on the first row (the importer
        # gets the table only with its rows).
        self.formulas: dict[tuple[int, str], str] | None = None

    def parse_row(self, row: RowReader):
        filed_on = row.parse("filed_on", parse_date, severity=Severity.ERROR)
        if filed_on is None and not row.rejected:
            row.error(
                "filed_on",
                _("Falta la fecha de radicación. Escríbala como dd/mm/aaaa."),
            )
        if filed_on is not None:
            self._check_filing_date(row, filed_on)
        code = parse_row_code(row.raw("code"))
        if not code.key and row.text("code"):
            row.error(
                "code",
                _(
                    "«%(value)s» no es un código de cuenta ni un número predial: "
                    "no tiene dígitos. Escriba el código de 9 dígitos o el "
                    "predial de 30."
                )
                % {"value": row.text("code")},
            )
        elif not code.key:
            row.error(
                "code",
                _(
                    "Falta el código de cuenta o el número predial. Escriba el "
                    "código de 9 dígitos o el predial de 30."
                ),
            )
        if self.received_columns is None:
            self.received_columns = file_column_labels(row.table.header.positions)
        texts = {column.key: row.text(column.key) for column in COLUMNS}
        self._read_formulas(row, texts)
        self._check_lengths(row, texts)
        self._check_estrato(row, texts["estrato"])
        if row.rejected:
            return None
        if code.truncated:
            # The cell's text spells the float Excel kept in full, with digits
            # that were never in the file.
            texts["code"] = _("%(digits)s… (truncado por Excel)") % {"digits": code.key}
        received = {
            str(column.label): texts[column.key]
            for column in COLUMNS
            if texts[column.key]
        }
        return {
            "row": row.number,
            "filed_on": filed_on,
            "code": code,
            "keys": MatchKeys(
                code=code,
                id_number=normalise_id(texts["id_number"]),
                address=normalise_address(texts["address"]),
            ),
            "received": received,
        }

    def _read_formulas(self, row: RowReader, texts: dict[str, str]) -> None:
        """Keep the value Excel saved for a formula cell, or the formula's text
        when it saved none, and warn so the person checks it."""
        if self.formulas is None:
            self.formulas = xlsx_formulas(row.table, FORMULA_COLUMNS)
        if not self.formulas:
            return
        for key in FORMULA_COLUMNS:
            formula = self.formulas.get((row.number, key))
            if formula is None:
                continue
            if texts[key]:
                message = _(
                    "la celda tiene una fórmula (%(formula)s); se usó el valor que "
                    "Excel guardó, «%(value)s». Revise que sea el correcto."
                )
            else:
                texts[key] = " ".join(formula_text(formula).split())
                message = _(
                    "la celda tiene una fórmula (%(formula)s) sin valor guardado; "
                    "se usó su texto, «%(value)s». Revise que sea el correcto o "
                    "escriba el valor en lugar de la fórmula."
                )
            shown = formula if len(formula) <= 80 else formula[:80] + "…"
            row.warning(key, message % {"formula": shown, "value": texts[key]})

    def _check_lengths(self, row: RowReader, texts: dict[str, str]) -> None:
        for key, maximum in MAX_LENGTHS.items():
            length = len(texts[key])
            if length > maximum:
                row.error(
                    key,
                    _(
                        "el texto tiene %(length)s caracteres y el máximo es "
                        "%(maximum)s. Acórtelo en el archivo y cárguelo de nuevo."
                    )
                    % {
                        "length": count_display(length),
                        "maximum": count_display(maximum),
                    },
                    value=texts[key][:80] + "…",
                )

    def _check_estrato(self, row: RowReader, text: str) -> None:
        """Reject an estrato other than a whole number from 1 to 6. An empty cell
        or «N/A» is kept, because a non-residential account has none."""
        if fold(text) in ESTRATO_NOT_APPLICABLE:
            return
        if text.isdigit() and 1 <= int(text) <= 6:
            return
        row.error(
            "estrato",
            _(
                "El estrato «%(value)s» no es válido: escriba un número de 1 a 6, o "
                "deje la celda vacía si la cuenta no es residencial."
            )
            % {"value": text[:20]},
        )

    def _check_filing_date(self, row: RowReader, filed_on: date) -> None:
        """Reject a filing date after the day the list was received or older than
        the configured age, and remember rows whose date was an Excel serial."""
        written = row.text("filed_on")
        if filed_on > self.latest_filing:
            row.error(
                "filed_on",
                _(
                    "la fecha de radicación %(date)s es posterior al %(received)s, "
                    "día en que se recibió la lista. Corrija la fecha en el archivo "
                    "(dd/mm/aaaa) y cárguelo de nuevo."
                )
                % {
                    "date": _date_display(filed_on, written),
                    "received": self.latest_filing.strftime("%d/%m/%Y"),
                },
            )
        elif filed_on < self.earliest_filing:
            row.error(
                "filed_on",
                ngettext(
                    "la fecha de radicación %(date)s tiene más de %(months)s mes "
                    "(es anterior al %(earliest)s). Revise el año en el archivo, "
                    "corríjalo y cárguelo de nuevo.",
                    "la fecha de radicación %(date)s tiene más de %(months)s meses "
                    "(es anterior al %(earliest)s). Revise el año en el archivo, "
                    "corríjalo y cárguelo de nuevo.",
                    self.filing_max_age_months,
                )
                % {
                    "date": _date_display(filed_on, written),
                    "months": self.filing_max_age_months,
                    "earliest": self.earliest_filing.strftime("%d/%m/%Y"),
                },
            )
        if is_excel_serial(row.raw("filed_on")):
            self.serial_date_rows.append(row.number)

    # NOTE: record_key stays None on purpose. The engine flushes a batch whenever a
    # key repeats inside it, and competitors' lists repeat accounts often, so
    # write_batch finds repeats itself (first_by_key) and batches stay full.

    def key_display(self, record) -> str:
        return record["code"].display

    def preview_row(self, record) -> dict[str, str]:
        received = record["received"]
        return {
            _("Radicación"): record["filed_on"].strftime("%d/%m/%Y"),
            _("Código"): record["code"].display,
            _("Nombre"): received.get(str(COLUMNS[3].label), ""),
            _("Dirección"): received.get(str(COLUMNS[5].label), ""),
        }

    def write_batch(self, batch: list[PendingRecord]) -> list[WriteResult]:
        records = [pending.record for pending in batch]
        hits = match_rows([record["keys"] for record in records])
        earlier = self._earlier_requests(records, hits)
        claims = self._claims_by_others(hits)

        firsts, repeats, results = [], [], []
        for record, hit in zip(records, hits, strict=True):
            request = self._build(record, hit, claims)
            key = hit.account_id if hit else ("code", record["code"].key)
            original = self.first_by_key.get(key) or earlier.get(key)
            if original is None and hit:
                # The earlier request of this code may have lost its account
                # since (request_unassign_account).
                original = earlier.get(("code", record["code"].key))
            if original is not None:
                request.is_duplicate = True
                repeats.append((request, original))
                self.tally["duplicates"] += 1
            else:
                self.first_by_key[key] = request
                firsts.append(request)
            self._sample(record, hit, request, original)
            results.append(self._result(hit))

        self._insert(firsts)
        for request, original in repeats:
            request.duplicate_of_id = original.pk
        self._insert([request for request, _original in repeats])
        self._flag_other_claims(claims)
        return results

    def _insert(self, requests: list[TerminationRequest]) -> None:
        """Insert `requests` with a `+` history record each, and set their keys.
        On PostgreSQL bulk_insert copies the rows, where bulk_create would send
        every column as an array that psycopg escapes value by value."""
        now = timezone.now()
        rows = []
        for request in requests:
            request.created_at = request.updated_at = now
            rows.append(
                {column: getattr(request, column) for column in REQUEST_COLUMNS}
            )
        keys = bulk_insert(TerminationRequest, rows, columns=REQUEST_COLUMNS)
        for request, key in zip(requests, keys, strict=True):
            request.pk = key
            request._state.adding = False
            request._state.db = DEFAULT_DB_ALIAS
        history_insert_stored(
            TerminationRequest,
            keys,
            history_type="+",
            user_id=self.user_id,
            when=now,
        )

    def report_notes(self) -> list[str]:
        """Return the Spanish notes for the report besides its tally, which
        terminations.preview shows: the filing dates read from Excel serial
        numbers."""
        notes = []
        serial_rows = getattr(self, "serial_date_rows", [])
        if serial_rows:
            listed = ", ".join(
                str(number) for number in serial_rows[:SERIAL_ROWS_LISTED]
            )
            if len(serial_rows) > SERIAL_ROWS_LISTED:
                listed += " …"
            notes.append(
                ngettext(
                    "%(count)s fecha de radicación venía como número de serie de "
                    "Excel y se convirtió a fecha (fila %(rows)s). Revise en la "
                    "vista previa que sea la correcta.",
                    "%(count)s fechas de radicación venían como número de serie de "
                    "Excel y se convirtieron a fecha (filas %(rows)s). Revise en la "
                    "vista previa que sean las correctas.",
                    len(serial_rows),
                )
                % {"count": count_display(len(serial_rows)), "rows": listed}
            )
        return notes

    def _sample(self, record, hit, request: TerminationRequest, original) -> None:
        """Add the row to the preview's samples of each kind it belongs to, while
        that kind has fewer than SAMPLE_ROWS."""
        # Every row goes under "matched" or "unmatched", repeats and claimed
        # accounts included, so these two kinds add up to the valid rows of
        # the file, as the tally's match counts do.
        kinds = ["unmatched" if request.account_id is None else "matched"]
        if request.is_duplicate:
            kinds.append("duplicates")
        if request.claimed_by_other:
            kinds.append("claimed_by_other")
        if request.already_unlinked:
            kinds.append("already_unlinked")
        if request.cadastral_number_truncated and request.account_id is None:
            kinds.append("truncated")
        for kind in kinds:
            self.samples[kind]["count"] += 1
        kinds = [
            kind for kind in kinds if len(self.samples[kind]["rows"]) < SAMPLE_ROWS
        ]
        if not kinds:
            return
        received = record["received"]
        row = {
            "row": record["row"],
            "code": record["code"].display,
            "account_code": hit.account_code if hit else "",
            "name": received.get(str(COLUMNS[3].label), ""),
            "address": received.get(str(COLUMNS[5].label), ""),
            "problem": " ".join(self._problems(request, original)),
        }
        for kind in kinds:
            self.samples[kind]["rows"].append(row)

    def _problems(self, request: TerminationRequest, original) -> list[str]:
        """Return the Spanish sentences that describe a row's match and flags."""
        sharing = self._accounts_sharing_property(request)
        if request.account_id is None and sharing > 1:
            problems = [
                _(
                    "El número predial es de %(count)s cuentas (un predio con "
                    "varias cuentas) y ninguna tiene el documento de la fila: "
                    "asigne la cuenta a mano."
                )
                % {"count": count_display(sharing)}
            ]
        elif request.account_id is None and request.cadastral_number_truncated:
            # The truncated number is not looked up, nor is the ID and address.
            problems = [
                _(
                    "Excel guardó el número predial como número y perdió sus "
                    "últimos dígitos: asigne la cuenta a mano."
                )
            ]
        elif request.account_id is None:
            problems = [
                _(
                    "Ninguna cuenta del catastro tiene ese código ni ese número "
                    "predial, ni ese documento con esa dirección."
                )
            ]
        else:
            problems = [str(MATCH_PROBLEMS[request.match_method])]
        if original is not None:
            if original.request_list_id == self.request_list.pk:
                problems.append(
                    _("Repite la solicitud de la fila %(row)s de esta lista.")
                    % {"row": original.row_number}
                )
            else:
                problems.append(
                    _(
                        "Repite una solicitud de este competidor radicada el "
                        "%(date)s, en estado «%(status)s»."
                    )
                    % {
                        "date": original.filed_on.strftime("%d/%m/%Y"),
                        "status": original.get_status_display(),
                    }
                )
        if request.claimed_by_other:
            problems.append(
                _("Otro competidor ya tiene una solicitud abierta para esta cuenta.")
            )
        if request.already_unlinked:
            problems.append(_("La cuenta ya está desvinculada."))
        return problems

    @staticmethod
    def _accounts_sharing_property(request: TerminationRequest) -> int:
        """Return how many accounts have the unmatched request's cadastral
        number, or 0 when its code is not a whole cadastral number. Only the
        preview's sample rows ask, so one query each costs little."""
        code = request.received_code
        if (
            request.account_id is not None
            or request.cadastral_number_truncated
            or len(code) != CADASTRAL_NUMBER_LENGTH
        ):
            return 0
        return SubscriberAccount.objects.filter(cadastral_number=code).count()

    def _build(self, record, hit, claims) -> TerminationRequest:
        filed_on = record["filed_on"]
        response_due, effective_due = self._deadlines(filed_on)
        request = TerminationRequest(
            request_list=self.request_list,
            competitor=self.competitor,
            row_number=record["row"],
            filed_on=filed_on,
            received_code=record["code"].key[:40],
            received=record["received"],
            received_search_text=received_search_text(record["received"]),
            account_id=hit.account_id if hit else None,
            match_method=hit.method if hit else TerminationRequest.MatchMethod.NONE,
            cadastral_number_truncated=record["code"].truncated,
            response_due_on=response_due,
            effective_due_on=effective_due,
        )
        self.tally["truncated"] += record["code"].truncated
        if hit is None:
            self.tally["unmatched"] += 1
            return request
        self.tally[
            {
                "cuenta": "matched_by_code",
                "predial": "matched_by_cadastral",
                "documento": "matched_by_id",
            }[hit.method]
        ] += 1
        if hit.status == SubscriberAccount.Status.UNLINKED:
            request.already_unlinked = True
            self.tally["already_unlinked"] += 1
        if hit.account_id in claims:
            request.claimed_by_other = True
            self.tally["claimed_by_other"] += 1
        return request

    def _deadlines(self, filed_on: date) -> tuple[date, date]:
        if filed_on not in self.deadlines:
            self.deadlines[filed_on] = (
                self.calendar.add_business_days(filed_on, self.response_days),
                self.calendar.add_calendar_months(filed_on, self.effective_months),
            )
        return self.deadlines[filed_on]

    def _earlier_requests(self, records, hits) -> dict:
        """Requests of earlier imports from this competitor for the batch's
        accounts and unmatched codes, in any status: a withdrawn, rejected or
        effective request is repeated too, never reopened. An open request wins
        over a closed one, then the latest filed."""
        account_ids = {hit.account_id for hit in hits if hit}
        codes = {record["code"].key for record in records}
        earlier = {}
        originals = TerminationRequest.objects.filter(
            competitor=self.competitor, is_duplicate=False
        ).order_by(
            Case(
                When(status__in=TerminationRequest.OPEN_STATUSES, then=0),
                default=1,
            ),
            "-filed_on",
            "-pk",
        )
        for request in originals.filter(account_id__in=account_ids):
            earlier.setdefault(request.account_id, request)
        # A code repeats a request with that code also when a manager assigned
        # or undid that request's account by hand since.
        for request in originals.filter(received_code__in=codes):
            earlier.setdefault(("code", request.received_code), request)
        return earlier

    def _claims_by_others(self, hits) -> set[int]:
        account_ids = {hit.account_id for hit in hits if hit}
        return set(
            TerminationRequest.objects.open()
            .filter(account_id__in=account_ids)
            .exclude(competitor=self.competitor)
            .values_list("account_id", flat=True)
        )

    def _flag_other_claims(self, claims: set[int]) -> None:
        """Flag the open requests of other competitors for the accounts in
        `claims`, with a `~` history record each."""
        if not claims:
            return
        keys = list(
            TerminationRequest.objects.open()
            .filter(account_id__in=claims, claimed_by_other=False)
            .exclude(competitor=self.competitor)
            .values_list("pk", flat=True)
        )
        if not keys:
            return
        now = timezone.now()
        TerminationRequest.objects.filter(pk__in=keys).update(
            claimed_by_other=True, updated_at=now
        )
        history_insert_stored(
            TerminationRequest,
            keys,
            history_type="~",
            user_id=self.user_id,
            when=now,
            reason=_("También la reclama %(competitor)s")
            % {"competitor": self.competitor.name},
        )

    @staticmethod
    def _result(hit) -> WriteResult:
        if hit is None:
            return WriteResult(Outcome.CREATED)
        return WriteResult(Outcome.CREATED, existing=hit.account_code)
