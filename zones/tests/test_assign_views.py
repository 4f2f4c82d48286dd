"""The assignment screens: choose the zone and advisors, preview, confirm."""

import pytest
from django.urls import reverse

from core.models import OutgoingEmail
from customers.models import Customer
from tests.factories import make_customer, make_zone
from zones import services
from zones.models import AssignmentRun


@pytest.fixture
def zone(advisor, other_advisor):
    zone = make_zone("Melgar Centro", advisors=[advisor, other_advisor])
    for number in range(6):
        make_customer(
            zone=zone,
            name=f"Cliente Número {number}",
            customer_type="nuevo" if number < 2 else "antiguo",
        )
    return zone


def test_assign_start_redirects_to_zone(client, director, zone):
    client.force_login(director)
    response = client.get(reverse("zones:assign_start"), {"zona": zone.pk})
    assert response.url == reverse("zones:assign", args=[zone.pk])


def test_assign_start_without_zone_goes_to_list(client, director):
    client.force_login(director)
    response = client.get(reverse("zones:assign_start"), {"zona": "abc"})
    assert response.status_code == 302
    assert response["Location"] == reverse("zones:list")


def test_assign_start_forbidden_for_advisor(client, advisor, zone):
    client.force_login(advisor)
    response = client.get(reverse("zones:assign_start"), {"zona": zone.pk})
    assert response.status_code == 403


def test_assign_preselects_zone_advisors(client, director, zone, advisor):
    client.force_login(director)
    response = client.get(reverse("zones:assign", args=[zone.pk]))
    initial = set(response.context["form"].initial["advisors"])
    assert advisor in initial


def test_assign_preview_saves_nothing(client, director, zone, advisor, other_advisor):
    client.force_login(director)
    response = client.post(
        reverse("zones:assign", args=[zone.pk]),
        {"advisors": [advisor.pk, other_advisor.pk], "preview": "1"},
    )
    assert response.status_code == 200
    assert "Confirmar asignación" in response.content.decode()
    assert len(response.context["plan"].moves) == 6
    assert not Customer.objects.filter(advisor__isnull=False).exists()


def test_assign_preview_lists_moving_customers(client, director, zone, advisor):
    client.force_login(director)
    response = client.post(
        reverse("zones:assign", args=[zone.pk]), {"advisors": [advisor.pk]}
    )
    assert "Cliente Número 3" in response.content.decode()


def test_assign_preview_htmx_returns_fragment(client, director, zone, advisor):
    client.force_login(director)
    response = client.post(
        reverse("zones:assign", args=[zone.pk]),
        {"advisors": [advisor.pk]},
        headers={"HX-Request": "true"},
    )
    assert "<html" not in response.content.decode()
    assert "Vista previa" in response.content.decode()


def test_assign_requires_an_advisor(client, director, zone):
    client.force_login(director)
    response = client.post(reverse("zones:assign", args=[zone.pk]), {})
    assert "advisors" in response.context["form"].errors


def test_assign_rejects_inactive_zone(client, director, advisor):
    zone = make_zone("Cerrada", is_active=False)
    client.force_login(director)
    response = client.post(
        reverse("zones:assign", args=[zone.pk]), {"advisors": [advisor.pk]}
    )
    assert "inactiva" in response.content.decode()


def test_assign_confirm_saves_and_redirects(
    client, director, zone, advisor, other_advisor
):
    advisors = [advisor, other_advisor]
    plan = services.assignment_plan(zone=zone, advisors=advisors)
    client.force_login(director)
    response = client.post(
        reverse("zones:assign", args=[zone.pk]),
        {
            "advisors": [a.pk for a in advisors],
            "plan_digest": plan.digest,
            "confirm": "1",
        },
    )
    run = AssignmentRun.objects.get()
    assert response.url == reverse("zones:run_detail", args=[run.pk])
    assert Customer.objects.filter(advisor=advisor).count() == 3
    assert OutgoingEmail.objects.count() == 2


def test_assign_confirm_stale_shows_new_preview(
    client, director, zone, advisor, other_advisor
):
    advisors = [advisor, other_advisor]
    plan = services.assignment_plan(zone=zone, advisors=advisors)
    make_customer(zone=zone)
    client.force_login(director)
    response = client.post(
        reverse("zones:assign", args=[zone.pk]),
        {
            "advisors": [a.pk for a in advisors],
            "plan_digest": plan.digest,
            "confirm": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["plan"].customer_count == 7
    assert "cambiaron después de la vista previa" in response.content.decode()
    assert not AssignmentRun.objects.exists()


def test_run_detail_lists_changes(client, director, zone, advisor):
    plan = services.assignment_plan(zone=zone, advisors=[advisor])
    run = services.assignment_confirm(
        zone=zone, advisors=[advisor], user=director, plan_digest=plan.digest
    )
    client.force_login(director)
    response = client.get(reverse("zones:run_detail", args=[run.pk]))
    assert len(response.context["assignments"]) == 6


def test_run_detail_forbidden_for_advisor(client, director, advisor, zone):
    plan = services.assignment_plan(zone=zone, advisors=[advisor])
    run = services.assignment_confirm(
        zone=zone, advisors=[advisor], user=director, plan_digest=plan.digest
    )
    client.force_login(advisor)
    response = client.get(reverse("zones:run_detail", args=[run.pk]))
    assert response.status_code == 403


def test_run_list_shows_runs(client, director, zone, advisor):
    plan = services.assignment_plan(zone=zone, advisors=[advisor])
    services.assignment_confirm(
        zone=zone, advisors=[advisor], user=director, plan_digest=plan.digest
    )
    client.force_login(director)
    response = client.get(reverse("zones:run_list"))
    assert len(response.context["runs"]) == 1
