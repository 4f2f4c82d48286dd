"""The demo sales story: tariffs in force, requests, quotations in every state with
gapless codes and stored PDFs, and this week's contacts and visits."""

import hashlib
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from customers.models import Customer
from demo.sales import QUOTATION_PLAN, demo_sales_load
from demo.services import demo_load
from quotations.models import FollowUp, Quotation
from quotations.services import customers_ready_for_onboarding
from quote_requests.models import QuoteRequest
from tariffs.models import TariffItem, TariffVersion
from telemarketing.models import ContactLog
from visits.models import Visit

pytestmark = pytest.mark.django_db

CUSTOMERS = 150
Status = Quotation.Status


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo customers and the sales story once for the module, inside a
    transaction rolled back at the end; return what the sales load reported."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        demo_load(customer_count=CUSTOMERS)
        yield demo_sales_load()
        transaction.set_rollback(True)


def issued_quotations():
    return Quotation.objects.exclude(code="")


@pytest.mark.parametrize(("status", "count"), [(s, n) for s, n, _a in QUOTATION_PLAN])
def test_quotations_per_state(story, status, count):
    assert Quotation.objects.filter(status=status).count() == count


def test_result_counts_quotations(story):
    assert sum(story.quotations.values()) == Quotation.objects.count()


def test_issued_codes_are_gapless(story):
    # The story reaches back three months, so in the first months of a year it
    # spans two series.
    numbers_by_year = {}
    for code in issued_quotations().values_list("code", flat=True):
        _prefix, year, number = code.split("-")
        numbers_by_year.setdefault(year, []).append(int(number))

    assert numbers_by_year
    for numbers in numbers_by_year.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_codes_follow_issue_dates(story):
    # Two quotations may share a time, so read the times in code order.
    by_code = issued_quotations().order_by("code")
    times = list(by_code.values_list("issued_at", flat=True))
    assert times == sorted(times)


def test_issued_quotations_span_weeks(story):
    oldest = issued_quotations().order_by("issued_at").first()
    assert oldest.days_since_issue() > 30


def test_every_issued_pdf_is_stored(story):
    for quotation in issued_quotations():
        content = quotation.pdf_file.open("rb").read()
        assert hashlib.sha256(content).hexdigest() == quotation.pdf_sha256


def test_drafts_have_no_code(story):
    assert not Quotation.objects.filter(status=Status.DRAFT).exclude(code="").exists()


def test_a_draft_waits_for_price_approval(story):
    pending = Quotation.objects.filter(price_approval="pendiente")
    assert pending.exists()


def test_rejections_name_a_competitor(story):
    rejected = Quotation.objects.filter(status=Status.REJECTED)
    assert rejected.exclude(winning_competitor="").exists()


def test_acceptances_have_evidence_text(story):
    accepted = Quotation.objects.filter(status=Status.ACCEPTED)
    assert not accepted.filter(acceptance_email_text="").exists()


def test_accepted_customers_ready_for_onboarding(story):
    accepted = Quotation.objects.filter(status=Status.ACCEPTED)
    expected = set(accepted.values_list("customer_id", flat=True))
    ready = set(customers_ready_for_onboarding().values_list("pk", flat=True))
    assert ready == expected


def test_sent_quotations_have_follow_ups(story):
    sent = Quotation.objects.filter(status=Status.SENT)
    assert FollowUp.objects.filter(quotation__in=sent).exists()


def test_tariffs_in_force_today(story):
    assert TariffItem.objects.in_force(on=timezone.localdate()).count() == 25


def test_tariff_version_approved_by_director(story):
    version = TariffVersion.objects.get()
    assert version.approved_by.username == "director"


@pytest.mark.parametrize("channel", ["web", "telefono", "whatsapp", "correo"])
def test_requests_from_channel(story, channel):
    assert QuoteRequest.objects.filter(channel=channel).exists()


@pytest.mark.parametrize("status", QuoteRequest.Status.values)
def test_requests_in_status(story, status):
    assert QuoteRequest.objects.filter(status=status).exists()


def test_requests_routed_to_advisors(story):
    assert not QuoteRequest.objects.filter(advisor__isnull=True).exists()


def test_a_few_dozen_requests(story):
    assert 30 <= story.quote_requests <= 60


def test_web_requester_registered_as_customer(story):
    registered = QuoteRequest.objects.filter(
        channel="web", customer__customer_type=Customer.CustomerType.NEW
    )
    assert registered.filter(customer__notes="").exists()


def test_contacts_logged_this_week(story):
    today = timezone.localdate()
    monday = today - timedelta(
        days=today.weekday() + (7 if today.weekday() == 0 else 0)
    )
    dates = {
        timezone.localdate(at)
        for at in ContactLog.objects.values_list("contacted_at", flat=True)
    }
    assert dates and min(dates) >= monday


def test_visits_coming_are_scheduled(story):
    coming = Visit.objects.filter(starts_at__gt=timezone.now())
    assert coming.filter(status=Visit.Status.SCHEDULED).exists()


def test_visits_made_have_result(story):
    done = Visit.objects.filter(status=Visit.Status.DONE)
    assert not done.filter(outcome="").exists()


def test_a_visit_led_to_a_request(story):
    assert Visit.objects.filter(quote_request__isnull=False).exists()


def test_second_load_adds_nothing(story):
    before = Quotation.objects.count()
    assert demo_sales_load() is None
    assert Quotation.objects.count() == before
