"""What the demo data looks like, checked on one load shared by the module."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from accounts.models import User
from accounts.roles import Role
from customers.identification import compute_check_digit
from customers.models import Customer
from demo.data import DEMO_PASSWORD
from demo.services import DEMO_NOTE

pytestmark = pytest.mark.django_db

# Second-level domains reserved for documentation (RFC 2606), never real inboxes.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back at the
    end, and return what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_demo_creates_about_300_customers(demo_output):
    assert Customer.objects.count() == 300


def test_demo_creates_a_user_in_every_role(demo_output):
    for role in Role:
        assert User.objects.with_role(role).exists(), role


def test_demo_has_four_advisors(demo_output):
    assert User.objects.advisors().count() == 4


def test_demo_password_logs_in(demo_output, settings):
    # The module's load ran before the per-test MD5 hasher setting took effect.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert User.objects.get(username="director").check_password(DEMO_PASSWORD)


def test_demo_nits_have_correct_dv(demo_output):
    nits = Customer.objects.filter(id_type="NIT")
    assert nits.exists()
    for customer in nits:
        assert customer.check_digit == compute_check_digit(customer.id_number)


def test_demo_mixes_new_and_existing(demo_output):
    new = Customer.objects.filter(customer_type=Customer.CustomerType.NEW).count()
    assert 90 <= new <= 210


def test_demo_mixes_persons_and_companies(demo_output):
    persons = Customer.objects.filter(person_kind=Customer.PersonKind.NATURAL)
    assert persons.exists()
    assert persons.count() < Customer.objects.count()


def test_demo_customers_say_they_are_fictional(demo_output):
    assert not Customer.objects.exclude(notes=DEMO_NOTE).exists()


def test_demo_emails_use_reserved_domains(demo_output):
    emails = Customer.objects.exclude(email="").values_list("email", flat=True)
    assert emails
    for email in emails:
        domain = email.split("@")[1]
        assert domain.endswith(RESERVED_DOMAINS), email


def test_demo_phones_are_e164(demo_output):
    for mobile, phone in Customer.objects.values_list("mobile", "phone"):
        assert mobile.startswith("+573")
        assert phone == "" or phone.startswith("+5760")


def test_demo_zoned_customers_are_assigned(demo_output):
    assert not Customer.objects.filter(zone__isnull=False, advisor__isnull=True)


def test_demo_leaves_some_customers_unassigned(demo_output):
    assert Customer.objects.filter(advisor__isnull=True).exists()


def test_demo_assignment_is_fair_per_zone(demo_output):
    counts = (
        Customer.objects.filter(zone__name="URBANA")
        .values("advisor")
        .annotate(total=Count("pk"))
    )
    totals = [row["total"] for row in counts]
    assert max(totals) - min(totals) <= 1


def test_demo_records_consents(demo_output):
    assert Customer.objects.filter(consents__isnull=False).exists()


def test_demo_prints_users_and_login(demo_output):
    assert "coordinadora" in demo_output
    assert DEMO_PASSWORD in demo_output
    assert f"{settings.SITE_URL}/" in demo_output
