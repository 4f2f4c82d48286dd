"""The change history of a customer, read from django-simple-history for display:
who changed what, when, from which value to which, with Spanish field labels."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models
from django.utils.translation import gettext as _

from core.formatting import format_date
from customers.models import Contact, Customer, DataConsent
from customers.phones import format_phone

PHONE_FIELDS = {"phone", "mobile"}
ACTIONS = {"+": "creó", "~": "modificó", "-": "eliminó"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved change: who made it, when, to what, and the fields it changed."""

    when: datetime
    who: str
    action: str
    subject: str
    changes: list[FieldChange] = field(default_factory=list)
    # The reason saved with the change, if any.
    reason: str = ""


def customer_history(customer: Customer) -> list[HistoryEntry]:
    """Return the changes to `customer`, its contacts and its consents, newest first."""
    entries = [
        *_entries(customer.history.all(), lambda record: _("el cliente")),
        *_entries(
            Contact.history.filter(customer_id=customer.pk),
            lambda record: _("el contacto %(name)s") % {"name": record.name},
        ),
        *_entries(
            DataConsent.history.filter(customer_id=customer.pk),
            lambda record: (
                _("la autorización de datos por %(channel)s")
                % {"channel": record.get_channel_display()}
            ),
        ),
    ]
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def _entries(history, describe) -> list[HistoryEntry]:
    records = list(
        history.select_related("history_user").order_by("history_date", "history_id")
    )
    model = history.model.instance_type
    resolver = _ValueResolver(model)
    previous_by_object = {}
    entries = []
    for record in records:
        previous = previous_by_object.get(record.id)
        previous_by_object[record.id] = record
        entry = HistoryEntry(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else _("el sistema"),
            action=ACTIONS.get(record.history_type, record.history_type),
            subject=describe(record),
            reason=record.history_change_reason or "",
        )
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            entry.changes = [
                FieldChange(
                    label=resolver.label(change.field),
                    old=resolver.display(change.field, change.old),
                    new=resolver.display(change.field, change.new),
                )
                for change in delta.changes
            ]
            if not entry.changes:
                continue
        entries.append(entry)
    return entries


class _ValueResolver:
    """Turns stored values into what staff read: choice labels, names for foreign
    keys, Sí/No, dd/mm/aaaa dates and phones as dialled in Colombia."""

    def __init__(self, model):
        self.model = model
        self.cache = {}

    def label(self, name: str) -> str:
        return str(self.model._meta.get_field(name).verbose_name).capitalize()

    def display(self, name: str, value) -> str:
        if value is None or value == "":
            return "—"
        model_field = self.model._meta.get_field(name)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.ForeignKey):
            return self._related_name(model_field, value)
        if isinstance(value, bool):
            return _("Sí") if value else _("No")
        if isinstance(value, (date, datetime)):
            return format_date(value)
        if name in PHONE_FIELDS:
            return format_phone(value)
        return str(value)

    def _related_name(self, model_field, pk) -> str:
        key = (model_field.related_model, pk)
        if key not in self.cache:
            related = model_field.related_model._default_manager.filter(pk=pk).first()
            self.cache[key] = str(related) if related else _("(eliminado)")
        return self.cache[key]
