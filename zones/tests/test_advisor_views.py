"""The advisors screen: redistribution preview and confirmation, availability."""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer, make_zone
from zones.models import AssignmentRun


@pytest.fixture
def zone(advisor, other_advisor):
    zone = make_zone("Melgar Centro", advisors=[advisor, other_advisor])
    for number in range(4):
        make_customer(zone=zone, advisor=advisor, name=f"Cliente {number}")
    return zone


def test_advisor_list_shows_counts(client, director, zone, advisor):
    client.force_login(director)
    response = client.get(reverse("zones:advisor_list"))
    row = next(a for a in response.context["advisors"] if a == advisor)
    assert row.customer_total == 4
    assert row.existing_total == 4


def test_redistribute_get_previews_without_saving(client, director, zone, advisor):
    client.force_login(director)
    response = client.get(reverse("zones:advisor_redistribute", args=[advisor.pk]))
    assert len(response.context["plan"].moves) == 4
    assert "Confirmar redistribución" in response.content.decode()
    assert Customer.objects.filter(advisor=advisor).count() == 4


def test_redistribute_post_moves_customers(
    client, director, zone, advisor, other_advisor
):
    client.force_login(director)
    url = reverse("zones:advisor_redistribute", args=[advisor.pk])
    digest = client.get(url).context["plan"].digest
    response = client.post(url, {"reason": "Licencia", "plan_digest": digest})
    run = AssignmentRun.objects.get()
    assert response.url == reverse("zones:run_detail", args=[run.pk])
    assert Customer.objects.filter(advisor=other_advisor).count() == 4


def test_redistribute_post_requires_reason(client, director, zone, advisor):
    client.force_login(director)
    url = reverse("zones:advisor_redistribute", args=[advisor.pk])
    digest = client.get(url).context["plan"].digest
    response = client.post(url, {"reason": "", "plan_digest": digest})
    assert "reason" in response.context["form"].errors
    assert not AssignmentRun.objects.exists()


def test_redistribute_post_stale_digest_shows_new_plan(client, director, zone, advisor):
    client.force_login(director)
    url = reverse("zones:advisor_redistribute", args=[advisor.pk])
    digest = client.get(url).context["plan"].digest
    make_customer(zone=zone, advisor=advisor)
    response = client.post(url, {"reason": "Retiro", "plan_digest": digest})
    assert len(response.context["plan"].moves) == 5
    assert not AssignmentRun.objects.exists()


def test_redistribute_unknown_user_is_404(client, director, billing_user):
    client.force_login(director)
    url = reverse("zones:advisor_redistribute", args=[billing_user.pk])
    assert client.get(url).status_code == 404


def test_mark_available_restores_advisor(client, director, advisor):
    advisor.available_for_assignment = False
    advisor.save()
    client.force_login(director)
    client.post(reverse("zones:advisor_available", args=[advisor.pk]))
    advisor.refresh_from_db()
    assert advisor.available_for_assignment is True


def test_mark_available_rejects_get(client, director, advisor):
    client.force_login(director)
    url = reverse("zones:advisor_available", args=[advisor.pk])
    assert client.get(url).status_code == 405


def test_mark_available_forbidden_for_advisor(client, advisor, other_advisor):
    client.force_login(advisor)
    url = reverse("zones:advisor_available", args=[other_advisor.pk])
    assert client.post(url).status_code == 403
