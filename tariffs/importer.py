"""Import of the approved tariff sheet for special services.

One file becomes one draft TariffVersion with its items; nothing is in force until
the sales director approves the version. Text-only rows in capitals between the
items (`2. ZONAS VERDES`) are section titles and become the category of the items
below them; other text-only rows (footnotes) are skipped and listed in the notes.
"""

import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.formatting import format_date, format_pesos
from core.imports import (
    Column,
    Importer,
    Outcome,
    PendingRecord,
    RowReader,
    Severity,
    WriteResult,
    clean_text,
    parse_date,
    parse_decimal,
    register,
)
from core.text import fold
from tariffs.models import TariffItem, TariffVersion, TaxTreatment, Unit

COLUMNS = [
    Column(
        "code",
        _("CÓDIGO"),
        aliases=("Cód.", "Cod", "Código del servicio", "Código servicio", "Ítem"),
        required=True,
    ),
    Column(
        "service",
        _("SERVICIO"),
        aliases=("Descripción", "Nombre del servicio", "Concepto", "Servicio especial"),
        required=True,
    ),
    Column(
        "unit",
        _("UNIDAD"),
        aliases=("Unidad de medida", "U.M.", "UM", "Und"),
        required=True,
    ),
    Column(
        "unit_price",
        _("VALOR UNITARIO"),
        aliases=("Precio unitario", "Precio", "Tarifa", "Valor", "Valor unitario COP"),
        required=True,
    ),
    Column(
        "tax",
        _("APLICA IVA"),
        aliases=("IVA", "Tratamiento de IVA", "Tratamiento IVA", "Gravado con IVA"),
        required=True,
    ),
    Column(
        "valid_from",
        _("VIGENTE DESDE"),
        aliases=("Vigencia", "Vigencia desde", "Fecha de vigencia", "Desde"),
        required=True,
    ),
    Column("valid_until", _("VIGENTE HASTA"), aliases=("Vigencia hasta", "Hasta")),
    Column("category", _("CATEGORÍA"), aliases=("Sección", "Grupo", "Línea")),
    Column(
        "tax_note",
        _("FUNDAMENTO IVA"),
        aliases=("Nota IVA", "Base legal IVA", "Concepto tributario"),
    ),
]

# Unit spellings, folded (lower case, no accents; `m³` folds to `m3`).
UNITS = {
    "m3": Unit.CUBIC_METRE,
    "mt3": Unit.CUBIC_METRE,
    "metro cubico": Unit.CUBIC_METRE,
    "metros cubicos": Unit.CUBIC_METRE,
    "m2": Unit.SQUARE_METRE,
    "mt2": Unit.SQUARE_METRE,
    "metro cuadrado": Unit.SQUARE_METRE,
    "metros cuadrados": Unit.SQUARE_METRE,
    "viaje": Unit.TRIP,
    "viajes": Unit.TRIP,
    "tonelada": Unit.TONNE,
    "toneladas": Unit.TONNE,
    "ton": Unit.TONNE,
    "t": Unit.TONNE,
    "hora": Unit.HOUR,
    "horas": Unit.HOUR,
    "h": Unit.HOUR,
    "arbol": Unit.TREE,
    "arboles": Unit.TREE,
    "dia": Unit.DAY,
    "dias": Unit.DAY,
    "mes": Unit.MONTH,
    "meses": Unit.MONTH,
    "evento": Unit.EVENT,
    "eventos": Unit.EVENT,
    "unidad": Unit.UNIT,
    "unidades": Unit.UNIT,
    "und": Unit.UNIT,
    "un": Unit.UNIT,
    "visita": Unit.VISIT,
    "visitas": Unit.VISIT,
    "servicio": Unit.SERVICE,
    "servicios": Unit.SERVICE,
}

