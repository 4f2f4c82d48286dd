import pytest
from django.urls import reverse

from customers.models import SORTED_SEARCH_MATCHES, Customer
from customers.search import MAX_QUERY_WORDS
from tests.factories import make_customer

LIST_URL = reverse("customers:list")


@pytest.fixture
def hotel(db):
    return make_customer(
        id_type="NIT",
        id_number="900123456",
        check_digit="8",
        name="Hotel García Márquez S.A.S.",
        trade_name="Hotel El Peñón",
        address="Cra 26 # 37-64",
        barrio="Centro",
        mobile="+573105551234",
        phone="+576082451234",
    )


@pytest.fixture
def other(db):
    return make_customer(name="Condominio Los Almendros P.H.", address="Calle 5 # 2-10")


@pytest.mark.parametrize(
    "query",
    [
        "900.123.456-8",
        "900123456-8",
        "900 123 456 8",
        "900123456",
        "900.123.456",
        "9001234568",
    ],
)
def test_search_finds_nit_in_any_format(hotel, other, query):
    assert list(Customer.objects.search(query)) == [hotel]


@pytest.mark.parametrize("query", ["garcia", "GARCÍA", "García márquez", "marquez"])
def test_search_ignores_case_and_accents(hotel, other, query):
    assert list(Customer.objects.search(query)) == [hotel]


def test_search_finds_trade_name(hotel, other):
    assert list(Customer.objects.search("peñon")) == [hotel]


def test_search_finds_id_by_prefix(hotel, other):
    assert list(Customer.objects.search("900.123")) == [hotel]


def test_search_matches_id_word_with_name(hotel, other):
    assert list(Customer.objects.search("garcia 900.123.456")) == [hotel]


def test_search_rejects_wrong_dv(hotel, other):
    assert list(Customer.objects.search("900.123.456-7")) == []


@pytest.mark.parametrize(
    "query",
    [
        "3105551234",
        "310 555 1234",
        "+57 310 555 1234",
        "573105551234",
        "6082451234",
        "(608) 245 1234",
        "310 555",
    ],
)
def test_search_finds_phone(hotel, other, query):
    assert list(Customer.objects.search(query)) == [hotel]


def test_search_finds_contact_phone(hotel, other):
    hotel.contacts.create(name="Germán Cortés", mobile="+573116069031")
    assert list(Customer.objects.search("311 606 9031")) == [hotel]


def test_search_text_leaves_out_ids_and_phones(hotel):
    assert "900123456" not in hotel.search_text
    assert "3105551234" not in hotel.search_text


def test_search_finds_address(hotel, other):
    assert list(Customer.objects.search("cra 26 # 37-64")) == [hotel]


def test_search_requires_every_word(hotel, other):
    assert list(Customer.objects.search("garcia almendros")) == []


def test_search_keeps_up_with_edits(hotel):
    hotel.name = "Hotel Tocaima"
    hotel.save()
    assert list(Customer.objects.search("tocaima")) == [hotel]


def test_list_search_box_filters(client, director, hotel, other):
    client.force_login(director)
    response = client.get(LIST_URL, {"q": "garcia"})
    assert list(response.context["page"].object_list) == [hotel]


def test_advisor_search_stays_in_portfolio(client, advisor, other_advisor):
    own = make_customer(name="Hotel Lagos de Melgar", advisor=advisor)
    make_customer(name="Hotel Lagos del Sumapaz", advisor=other_advisor)
    client.force_login(advisor)
    response = client.get(LIST_URL, {"q": "hotel lagos"})
    assert list(response.context["page"].object_list) == [own]


def test_search_matches_word_starts(hotel, other):
    assert list(Customer.objects.search("garc marq")) == [hotel]


def test_search_skips_word_middles(hotel, other):
    assert list(Customer.objects.search("arcia")) == []


def test_search_splits_address_numbers(hotel, other):
    assert list(Customer.objects.search("37-64")) == [hotel]
    assert list(Customer.objects.search("64")) == [hotel]


def test_search_ignores_punctuation(db):
    store = make_customer(name="Tienda (La Esquina)", address="Kr 5 #12-40, Local 3")
    assert list(Customer.objects.search("esquina")) == [store]
    assert list(Customer.objects.search("local 3")) == [store]
    assert list(Customer.objects.search("#12")) == [store]


def test_search_finds_email_parts(db):
    customer = make_customer(
        name="Constructora Giraldo S.A.S.",
        email="compras.obra@constructoragiraldo.com.co",
    )
    assert list(Customer.objects.search("obra")) == [customer]
    assert list(Customer.objects.search("constructoragiraldo")) == [customer]


def test_search_text_is_folded_words(hotel):
    assert hotel.search_text == (
        "hotel garcia marquez s a s hotel el penon cra 26 37 64 centro sas"
    )


def test_search_query_of_marks_only_matches_all(hotel, other):
    assert set(Customer.objects.search("# -")) == {hotel, other}


@pytest.mark.parametrize("matches", [None, 1, SORTED_SEARCH_MATCHES + 1])
def test_name_order_is_the_same_either_way(db, matches):
    names = ["Hotel Zafiro", "Almacen Avila", "Hotel Ambar", "Hotel Ambar", "Bodega"]
    keys = [make_customer(name=name).pk for name in names]
    ordered = Customer.objects.search("hotel").in_name_order(matches=matches)
    assert [customer.pk for customer in ordered] == [keys[2], keys[3], keys[0]]


def test_list_search_pages_in_name_order(client, director):
    for number in range(60):
        make_customer(name=f"Hotel {number:02d}")
    client.force_login(director)
    response = client.get(LIST_URL, {"q": "hotel", "page": 2})
    page = response.context["page"]
    assert page.paginator.count == 60
    assert [customer.name for customer in page.object_list] == [
        f"Hotel {number:02d}" for number in range(50, 60)
    ]


@pytest.mark.parametrize("word", ["a" * 2048, "中" * 683, "ß" * 1024, "a" * 255])
def test_search_word_too_long_finds_nothing(hotel, word):
    assert list(Customer.objects.search(word)) == []
    assert list(Customer.objects.search("hotel " + word)) == []


def test_search_reads_a_limited_number_of_words(hotel):
    query = "hotel " * MAX_QUERY_WORDS + "almendros"
    assert list(Customer.objects.search(query)) == [hotel]


def test_list_search_with_long_word_is_empty(client, director, hotel):
    client.force_login(director)
    response = client.get(LIST_URL, {"q": "a" * 3000})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("query", ["sas", "SAS", "s.a.s", "hotel sas"])
def test_search_finds_dotted_abbreviation_as_typed(hotel, other, query):
    assert list(Customer.objects.search(query)) == [hotel]


@pytest.mark.parametrize("query", ["S.A.S.", "s.a.s", "Hotel S.A.S"])
def test_search_reads_typed_abbreviation_as_one_word(hotel, query, db):
    person = make_customer(name="Sara Acosta Silva")
    found = list(Customer.objects.search(query))
    assert found == [hotel]
    assert person not in found
