from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer, make_zone

HOME_URL = reverse("home")
NEW = Customer.CustomerType.NEW
EXISTING = Customer.CustomerType.EXISTING


def test_advisor_sees_own_portfolio_counts(client, advisor, other_advisor):
    make_customer(advisor=advisor, customer_type=NEW)
    make_customer(advisor=advisor, customer_type=EXISTING)
    make_customer(advisor=advisor, customer_type=EXISTING)
    make_customer(advisor=other_advisor, customer_type=NEW)
    client.force_login(advisor)
    response = client.get(HOME_URL)
    assert response.context["totals"] == {"total": 3, "new": 1, "existing": 2}


def test_advisor_page_says_mi_cartera(client, advisor):
    client.force_login(advisor)
    content = client.get(HOME_URL).content.decode()
    assert "Mi cartera" in content
    assert reverse("customers:list") in content


def test_advisor_sees_no_team_tables(client, advisor):
    client.force_login(advisor)
    response = client.get(HOME_URL)
    assert "by_zone" not in response.context
    assert "unassigned_count" not in response.context


def test_director_sees_unassigned_count(client, director, advisor):
    make_customer(advisor=advisor)
    make_customer()
    make_customer()
    client.force_login(director)
    assert client.get(HOME_URL).context["unassigned_count"] == 2


def test_director_sees_counts_per_zone(client, director):
    urbana = make_zone("URBANA")
    make_customer(zone=urbana, customer_type=NEW)
    make_customer(zone=urbana, customer_type=EXISTING)
    make_customer(customer_type=NEW)
    client.force_login(director)
    rows = client.get(HOME_URL).context["by_zone"]
    assert [(row["name"], row["total"], row["new"]) for row in rows] == [
        ("URBANA", 2, 1),
        ("", 1, 1),
    ]


def test_director_sees_counts_per_advisor(client, director, advisor, other_advisor):
    make_customer(advisor=advisor)
    make_customer(advisor=advisor)
    make_customer(advisor=other_advisor)
    client.force_login(director)
    rows = client.get(HOME_URL).context["by_advisor"]
    assert [(row["name"], row["total"]) for row in rows] == [
        ("Andrés Gómez", 2),
        ("Beatriz López", 1),
    ]


def test_billing_sees_totals_only(client, billing_user):
    make_customer()
    client.force_login(billing_user)
    response = client.get(HOME_URL)
    assert response.context["totals"]["total"] == 1
    assert "by_advisor" not in response.context


def test_user_without_role_sees_zero(client, no_role_user):
    make_customer()
    client.force_login(no_role_user)
    assert client.get(HOME_URL).context["totals"]["total"] == 0
