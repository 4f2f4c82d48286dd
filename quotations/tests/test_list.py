from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quotations import views
from quotations.models import Quotation, code_prefix, normalize_code
from quotations.tests.helpers import make_quotation

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def issued_quotation(*, customer, advisor, number: int, **fields) -> Quotation:
    """Create a quotation marked issued with code number `number`, without the
    PDF render that the issuing workflow does."""
    quotation = make_quotation(customer=customer, advisor=advisor)
    Quotation.objects.filter(pk=quotation.pk).update(
        code=f"COT-{YEAR}-{number:05d}",
        status=Quotation.Status.ISSUED,
        issued_at=timezone.now(),
        **fields,
    )
    quotation.refresh_from_db()
    return quotation


def list_html(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("quotations:list"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "query",
    [f"cot-{YEAR}-12", f"COT{YEAR}00012", f"  Cot {YEAR} 012 ", f"COT-{YEAR}-00012"],
)
def test_normalize_code_accepts_loose_spelling(query):
    assert normalize_code(query) == f"COT-{YEAR}-00012"


@pytest.mark.parametrize("query", ["panaderia", "12", f"COT-{YEAR}", "cot 12"])
def test_normalize_code_rejects_other_text(query):
    assert normalize_code(query) == ""


def test_code_prefix_of_partial_code():
    assert code_prefix(f"cot-{YEAR}-0") == f"COT-{YEAR}-0"


def test_code_prefix_ignores_customer_words():
    assert code_prefix("cotrafa 2020") == ""


def test_search_finds_loosely_spelled_code(client, advisor, customer):
    wanted = issued_quotation(customer=customer, advisor=advisor, number=12)
    issued_quotation(customer=customer, advisor=advisor, number=120)
    html = list_html(client, advisor, q=f"cot{YEAR}12")
    assert wanted.get_absolute_url() in html
    assert f"COT-{YEAR}-00120" not in html


def test_search_by_code_prefix(client, advisor, customer):
    issued_quotation(customer=customer, advisor=advisor, number=120)
    html = list_html(client, advisor, q=f"cot-{YEAR}-001")
    assert f"COT-{YEAR}-00120" in html


def test_search_by_customer_id_number(client, advisor, customer, other_customer):
    own = issued_quotation(customer=customer, advisor=advisor, number=1)
    html = list_html(client, advisor, q=customer.id_number)
    assert own.get_absolute_url() in html


def test_search_by_customer_skips_other_customers(
    client, director, advisor, other_advisor, customer, other_customer
):
    other = issued_quotation(customer=other_customer, advisor=other_advisor, number=2)
    html = list_html(client, director, q="panadería ñapa")
    assert other.get_absolute_url() not in html


def test_past_validity_shows_expired_without_writing(client, advisor, customer):
    quotation = issued_quotation(
        customer=customer,
        advisor=advisor,
        number=1,
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    html = list_html(client, advisor)
    quotation.refresh_from_db()
    assert "status-vencida" in html
    assert quotation.status == Quotation.Status.ISSUED


def test_list_writes_nothing(client, advisor, customer):
    issued_quotation(
        customer=customer,
        advisor=advisor,
        number=1,
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(advisor)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("quotations:list"))
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        and "django_session" not in query["sql"]
    ]
    assert writes == []


def test_expired_filter_includes_past_validity(client, director, advisor, customer):
    past = issued_quotation(
        customer=customer,
        advisor=advisor,
        number=1,
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    html = list_html(client, director, status=Quotation.Status.EXPIRED)
    assert past.get_absolute_url() in html


def test_issued_filter_excludes_past_validity(client, director, advisor, customer):
    past = issued_quotation(
        customer=customer,
        advisor=advisor,
        number=1,
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    current = issued_quotation(customer=customer, advisor=advisor, number=2)
    html = list_html(client, director, status=Quotation.Status.ISSUED)
    assert past.get_absolute_url() not in html
    assert current.get_absolute_url() in html


@pytest.fixture
def five_drafts(advisor, customer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "COUNT_LIMIT", 3)
    return [make_quotation(customer=customer, advisor=advisor) for _ in range(5)]


def test_count_stops_at_limit(client, advisor, five_drafts):
    html = list_html(client, advisor)
    assert "más de 3 cotizaciones" in html


def test_last_page_gives_exact_total(client, advisor, five_drafts):
    html = list_html(client, advisor, pagina="3")
    assert "Página 3 · 5 cotizaciones" in html


def test_last_page_has_no_next_link(client, advisor, five_drafts):
    html = list_html(client, advisor, pagina="3")
    assert "Siguiente" not in html


def test_deep_page_skips_count(client, advisor, five_drafts):
    client.force_login(advisor)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("quotations:list"), {"pagina": "2"})
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counts == []


def test_page_past_the_end_is_empty(client, advisor, five_drafts):
    html = list_html(client, advisor, pagina="9")
    assert "No hay más cotizaciones" in html


def test_invalid_page_shows_first(client, advisor, five_drafts):
    html = list_html(client, advisor, pagina="abc")
    assert "Página 1 ·" in html


def test_small_list_is_counted_exactly(client, advisor, customer):
    make_quotation(customer=customer, advisor=advisor)
    html = list_html(client, advisor)
    assert "Página 1 · 1 cotización" in html


def test_list_forbidden_without_role(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(reverse("quotations:list"))
    assert response.status_code == 403
