"""Crew and vehicle data that operations type when confirming a schedule: the
cédula of each person and the vehicle plate, normalised and validated.

python-stdnum 2.x has no module for the Colombian cédula (stdnum.co holds only the
NIT), so the cédula goes through the product's own identification parser and a
length limit. A cédula de ciudadanía has no check digit.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.identification import IdType, format_identification, parse_identification

# Older cédulas de ciudadanía have from 3 to 8 digits and recent ones 10, starting
# with 1, so no valid cédula is longer than 10 digits.
CEDULA_MAX_DIGITS = 10

# Colombian plates: cars, buses and trucks ABC123, motorcycles ABC12D.
CAR_PLATE = re.compile(r"^[A-Z]{3}\d{3}$")
MOTORCYCLE_PLATE = re.compile(r"^[A-Z]{3}\d{2}[A-Z]$")
_PLATE_SEPARATORS = re.compile(r"[\s.\-_]+")

# A crew line is "name; cédula; role" (role optional), split by ";" or tab.
_CREW_SEPARATORS = re.compile(r"\s*[;\t]\s*")


@dataclass(frozen=True)
class CrewInput:
    """One crew member as entered: full name, normalised cédula and role."""

    name: str
    id_number: str
    role: str = ""

    @property
    def id_display(self) -> str:
        return format_identification(IdType.CC, self.id_number)


def cedula_normalise(raw: str) -> str:
    """Return the digits of a cédula de ciudadanía typed with or without dots;
    raise ValidationError in Spanish when it is not one."""
    try:
        identification = parse_identification(raw, id_type=IdType.CC)
    except ValidationError as error:
        # The identification messages already name the value and the fix.
        raise ValidationError(" ".join(error.messages), code="invalid_cedula") from None
    if len(identification.number) > CEDULA_MAX_DIGITS:
        raise ValidationError(
            _(
                "La cédula «%(value)s» tiene %(count)s dígitos; una cédula de "
                "ciudadanía tiene como máximo %(max)s."
            )
            % {
                "value": raw.strip(),
                "count": len(identification.number),
                "max": CEDULA_MAX_DIGITS,
            },
            code="invalid_cedula",
        )
    return identification.number


def plate_normalise(raw: str) -> str:
    """Return a vehicle plate as ABC123 (or ABC12D for a motorcycle), whatever
    spaces, dashes or case it was typed with; raise ValidationError otherwise."""
    plate = _PLATE_SEPARATORS.sub("", (raw or "").strip().upper())
    if not plate:
        raise ValidationError(_("Falta la placa del vehículo."), code="missing_plate")
    if CAR_PLATE.match(plate) or MOTORCYCLE_PLATE.match(plate):
        return plate
    raise ValidationError(
        _(
            "La placa «%(value)s» no es válida: escriba tres letras y tres números "
            "(ABC123) o, para motocicleta, tres letras, dos números y una letra "
            "(ABC12D)."
        )
        % {"value": raw.strip()},
        code="invalid_plate",
    )


def crew_parse(text: str) -> list[CrewInput]:
    """Read one crew member per line, "Nombre; cédula; función" (the function is
    optional), and validate every line. All errors are raised together, each
    naming its line."""
    members: list[CrewInput] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line_number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = _CREW_SEPARATORS.split(line.strip())
        if len(parts) < 2 or len(parts) > 3:
            errors.append(
                _(
                    "Línea %(line)s: escriba «Nombre completo; cédula» o «Nombre "
                    "completo; cédula; función», separados por punto y coma."
                )
                % {"line": line_number}
            )
            continue
        name, raw_number = parts[0].strip(), parts[1].strip()
        role = parts[2].strip() if len(parts) == 3 else ""
        try:
            member = crew_member_check(name=name, id_number=raw_number, role=role)
        except ValidationError as error:
            errors.extend(
                _("Línea %(line)s: %(message)s")
                % {"line": line_number, "message": message}
                for message in error.messages
            )
            continue
        if member.id_number in seen:
            errors.append(
                _("Línea %(line)s: la cédula %(number)s ya está en la línea %(first)s.")
                % {
                    "line": line_number,
                    "number": member.id_display,
                    "first": seen[member.id_number],
                }
            )
            continue
        seen[member.id_number] = line_number
        members.append(member)
    if errors:
        raise ValidationError(errors)
    return members


def crew_member_check(*, name: str, id_number: str, role: str = "") -> CrewInput:
    """Validate one crew member and return it with the cédula normalised."""
    name = " ".join(name.split())
    if len(name) < 3 or not any(char.isalpha() for char in name):
        raise ValidationError(
            _("Falta el nombre completo de la persona con cédula «%(value)s».")
            % {"value": id_number},
            code="missing_name",
        )
    if len(name) > 150:
        raise ValidationError(
            _("El nombre «%(value)s…» pasa de 150 caracteres; abrévielo.")
            % {"value": name[:40]},
            code="long_name",
        )
    if len(role) > 60:
        raise ValidationError(
            _("La función «%(value)s…» pasa de 60 caracteres; abrévielo.")
            % {"value": role[:30]},
            code="long_role",
        )
    return CrewInput(name=name, id_number=cedula_normalise(id_number), role=role)


def crew_format(members) -> str:
    """Write crew members back as the lines `crew_parse` reads."""
    lines = []
    for member in members:
        parts = [member.name, member.id_number]
        if member.role:
            parts.append(member.role)
        lines.append("; ".join(parts))
    return "\n".join(lines)