TAX_WORDS = {
    "si": TaxTreatment.VAT_19,
    "s": TaxTreatment.VAT_19,
    "x": TaxTreatment.VAT_19,
    "gravado": TaxTreatment.VAT_19,
    "gravado 19": TaxTreatment.VAT_19,
    "19": TaxTreatment.VAT_19,
    "iva 19": TaxTreatment.VAT_19,
    "no": TaxTreatment.EXCLUDED,
    "n": TaxTreatment.EXCLUDED,
    "excluido": TaxTreatment.EXCLUDED,
    "excluido de iva": TaxTreatment.EXCLUDED,
}

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-_/]{0,19}$")
_PERCENT = re.compile(r"\s*%\s*")
MAX_PRICE = 10**13


@register
class TariffImporter(Importer):
    """Loads a tariff sheet as a draft version for the director to approve."""

    kind = "tarifas"
    title = _("Tarifas de servicios especiales")
    description = _(
        "Carga el tarifario aprobado (CÓDIGO, SERVICIO, UNIDAD, VALOR UNITARIO, "
        "APLICA IVA, VIGENTE DESDE) como una versión en borrador; entra en vigencia "
        "cuando el director de ventas la aprueba."
    )
    columns = COLUMNS

    def __init__(self, *, user=None, dry_run: bool = False, version_name: str = ""):
        super().__init__(user=user, dry_run=dry_run)
        self.version_name = version_name
        self.version: TariffVersion | None = None
        self._category = ""
        self._codes: dict[tuple, int] = {}

    def skip_row(self, row: RowReader) -> bool:
        """Section titles set the category of the next items; footnotes are noted."""
        item_keys = ("service", "unit", "unit_price", "tax", "valid_from")
        if any(row.text(key) for key in item_keys):
            return False
        text = row.text("code")
        if text.isupper() or not any(char.isalpha() for char in text):
            self._category = text
        else:
            self.notes.append(
                _("Fila %(row)s: nota omitida: «%(text)s»")
                % {"row": row.number, "text": text}
            )
        return True

    def parse_row(self, row: RowReader) -> dict | None:
        record = {
            "code": self._code(row),
            "service": clean_text(row.raw("service"))[:250],
            "category": (clean_text(row.raw("category")) or self._category)[:120],
            "unit": self._unit(row),
            "unit_price": self._price(row),
            "tax_treatment": self._tax_treatment(row),
            "valid_from": row.parse("valid_from", parse_date, severity=Severity.ERROR),
            "valid_until": row.parse(
                "valid_until", parse_date, severity=Severity.ERROR
            ),
        }
        if not record["service"]:
            row.error("service", _("Falta el nombre del servicio."))
        if row.has("valid_from") and not row.text("valid_from"):
            row.error("valid_from", _("Falta la fecha: escríbala como dd/mm/aaaa."))
        self._check_period(row, record)
        record["tax_note"] = self._tax_note(row, record)
        self._check_repeated(row, record)
        return None if row.rejected else record

    def record_key(self, record: dict):
        return (record["code"], record["valid_from"])

    def key_display(self, record: dict) -> str:
        return record["code"]

    def preview_row(self, record: dict) -> dict[str, str]:
        return {
            _("Código"): record["code"],
            _("Servicio"): record["service"],
            _("Categoría"): record["category"],
            _("Unidad"): str(Unit(record["unit"]).label),
            _("Valor unitario"): format_pesos(record["unit_price"]),
            _("IVA"): str(TaxTreatment(record["tax_treatment"]).label),
            _("Vigente desde"): format_date(record["valid_from"]),
        }

    def write_batch(self, batch: list[PendingRecord]) -> list[WriteResult]:
        if self.version is None:
            self.version = self._create_version()
        items = [
            TariffItem(version=self.version, **pending.record) for pending in batch
        ]
        bulk_create_with_history(items, TariffItem, default_user=self.user)
        return [WriteResult(Outcome.CREATED) for _pending in batch]

    def _create_version(self) -> TariffVersion:
        name = self.version_name or _("Tarifas cargadas el %(date)s") % {
            "date": format_date(timezone.now())
        }
        version = TariffVersion(name=name[:120], created_by=self.user)
        if self.user is not None:
            version._history_user = self.user
        version.save()
        if self.dry_run:
            message = _(
                "Se crearía la versión en borrador «%(name)s» (simulación: no se "
                "guardó nada)."
            )
        else:
            message = _(
                "Se creó la versión en borrador «%(name)s». No entra en vigencia "
                "hasta que el director de ventas la apruebe."
            )
        self.notes.append(message % {"name": version.name})
        return version

    def _code(self, row: RowReader) -> str:
        code = row.text("code").upper().replace(" ", "")
        if not code:
            row.error("code", _("Falta el código del servicio (por ejemplo SE-101)."))
        elif not _CODE.match(code):
            row.error(
                "code",
                _(
                    "El código «%(value)s» no es válido: use hasta 20 letras, dígitos "
                    "o guiones, como SE-101."
                )
                % {"value": row.text("code")},
            )
        return code

    def _unit(self, row: RowReader) -> str:
        text = row.text("unit")
        unit = UNITS.get(fold(text).rstrip("."))
        if unit is None:
            allowed = ", ".join(str(choice.label) for choice in Unit)
            message = (
                _("Falta la unidad.")
                if not text
                else _("La unidad «%(value)s» no existe.") % {"value": text}
            )
            row.error(
                "unit", message + " " + _("Use una de: %(units)s.") % {"units": allowed}
            )
        return unit or ""

    def _price(self, row: RowReader):
        price = row.parse("unit_price", parse_decimal, severity=Severity.ERROR)
        if price is None:
            if not row.text("unit_price"):
                row.error("unit_price", _("Falta el valor unitario."))
            return None
        if price <= 0:
            row.error(
                "unit_price",
                _("El valor unitario %(value)s debe ser mayor que cero.")
                % {"value": row.text("unit_price")},
            )
        elif price >= MAX_PRICE or price != price.quantize(Decimal("0.01")):
            row.error(
                "unit_price",
                _(
                    "El valor unitario %(value)s no es válido: use pesos con hasta "
                    "dos decimales."
                )
                % {"value": row.text("unit_price")},
            )
        return price

    def _tax_treatment(self, row: RowReader) -> str:
        raw = row.raw("tax")
        if isinstance(raw, bool):
            return TaxTreatment.VAT_19 if raw else TaxTreatment.EXCLUDED
        folded = _PERCENT.sub("", fold(row.text("tax"))).strip(". ")
        treatment = TAX_WORDS.get(folded)
        if treatment is None:
            value = row.text("tax")
            message = (
                _("Falta indicar si aplica IVA.")
                if not value
                else _("«%(value)s» no es un valor válido.") % {"value": value}
            )
            row.error(
                "tax",
                message + " " + _("Escriba SÍ (IVA 19 %) o NO (excluido de IVA)."),
            )
        return treatment or ""

    def _tax_note(self, row: RowReader, record: dict) -> str:
        note = clean_text(row.raw("tax_note"))
        if note:
            return note[:250]
        return (
            _("Según el tarifario importado: %(column)s = %(value)s.")
            % {"column": row.column_name("tax"), "value": row.text("tax")}
        )[:250]

    def _check_period(self, row: RowReader, record: dict) -> None:
        start, end = record["valid_from"], record["valid_until"]
        if start and end and end < start:
            row.error(
                "valid_until",
                _("La vigencia termina (%(end)s) antes de empezar (%(start)s).")
                % {"end": format_date(end), "start": format_date(start)},
            )

    def _check_repeated(self, row: RowReader, record: dict) -> None:
        if row.rejected:
            return
        key = self.record_key(record)
        earlier = self._codes.get(key)
        if earlier is not None:
            row.error(
                "code",
                _(
                    "El código %(code)s con vigencia desde %(date)s ya está en la "
                    "fila %(row)s: deje una sola fila por código y fecha."
                )
                % {
                    "code": record["code"],
                    "date": format_date(record["valid_from"]),
                    "row": earlier,
                },
            )
        else:
            self._codes[key] = row.number
