"""Workflows of the tariff book: loading a draft version, the director's decision,
and comparing a version with the tariffs in force."""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from tariffs.models import TariffItem, TariffVersion

logger = logging.getLogger(__name__)

ITEM_FIELDS = (
    "code",
    "service",
    "category",
    "unit",
    "unit_price",
    "tax_treatment",
    "tax_note",
    "valid_from",
    "valid_until",
)


@dataclass(frozen=True)
class TariffChange:
    """One line of a version compared with the tariff in force for the same code."""

    code: str
    service: str
    new: TariffItem | None
    current: TariffItem | None

    @property
    def kind(self) -> str:
        """`nuevo`, `sube`, `baja`, `igual` or `no_incluido` (in force, not in the
        version, so it stays in force after approval)."""
        if self.current is None:
            return "nuevo"
        if self.new is None:
            return "no_incluido"
        if self.new.unit_price > self.current.unit_price:
            return "sube"
        if self.new.unit_price < self.current.unit_price:
            return "baja"
        return "igual"

    @property
    def price_change_percent(self) -> Decimal | None:
        if self.new is None or self.current is None or not self.current.unit_price:
            return None
        change = (self.new.unit_price - self.current.unit_price) * 100
        return (change / self.current.unit_price).quantize(Decimal("0.1"))

    @property
    def other_changes(self) -> list[str]:
        """Names of the fields other than the price that differ (unit, tax, name)."""
        if self.new is None or self.current is None:
            return []
        labels = {
            "service": _("servicio"),
            "unit": _("unidad"),
            "tax_treatment": _("IVA"),
            "category": _("categoría"),
        }
        return [
            str(label)
            for field, label in labels.items()
            if getattr(self.new, field) != getattr(self.current, field)
        ]


def user_decides_tariffs(user) -> bool:
    """Only the sales director (or a superuser) approves or rejects tariff versions."""
    return user.is_superuser or user.has_role(Role.DIRECTOR)


@transaction.atomic
def tariff_version_create(
    *, name: str, items: list[dict], created_by, source_file=None
) -> TariffVersion:
    """Store a draft version with its items. Nothing is in force until approved.

    Each item is a dict with the keys of ITEM_FIELDS (category, tax_note and
    valid_until optional).
    """
    version = TariffVersion(name=name, created_by=created_by)
    if source_file is not None:
        version.source_file = source_file
    version.save()

    TariffItem.objects.bulk_create(
        TariffItem(version=version, **{key: item[key] for key in item})
        for item in items
    )
    logger.info(
        "Tariff version %s loaded as draft with %s items", version.pk, len(items)
    )
    return version


def tariff_version_approve(*, version: TariffVersion, user) -> TariffVersion:
    """Put a draft version in force: from then on `TariffItem.objects.in_force`
    returns its items from their `valid_from` date."""
    with transaction.atomic():
        version = _lock_draft(version, user)
        version.status = TariffVersion.Status.APPROVED
        version.approved_by = user
        version.approved_at = timezone.now()
        version._change_reason = "aprobada"
        version.save()
    logger.info("Tariff version %s approved by user %s", version.pk, user.pk)
    return version


def tariff_version_reject(
    *, version: TariffVersion, user, reason: str
) -> TariffVersion:
    """Close a draft version without putting it in force, recording why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Escriba el motivo del rechazo para que quien cargó la versión lo vea.")
        )

    with transaction.atomic():
        version = _lock_draft(version, user)
        version.status = TariffVersion.Status.REJECTED
        version.rejected_by = user
        version.rejected_at = timezone.now()
        version.rejection_reason = reason
        version._change_reason = "rechazada"
        version.save()
    logger.info("Tariff version %s rejected by user %s", version.pk, user.pk)
    return version


def tariff_version_compare(*, version: TariffVersion, on: date) -> list[TariffChange]:
    """Compare each item of `version` with the item in force on `on` for its code,
    then list the codes in force that the version leaves out."""
    in_force = {
        item.code: item
        for item in TariffItem.objects.in_force(on=on).exclude(version=version)
    }
    changes = [
        TariffChange(
            code=item.code,
            service=item.service,
            new=item,
            current=in_force.pop(item.code, None),
        )
        for item in version.items.order_by("code", "valid_from")
    ]
    changes.extend(
        TariffChange(code=code, service=item.service, new=None, current=item)
        for code, item in sorted(in_force.items())
    )
    return changes


def _lock_draft(version: TariffVersion, user) -> TariffVersion:
    if not user_decides_tariffs(user):
        raise PermissionDenied(
            _("Solo el director de ventas aprueba o rechaza versiones del tarifario.")
        )
    locked = TariffVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != TariffVersion.Status.DRAFT:
        raise ValidationError(
            _(
                "La versión «%(name)s» ya está %(status)s; solo se decide sobre "
                "borradores. Cargue una versión nueva para cambiar las tarifas."
            )
            % {"name": locked.name, "status": locked.get_status_display().lower()}
        )
    return locked
