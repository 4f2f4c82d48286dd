"""Users listed in Spanish alphabetical order, whatever the database's
collation: «Álvaro» among the A, a lower-case name among the others."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from field_work.forms import measurer_queryset
from quote_requests.services import _least_busy_advisor
from service_orders.forms import supervisors
from tests.factories import make_customer, make_user, make_zone
from zones import services as zone_services

pytestmark = pytest.mark.django_db

# Byte order, as SQLite and a C-locale PostgreSQL compare text, puts «Á» and
# lower case after «Z».
NAMES = [("Zoila", "Zapata"), ("Álvaro", "Núñez"), ("beatriz", "Muñoz")]
SPANISH_ORDER = ["Álvaro Núñez", "beatriz Muñoz", "Zoila Zapata"]


def make_users(role: Role) -> list[User]:
    return [make_user(role, first_name=first, last_name=last) for first, last in NAMES]


def names(users) -> list[str]:
    return [str(user) for user in users]


def test_model_default_order_is_spanish():
    make_users(Role.ADVISOR)
    assert names(User.objects.filter(first_name__in=[n for n, _ in NAMES])) == (
        SPANISH_ORDER
    )


def test_advisors_in_spanish_order():
    make_users(Role.ADVISOR)
    assert names(User.objects.advisors()) == SPANISH_ORDER


def test_zone_advisors_in_spanish_order():
    zone = make_zone(advisors=make_users(Role.ADVISOR))
    assert names(zone.advisors.all()) == SPANISH_ORDER


def test_user_without_names_sorts_by_username():
    make_user(Role.ADVISOR, "zuleta", first_name="", last_name="")
    make_user(Role.ADVISOR, "ana", first_name="", last_name="")
    assert names(User.objects.advisors()) == ["ana", "zuleta"]


def test_rename_with_update_fields_moves_user():
    zoila, alvaro, _beatriz = make_users(Role.ADVISOR)
    zoila.first_name = "Adela"
    zoila.save(update_fields=["first_name"])
    alvaro.refresh_from_db()
    zoila.refresh_from_db()
    assert zoila.sort_name < alvaro.sort_name
    assert names(User.objects.advisors())[0] == "Adela Zapata"


def test_migration_fills_sort_names():
    make_users(Role.ADVISOR)
    User.objects.update(sort_name="")
    migration = importlib.import_module("accounts.migrations.0003_user_sort_name")

    migration.fill_sort_names(apps, None)

    assert names(User.objects.advisors()) == SPANISH_ORDER


def test_supervisors_in_spanish_order():
    make_users(Role.OPERATIONS)
    assert names(supervisors()) == SPANISH_ORDER


def test_measurers_in_spanish_order():
    make_users(Role.LOGISTICS)
    assert names(measurer_queryset()) == SPANISH_ORDER


def test_least_busy_tie_goes_to_first_in_order():
    zone = make_zone(advisors=make_users(Role.ADVISOR))
    assert str(_least_busy_advisor(zone)) == "Álvaro Núñez"


def test_assignment_shares_in_spanish_order():
    advisors = make_users(Role.ADVISOR)
    zone = make_zone(advisors=advisors)
    make_customer(zone=zone)

    plan = zone_services.assignment_plan(zone=zone, advisors=advisors)

    assert names(plan.advisors) == SPANISH_ORDER
    assert names(share.advisor for share in plan.shares) == SPANISH_ORDER


def test_advisor_list_page_in_spanish_order(client, director):
    make_users(Role.ADVISOR)
    client.force_login(director)

    advisors = client.get(reverse("zones:advisor_list")).context["advisors"]

    assert names(advisors) == SPANISH_ORDER


def test_zone_page_portfolio_in_spanish_order(client, director):
    zone = make_zone(advisors=make_users(Role.ADVISOR))
    client.force_login(director)

    page = client.get(reverse("zones:detail", args=[zone.pk])).content.decode()

    positions = [page.index(name) for name in SPANISH_ORDER]
    assert positions == sorted(positions)


def test_home_counts_per_advisor_in_spanish_order(client, director):
    for advisor in make_users(Role.ADVISOR):
        make_customer(advisor=advisor)
    client.force_login(director)

    rows = client.get(reverse("home")).context["by_advisor"]

    assert [row["name"] for row in rows] == SPANISH_ORDER
