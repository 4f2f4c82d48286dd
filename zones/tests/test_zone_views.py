"""Zone list, detail, create and edit screens."""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer, make_zone
from zones.models import Zone


@pytest.fixture
def zone(advisor):
    zone = make_zone("Melgar Centro", advisors=[advisor], barrios="Centro\nEl Sosiego")
    make_customer(zone=zone, customer_type=Customer.CustomerType.NEW)
    make_customer(zone=zone, advisor=advisor)
    return zone


@pytest.mark.parametrize(
    "name,args",
    [
        ("zones:list", []),
        ("zones:create", []),
        ("zones:detail", ["zone"]),
        ("zones:edit", ["zone"]),
        ("zones:assign", ["zone"]),
        ("zones:advisor_list", []),
        ("zones:advisor_redistribute", ["advisor"]),
        ("zones:run_list", []),
    ],
)
@pytest.mark.parametrize("persona", ["advisor", "billing_user", "no_role_user"])
def test_zone_screens_forbidden_without_manager_role(
    client, request, zone, name, args, persona
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse(name, args=[request.getfixturevalue(arg).pk for arg in args])
    assert client.get(url).status_code == 403


def test_zone_list_requires_login(client):
    response = client.get(reverse("zones:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_zone_list_shows_counts(client, director, zone):
    client.force_login(director)
    response = client.get(reverse("zones:list"))
    row = next(z for z in response.context["zones"] if z.pk == zone.pk)
    assert row.customer_total == 2
    assert row.new_total == 1
    assert row.existing_total == 1
    assert row.unassigned_total == 1


def test_zone_list_shows_advisor_and_barrios(client, coordinator, zone):
    client.force_login(coordinator)
    content = client.get(reverse("zones:list")).content.decode()
    assert "Andrés Gómez" in content
    assert "El Sosiego" in content


def test_zone_detail_counts_portfolio_per_advisor(client, director, zone, advisor):
    client.force_login(director)
    response = client.get(reverse("zones:detail", args=[zone.pk]))
    row = next(r for r in response.context["rows"] if r["advisor"] == advisor)
    assert row["advisor"].customer_total == 1
    assert row["advisor"].existing_total == 1
    assert response.context["totals"]["unassigned_total"] == 1


def test_zone_detail_missing_zone_is_404(client, director):
    client.force_login(director)
    assert client.get(reverse("zones:detail", args=[999])).status_code == 404


def test_zone_create_saves_municipalities_barrios_advisors(client, director, advisor):
    client.force_login(director)
    response = client.post(
        reverse("zones:create"),
        {
            "name": "Espinal Norte",
            "municipalities": ["73268"],
            "barrios": " San Rafael \n\nsan rafael\nLa Esperanza",
            "description": "Sector comercial",
            "advisors": [advisor.pk],
            "is_active": "on",
        },
    )
    zone = Zone.objects.get(name="Espinal Norte")
    assert response.status_code == 302
    assert list(zone.municipalities.values_list("pk", flat=True)) == ["73268"]
    assert zone.barrio_list == ["San Rafael", "La Esperanza"]
    assert list(zone.advisors.all()) == [advisor]


def test_zone_create_rejects_duplicate_name(client, director, zone):
    client.force_login(director)
    response = client.post(reverse("zones:create"), {"name": "Melgar Centro"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_zone_create_offers_only_advisors(client, director, advisor, billing_user):
    client.force_login(director)
    response = client.get(reverse("zones:create"))
    offered = list(response.context["form"].fields["advisors"].queryset)
    assert offered == [advisor]


def test_zone_edit_deactivates(client, director, zone):
    client.force_login(director)
    client.post(
        reverse("zones:edit", args=[zone.pk]), {"name": zone.name, "barrios": ""}
    )
    zone.refresh_from_db()
    assert zone.is_active is False


def test_zone_edit_keeps_history(client, director, zone):
    client.force_login(director)
    client.post(
        reverse("zones:edit", args=[zone.pk]),
        {"name": "Melgar Centro y Norte", "is_active": "on"},
    )
    latest = zone.history.latest()
    assert latest.name == "Melgar Centro y Norte"
    assert latest.history_user == director


def test_zone_choice_counts_one_customer(client, director):
    make_customer(zone=make_zone("Zona Única"))
    make_customer(zone=make_zone("Zona Doble"))
    make_customer(zone=Zone.objects.get(name="Zona Doble"))
    client.force_login(director)
    page = client.get(reverse("zones:list")).content.decode()
    assert "Zona Única (1 cliente)" in page
    assert "Zona Doble (2 clientes)" in page
