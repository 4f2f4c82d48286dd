"""The «Cambia» text of the customer import's report: what a row changes in a
customer, as «Columna: antes → después», with the labels and formats of the
import's preview.

The same text describes a row that updates a registered customer (compared with
the stored values) and a row that repeats an earlier row of the file (compared
with that row).
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.formatting import format_date, format_pesos
from customers.identification import format_identification
from customers.models import Customer
from customers.phones import format_phone
from zones.models import Municipality

EMPTY = "—"

_IDENTIFICATION = gettext_lazy("Identificación")
_CONTACT = gettext_lazy("Contacto")
# Every customer field the import writes from a row, but the ID number (the key
# that matched), with the label of its column, in the order the text lists
# them. The type of document and the DV show as one identification.
CUSTOMER_FIELDS = {
    "id_type": _IDENTIFICATION,
    "check_digit": _IDENTIFICATION,
    "person_kind": gettext_lazy("Tipo de persona"),
    "name": gettext_lazy("Nombre"),
    "trade_name": gettext_lazy("Nombre comercial"),
    "customer_type": gettext_lazy("Tipo"),
    "address": gettext_lazy("Dirección"),
    "barrio": gettext_lazy("Barrio"),
    "municipality_id": gettext_lazy("Municipio"),
    "zone_id": gettext_lazy("Zona"),
    "phone": gettext_lazy("Teléfono"),
    "mobile": gettext_lazy("Celular"),
    "email": gettext_lazy("Correo"),
    "in_catastro": gettext_lazy("En catastro"),
    "last_service_date": gettext_lazy("Último servicio"),
    "last_service_amount": gettext_lazy("Valor"),
}
# The primary contact's fields the import writes, listed after the customer's.
# Name and role show as one contact, «Nombre · Cargo».
CONTACT_FIELDS = {
    "name": _CONTACT,
    "role": _CONTACT,
    "phone": gettext_lazy("Teléfono del contacto"),
    "mobile": gettext_lazy("Celular del contacto"),
}


def changed_fields(before: Mapping, after: Mapping) -> list[str]:
    """Return the keys of `after` whose value differs from `before`'s. An empty
    text, None and a key that `before` lacks all count as empty, so a new
    contact's empty role is no change."""
    return [
        name
        for name, value in after.items()
        if value != before.get(name)
        and not (_is_empty(value) and _is_empty(before.get(name)))
    ]


def _is_empty(value) -> bool:
    return value is None or value == ""


class ChangeDescriber:
    """The writer of one import's «Cambia» texts. It translates the labels
    once, when it is built, because a gettext call costs more than formatting
    a value, and an import may describe 100,000 rows."""

    def __init__(
        self, *, municipalities: Mapping[str, Municipality], zones: Mapping[int, str]
    ):
        # The import's own lookups, which it keeps filling (new zones).
        self.municipalities = municipalities
        self.zones = zones
        self.customer_labels = _translated(CUSTOMER_FIELDS)
        self.contact_labels = _translated(CONTACT_FIELDS)
        self.choice_labels = {
            "person_kind": _translated(dict(Customer.PersonKind.choices)),
            "customer_type": _translated(dict(Customer.CustomerType.choices)),
        }
        self.yes_no = {True: _("Sí"), False: _("No")}

    def describe(
        self,
        *,
        before: Mapping,
        after: Mapping,
        fields: Iterable[str],
        contact_before: Mapping | None = None,
        contact_after: Mapping | None = None,
    ) -> str:
        """Return «Columna: antes → después» for each customer field in
        `fields`, then for each primary-contact field that differs between
        `contact_before` and `contact_after`, joined by «; ». A column of
        several fields (the identification, the contact) is listed once. The
        caller passes the fields it found changed, so only those are
        formatted."""
        parts = [
            f"{label}: {self._customer_value(field, before)} → "
            f"{self._customer_value(field, after)}"
            for field, label in _columns(self.customer_labels, fields)
        ]
        if contact_after is not None:
            contact_before = contact_before or {}
            fields = changed_fields(contact_before, contact_after)
            parts += [
                f"{label}: {_contact_value(field, contact_before)} → "
                f"{_contact_value(field, contact_after)}"
                for field, label in _columns(self.contact_labels, fields)
            ]
        return "; ".join(parts)

    def _customer_value(self, field: str, values: Mapping) -> str:
        value = values.get(field)
        if field in ("id_type", "check_digit"):
            text = format_identification(
                values.get("id_type") or "",
                values.get("id_number") or "",
                values.get("check_digit") or "",
            )
        elif value is None:
            text = ""
        elif field in ("phone", "mobile"):
            text = format_phone(value)
        elif field in self.choice_labels:
            text = self.choice_labels[field].get(value, value)
        elif field == "municipality_id":
            municipality = self.municipalities.get(value)
            text = municipality.name if municipality is not None else value
        elif field == "zone_id":
            text = self.zones.get(value, "")
        elif field == "in_catastro":
            text = self.yes_no[value]
        elif field == "last_service_date":
            text = format_date(value)
        elif field == "last_service_amount":
            text = format_pesos(value)
        else:
            text = value
        return text or EMPTY


def _contact_value(field: str, contact: Mapping) -> str:
    if field in ("name", "role"):
        parts = (contact.get("name"), contact.get("role"))
        text = " · ".join(part for part in parts if part)
    elif field in ("phone", "mobile"):
        text = format_phone(contact.get(field) or "")
    else:
        text = contact.get(field) or ""
    return text or EMPTY


def _translated(labels: Mapping) -> dict:
    return {key: str(label) for key, label in labels.items()}


def _columns(labels: dict[str, str], fields: Iterable[str]) -> list[tuple[str, str]]:
    """Return (first field, label) of each column that `fields` change, once
    each, in the order of `labels`. Fields without a label (keys, timestamps)
    are left out."""
    changed_labels = {labels[field] for field in fields if field in labels}
    columns = []
    for field, label in labels.items():
        if label in changed_labels:
            columns.append((field, label))
            changed_labels.discard(label)
            if not changed_labels:
                break
    return columns
