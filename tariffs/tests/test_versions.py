from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tariffs.models import TariffItem, TariffVersion
from tariffs.services import (
    tariff_version_approve,
    tariff_version_compare,
    tariff_version_reject,
)
from tariffs.tests.helpers import item_data, make_version

pytestmark = pytest.mark.django_db


def price_in_force(code, on):
    return TariffItem.objects.in_force(on=on).get(code=code).unit_price


def test_draft_version_is_not_in_force(director):
    make_version(director, [item_data()])

    assert not TariffItem.objects.in_force(on=date(2026, 6, 1)).exists()


def test_approval_puts_version_in_force(director):
    version = make_version(director, [item_data(price="82000")])

    tariff_version_approve(version=version, user=director)

    assert price_in_force("SE-101", date(2026, 6, 1)) == Decimal("82000")


def test_approval_records_director_and_time(director):
    version = make_version(director, [item_data()], approve_as=director)

    version.refresh_from_db()
    assert version.status == TariffVersion.Status.APPROVED
    assert version.approved_by == director
    assert version.approved_at is not None


def test_item_not_in_force_before_its_start_date(director):
    make_version(
        director, [item_data(valid_from=date(2026, 3, 1))], approve_as=director
    )

    assert not TariffItem.objects.in_force(on=date(2026, 2, 28)).exists()


def test_later_version_leaves_earlier_dates_unchanged(director):
    make_version(director, [item_data(price="82000")], approve_as=director)
    make_version(
        director,
        [item_data(price="90000", valid_from=date(2027, 1, 1))],
        name="Tarifas 2027",
        approve_as=director,
    )

    assert price_in_force("SE-101", date(2026, 12, 31)) == Decimal("82000")
    assert price_in_force("SE-101", date(2027, 1, 1)) == Decimal("90000")


def test_advisor_cannot_approve(director, advisor):
    version = make_version(director, [item_data()])

    with pytest.raises(PermissionDenied):
        tariff_version_approve(version=version, user=advisor)


def test_coordinator_cannot_approve(director, coordinator):
    version = make_version(director, [item_data()])

    with pytest.raises(PermissionDenied):
        tariff_version_approve(version=version, user=coordinator)


def test_approved_version_cannot_be_rejected(director):
    version = make_version(director, [item_data()], approve_as=director)

    with pytest.raises(ValidationError):
        tariff_version_reject(version=version, user=director, reason="Error")


def test_reject_requires_reason(director):
    version = make_version(director, [item_data()])

    with pytest.raises(ValidationError):
        tariff_version_reject(version=version, user=director, reason="  ")


def test_rejected_version_never_in_force(director):
    version = make_version(director, [item_data()])

    tariff_version_reject(version=version, user=director, reason="Precio errado")

    version.refresh_from_db()
    assert version.status == TariffVersion.Status.REJECTED
    assert version.rejection_reason == "Precio errado"
    assert not TariffItem.objects.in_force(on=date(2026, 6, 1)).exists()


def test_compare_marks_price_changes(director):
    make_version(
        director,
        [item_data("SE-101", "82000"), item_data("SE-102", "445000")],
        approve_as=director,
    )
    draft = make_version(
        director,
        [item_data("SE-101", "90200"), item_data("SE-103", "32000")],
        name="Borrador",
    )

    changes = {
        change.code: change
        for change in tariff_version_compare(version=draft, on=date(2026, 6, 1))
    }

    assert changes["SE-101"].kind == "sube"
    assert changes["SE-101"].price_change_percent == Decimal("10.0")
    assert changes["SE-103"].kind == "nuevo"
    assert changes["SE-102"].kind == "no_incluido"
