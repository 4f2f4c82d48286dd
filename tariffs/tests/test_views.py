from datetime import date

import pytest
from django.urls import reverse

from tariffs.models import TariffVersion
from tariffs.tests.helpers import item_data, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(director):
    make_version(director, [item_data("SE-101", "82000")], approve_as=director)
    return make_version(
        director, [item_data("SE-101", "90000", valid_from=date(2026, 7, 1))]
    )


def test_book_lists_items_in_force(client, advisor, director):
    make_version(director, [item_data("SE-101", "82000")], approve_as=director)
    client.force_login(advisor)

    response = client.get(reverse("tariffs:book"), {"fecha": "2026-06-01"})

    assert response.status_code == 200
    assert "$ 82.000" in response.text


def test_book_forbidden_without_role(client, no_role_user):
    client.force_login(no_role_user)

    response = client.get(reverse("tariffs:book"))

    assert response.status_code == 403


def test_version_detail_highlights_price_change(client, director, draft):
    client.force_login(director)

    response = client.get(
        reverse("tariffs:version_detail", args=[draft.pk]), {"fecha": "2026-06-01"}
    )

    assert "tariff-sube" in response.text
    assert "Aprobar versión" in response.text


def test_versions_forbidden_for_advisor(client, advisor, draft):
    client.force_login(advisor)

    assert client.get(reverse("tariffs:version_list")).status_code == 403
    assert (
        client.get(reverse("tariffs:version_detail", args=[draft.pk])).status_code
        == 403
    )


def test_approve_view_forbidden_for_coordinator(client, coordinator, draft):
    client.force_login(coordinator)

    response = client.post(reverse("tariffs:version_approve", args=[draft.pk]))

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == TariffVersion.Status.DRAFT


def test_approve_view_forbidden_for_advisor(client, advisor, draft):
    client.force_login(advisor)

    response = client.post(reverse("tariffs:version_approve", args=[draft.pk]))

    assert response.status_code == 403


def test_director_approves_through_view(client, director, draft):
    client.force_login(director)

    client.post(reverse("tariffs:version_approve", args=[draft.pk]))

    draft.refresh_from_db()
    assert draft.status == TariffVersion.Status.APPROVED


def test_director_rejects_with_reason(client, director, draft):
    client.force_login(director)

    client.post(
        reverse("tariffs:version_reject", args=[draft.pk]), {"reason": "Falta acta"}
    )

    draft.refresh_from_db()
    assert draft.status == TariffVersion.Status.REJECTED


def test_reject_view_forbidden_for_coordinator(client, coordinator, draft):
    client.force_login(coordinator)

    response = client.post(
        reverse("tariffs:version_reject", args=[draft.pk]), {"reason": "No"}
    )

    assert response.status_code == 403


def test_history_shows_code_prices(client, coordinator, draft):
    client.force_login(coordinator)

    response = client.get(reverse("tariffs:history"), {"codigo": "se-101"})

    assert response.status_code == 200
    assert "$ 82.000" in response.text


def test_history_forbidden_for_advisor(client, advisor):
    client.force_login(advisor)

    assert client.get(reverse("tariffs:history")).status_code == 403


def test_version_list_filters_drafts(client, director, draft):
    client.force_login(director)

    response = client.get(reverse("tariffs:version_list"), {"estado": "borrador"})

    assert [version.pk for version in response.context["versions"]] == [draft.pk]


def test_version_list_ignores_unknown_status(client, director, draft):
    client.force_login(director)

    response = client.get(reverse("tariffs:version_list"), {"estado": "otro"})

    assert len(response.context["versions"]) == 2
