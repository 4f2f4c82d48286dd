"""Form fields whose error messages name the field, say how to fix the value
and write numbers and dates the Colombian way, in place of Django's generic
Spanish messages («Asegúrese de que este valor sea mayor o igual a 0.01.»)."""

from django import forms
from django.core import validators
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.formatting import format_number


class LocalDecimalField(forms.DecimalField):
    """A DecimalField whose messages name its label: missing or invalid value,
    below `min_value`, above `max_value`, and too many digits. Messages passed
    in `error_messages` take precedence. A comma is read as the decimal
    separator ("2,5"), as people in Colombia type it, so the field takes no
    thousands separator."""

    def __init__(self, *, label, **kwargs):
        given_messages = kwargs.get("error_messages") or {}
        super().__init__(label=label, **kwargs)
        defaults = {
            "required": format_lazy(
                _("Falta «{field}». Escriba un número."), field=label
            ),
            "invalid": format_lazy(
                _("«{field}» debe ser un número. Escriba solo dígitos, p. ej. 2,5."),
                field=label,
            ),
        }
        for code, message in defaults.items():
            if code not in given_messages:
                self.error_messages[code] = message
        self.validators = [
            self._localized(validator, label) for validator in self.validators
        ]

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)

    def _localized(self, validator, label):
        """Return a copy of `validator` with a message that names `label`, or it
        unchanged when it is not one of the validators DecimalField adds."""
        if isinstance(validator, validators.MinValueValidator):
            limit = format_number(validator.limit_value)
            message = _(
                "«{field}» debe ser mayor o igual a {limit}. Escriba un valor de "
                "{limit} o más."
            )
            return validators.MinValueValidator(
                validator.limit_value,
                message=format_lazy(message, field=label, limit=limit),
            )
        if isinstance(validator, validators.MaxValueValidator):
            limit = format_number(validator.limit_value)
            message = _(
                "«{field}» debe ser menor o igual a {limit}. Escriba un valor de "
                "{limit} o menos."
            )
            return validators.MaxValueValidator(
                validator.limit_value,
                message=format_lazy(message, field=label, limit=limit),
            )
        if isinstance(validator, validators.DecimalValidator):
            return _decimal_validator(validator, label)
        return validator


def _decimal_validator(
    validator: validators.DecimalValidator, label
) -> validators.DecimalValidator:
    """Return a copy of `validator` whose messages name `label` and its limits,
    since DecimalValidator takes no messages argument."""
    localized = validators.DecimalValidator(
        validator.max_digits, validator.decimal_places
    )
    messages = dict(validator.messages)
    if validator.max_digits is not None:
        messages["max_digits"] = format_lazy(
            _("«{field}» admite como máximo {max} dígitos. Escriba un número menor."),
            field=label,
            max=validator.max_digits,
        )
    if validator.decimal_places is not None:
        messages["max_decimal_places"] = format_lazy(
            _(
                "«{field}» admite como máximo {max} decimales después de la coma. "
                "Redondee el número."
            ),
            field=label,
            max=validator.decimal_places,
        )
    if validator.max_digits is not None and validator.decimal_places is not None:
        messages["max_whole_digits"] = format_lazy(
            _(
                "«{field}» admite como máximo {max} dígitos antes de la coma "
                "decimal. Escriba un número menor."
            ),
            field=label,
            max=validator.max_digits - validator.decimal_places,
        )
    localized.messages = messages
    return localized


def date_error_messages(label) -> dict:
    """Return the required and invalid messages of a DateField labelled
    `label`, which ask for a date written as dd/mm/aaaa."""
    return {
        "required": format_lazy(
            _("Falta «{field}». Escriba la fecha como dd/mm/aaaa."), field=label
        ),
        "invalid": format_lazy(
            _(
                "«{field}» no es una fecha válida. Escríbala como dd/mm/aaaa, "
                "p. ej. 05/12/2026."
            ),
            field=label,
        ),
    }
