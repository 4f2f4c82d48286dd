"""Registry search terms and the accounts they find, on SQLite and PostgreSQL."""

import pytest

from subscribers.models import SubscriberAccount
from subscribers.search import Term, parse_query, reads_as_house_number
from subscribers.tests.helpers import make_account


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("449-000663", [Term(key="449000663")]),
        ("449 000 663", [Term(key="449000663")]),
        ("1.019.968.196", [Term(key="1019968196")]),
        ("GARCÍA  José", [Term(("garcia",)), Term(("jose",))]),
        ("cl 10", [Term((" cl 10",))]),
        ("km 4 via melgar", [Term(("km 4 via",)), Term(("melgar",))]),
        ("garcia de", [Term(("garcia de",))]),
        (
            "garcia 1019968196",
            [Term(("garcia",)), Term(("1019968196",), "1019968196")],
        ),
        ("pa ab123456", [Term(("pa ab123456",))]),
        ("ab123456", [Term(("ab123456",), "AB123456")]),
        ("ab", []),
        ("12", []),
        ("Calle 10 No. 5", [Term((" cl 10 # 5",))]),
        ("carrera 26#8", [Term((" kr 26 # 8",))]),
        ("cra 10 14-02", [Term((" kr 10",)), Term(("14-02",), "1402")]),
        ("cra10 14-02", [Term((" kr 10",)), Term(("14-02",), "1402")]),
        ("cl5a # 3", [Term((" cl 5a # 3",))]),
        ("14 64", [Term((" 14-64",), "1464")]),
        ("14-64", [Term((" 14-64",), "1464")]),
        ("449 000 663 12", [Term(key="44900066312")]),
        (
            "cra 10 14 64",
            [Term((" kr 10 14 64", " kr 10 14-64", " kr 10 # 14-64"))],
        ),
        ("cl 10 # 14 64", [Term((" cl 10 # 14 64", " cl 10 # 14-64"))]),
        ("cl 14 64", [Term((" cl 14 64",))]),
        ("mz10", [Term(("mz10",))]),
        ("cra 10 almendros", [Term((" kr 10",)), Term(("almendros",))]),
        ("cra 10 # 14-02", [Term((" kr 10 # 14-02",))]),
        (
            "carre 10 5-20",
            [Term(("carre", " kr ")), Term(("10 5-20", "10 # 5-20"), "10520")],
        ),
        ("avenida bolivar", [Term((" av bolivar",))]),
        ("calle", [Term((" cl ",))]),
        ("bolivar av", [Term(("bolivar av ",))]),
        ("carre", [Term(("carre", " kr "))]),
        ("carr", [Term(("carr", " kr "))]),
        ("carre 10", [Term(("carre 10", " kr 10"))]),
        ("diag 4", [Term(("diag 4", " dg 4"))]),
        ("ca", []),
        ("car", [Term(("car", " kr "))]),
        ("cabrera 39", [Term(("cabrera",)), Term((" 39", "-39"))]),
        (
            "villa rosa 39",
            [Term(("villa",)), Term(("rosa",)), Term((" 39", "-39"))],
        ),
        ("39 villa", [Term((" 39", "-39")), Term(("villa",))]),
        ("rosa 5a", [Term(("rosa",)), Term((" 5a", "-5a"))]),
        ("cabrera calle 39", [Term(("cabrera",)), Term((" cl 39",))]),
        ("garcia 5 a", [Term(("garcia 5 a",))]),
        (
            "carre 10 almendros",
            [Term(("carre 10", " kr 10")), Term(("almendros",))],
        ),
    ],
)
def test_parse_query(query, terms):
    assert parse_query(query) == terms


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("14 64", True),
        ("14-64", True),
        ("39 14 64", True),
        ("inversiones 14 64", True),
        ("cra 10 14-02", True),
        ("carre 10 5-20", True),
        ("449-000663", False),
        ("449 000 663", False),
        ("garcia 1019968196", False),
        ("cl 10 # 14-64", False),
    ],
)
def test_reads_as_house_number(query, expected):
    """The last term decides: a term of words without a key («cl 10 # 14-64»)
    matches its address only."""
    assert reads_as_house_number(parse_query(query)[-1]) is expected


def test_id_key_drops_leading_zeros():
    assert Term(key="0045830047").id_key == "45830047"


def test_code_with_letters_keeps_its_zeros():
    assert Term(key="AB0012").id_key == "AB0012"


def test_id_and_check_digit_of_a_nit():
    assert Term(key="9017655453").id_and_check_digit == ("901765545", "3")


def test_short_number_has_no_check_digit():
    assert Term(key="123").id_and_check_digit is None


@pytest.fixture
def accounts(db):
    return {
        "garcia": make_account(
            account_code="449000663",
            name="JOSÉ GARCÍA PÉREZ",
            address="MZ E CS 3 URB CIUDAD JARDIN",
            id_type="CC",
            id_number="1019968196",
        ),
        "copy": make_account(
            account_code="44900066307",
            name="MARÍA GARCÍA",
            address="MZ E CS 33 URB CIUDAD JARDIN",
        ),
        "company": make_account(
            account_code="449000700",
            name="COMIDAS RÁPIDAS EL SOL",
            address="CL 10 # 5-20",
            use_class="comercial",
            estrato=None,
            id_type="NIT",
            id_number="901765545",
            check_digit="3",
        ),
        "passport": make_account(
            account_code="449000800",
            name="JOHN SMITH",
            address="KM 4 VIA MELGAR",
            id_type="PA",
            id_number="AB123456",
            billing_account="7700123",
        ),
    }


def found(query: str) -> set[str]:
    accounts = SubscriberAccount.objects.search(query)
    return set(accounts.values_list("account_code", flat=True))


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("449000663", {"449000663", "44900066307"}),
        ("449-000663", {"449000663", "44900066307"}),
        ("44900066307", {"44900066307"}),
        ("1.019.968.196", {"449000663"}),
        ("901765545-3", {"449000700"}),
        ("9017655453", {"449000700"}),
        ("901.765", {"449000700"}),
        ("AB123456", {"449000800"}),
        ("7700123", {"449000800"}),
        ("garcia", {"449000663", "44900066307"}),
        ("García josé", {"449000663"}),
        ("mz e cs 3 urb", {"449000663"}),
        ("cs 3", {"449000663", "44900066307"}),
        ("cl 10", {"449000700"}),
        ("km 4 via melgar", {"449000800"}),
        ("rapidas sol", {"449000700"}),
        ("garcia 1019968196", {"449000663"}),
    ],
)
def test_search_finds(accounts, query, codes):
    assert found(query) == codes


def test_search_needs_every_term(accounts):
    assert found("garcia sol") == set()


def test_short_words_keep_their_order(accounts):
    assert found("3 cs") == set()


def test_words_must_not_run_together(accounts):
    assert found("mzecs") == set()


def test_number_matches_address_as_house_number(accounts):
    # A house number's two parts are looked for in addresses too. Other
    # numbers («10 5», a street and a house number) match codes and IDs only.
    assert found("5-20") == {"449000700"}
    assert found("10 5") == set()


def test_search_text_leaves_out_codes_and_ids(accounts):
    text = accounts["garcia"].search_text
    assert text == "jose garcia perez mz e cs 3 urb ciudad jardin"


@pytest.fixture
def street_accounts(db):
    addresses = {
        "449000901": "CALLE 10 NO. 5-20",
        "449000902": "CRA 26 # 8-15 AP 301",
        "449000903": "AV. BOLÍVAR N° 12-30",
        "449000904": "DIAGONAL 4 NUMERO 3-10",
        "449000905": "TV 7 NRO 2-45",
    }
    for code, address in addresses.items():
        make_account(account_code=code, name="SUSCRIPTOR", address=address)


def test_street_and_barrio_found_apart(db):
    make_account(
        account_code="449000931", address="CRA 10 # 14-02", barrio="LOS ALMENDROS"
    )
    make_account(
        account_code="449000932", address="CRA 11 # 14-02", barrio="LOS ALMENDROS"
    )
    assert found("cra 10 almendros") == {"449000931"}
    assert found("cra 10 14-02") == {"449000931"}
    assert found("cra10 14-02") == {"449000931"}


def test_house_number_typed_with_space(db):
    """«14 64» is the house number «14-64» typed without its dash. It finds
    the addresses with a house number that begins «14-64», not the ones where
    «14» and «64» stand apart or end a longer number, so it matches as few
    accounts as «14-64» does."""
    addresses = {
        "449000941": "CALLE 10 # 14-64",
        "449000942": "CRA 5 # 14-64 INT 2",
        "449000943": "CALLE 14 # 8-64",
        "449000944": "CALLE 10 # 114-64",
        "449000945": "CALLE 64 # 14-10",
        "449000946": "VDA EL CARMEN KM 14 64",
    }
    for code, address in addresses.items():
        make_account(account_code=code, address=address)

    assert found("14 64") == {"449000941", "449000942"}
    assert found("14-64") == {"449000941", "449000942"}
    assert found("cra 5 14 64") == {"449000942"}
    assert found("calle 10 # 14 64") == {"449000941"}


def test_split_house_number_among_other_words(db):
    """A house number typed with a space for its dash is still read as one
    after a name, before a barrio or after the street's number alone."""
    make_account(
        account_code="449000951",
        name="INVERSIONES CABRERA MONTOYA",
        address="CL 39 # 14-64",
        barrio="VILLA ROSA",
    )
    make_account(
        account_code="449000952",
        name="INVERSIONES DEL SUR",
        address="CL 40 # 14-10",
        barrio="VILLA ROSA",
    )

    assert found("inversiones 14 64") == {"449000951"}
    assert found("villa rosa 14 64") == {"449000951"}
    assert found("14 64 villa") == {"449000951"}
    assert found("39 14 64") == {"449000951"}
    assert found("39 14-64") == {"449000951"}


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("cl 10 # 5-20", {"449000901"}),
        ("cll 10 no 5", {"449000901"}),
        ("calle 10 numero 5-20", {"449000901"}),
        ("cl 10#5", {"449000901"}),
        ("carrera 26 no. 8-15", {"449000902"}),
        ("kr 26 # 8", {"449000902"}),
        ("cr 26", {"449000902"}),
        ("avenida bolivar # 12", {"449000903"}),
        ("dg 4 # 3-10", {"449000904"}),
        ("transversal 7 # 2-45", {"449000905"}),
        ("cra 26 8-15", {"449000902"}),
        ("calle 10 5-20", {"449000901"}),
        ("tv 7 2-45", {"449000905"}),
    ],
)
def test_street_words_are_equivalent(street_accounts, query, codes):
    assert found(query) == codes


def test_street_words_stored_one_way(street_accounts):
    account = SubscriberAccount.objects.get(account_code="449000903")
    assert account.search_text == "suscriptor av bolivar # 12-30"


@pytest.fixture
def street_and_names(db):
    """Accounts whose names contain the letters of a street word's short
    spelling, and accounts on streets of each kind."""
    accounts = {
        "449000911": ("CLAUDIA ROJAS", "VDA EL CARMEN"),
        "449000912": ("KRISTINA AVILA", "VDA LA REFORMA"),
        "449000913": ("ANA CARREÑO", "VDA PUEBLO NUEVO"),
        "449000914": ("LUIS DIAZ", "VDA LA ESTRELLA"),
        "449000921": ("SUSCRIPTOR", "CALLE 10 NO. 5-20"),
        "449000922": ("SUSCRIPTOR", "CARRERA 26 # 8-15"),
        "449000923": ("SUSCRIPTOR", "DIAGONAL 4 # 3-10"),
        "449000924": ("BOLIVAR", "AV"),
    }
    for code, (name, address) in accounts.items():
        make_account(account_code=code, name=name, address=address)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("calle", {"449000921"}),
        ("cll", {"449000921"}),
        ("carrera", {"449000922"}),
        ("cra", {"449000922"}),
        ("avenida", {"449000924"}),
        ("bolivar av", {"449000924"}),
        ("diagonal", {"449000923"}),
    ],
)
def test_street_word_matches_whole_words(street_and_names, query, codes):
    assert found(query) == codes


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("carr", {"449000913", "449000922"}),
        ("carre", {"449000913", "449000922"}),
        ("carrer", {"449000922"}),
        ("carre 26", {"449000922"}),
        ("cal", {"449000921"}),
        ("call", {"449000921"}),
        ("dia", {"449000911", "449000914", "449000923"}),
        ("diag", {"449000923"}),
        ("aven", {"449000924"}),
        ("clau", {"449000911"}),
        ("kris", {"449000912"}),
    ],
)
def test_street_word_prefix_finds_street(street_and_names, query, codes):
    assert found(query) == codes


@pytest.fixture
def numbered_addresses(db):
    """Two CABRERA accounts in VILLA ROSA with a 39 in the address, at the
    start of a word and after a dash, a third with 139 and a fourth without
    39, and a SOTO account on CL 39."""
    accounts = {
        "449000961": ("INVERSIONES CABRERA MONTOYA", "CL 39 # 14-64", "VILLA ROSA"),
        "449000962": ("LUZ CABRERA", "KR 5 # 12-39", "VILLA ROSA"),
        "449000963": ("PEDRO CABRERA", "CL 139 # 5-10", "VILLA ROSA"),
        "449000964": ("ANA CABRERA", "CL 40 # 14-10", "EL CENTRO"),
        "449000965": ("JUAN SOTO", "CL 39 # 8-20", "EL CENTRO"),
    }
    for code, (name, address, barrio) in accounts.items():
        make_account(account_code=code, name=name, address=address, barrio=barrio)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("cabrera 39", {"449000961", "449000962"}),
        ("villa rosa 39", {"449000961", "449000962"}),
        ("39 villa rosa", {"449000961", "449000962"}),
        ("cabrera 39 villa", {"449000961", "449000962"}),
        ("cabrera 14", {"449000961", "449000964"}),
        ("soto 8", {"449000965"}),
        ("cabrera calle 39", {"449000961"}),
        ("cabrera cl 139", {"449000963"}),
        ("carre 5 luz", {"449000962"}),
    ],
)
def test_word_and_number_found_apart(numbered_addresses, query, codes):
    """A name or barrio word and a number find the accounts that contain the
    word and a number that begins with it, at the start of a word or after a
    dash."""
    assert found(query) == codes


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("calle 39", {"449000961", "449000965"}),
        ("39 14 64", {"449000961"}),
        ("14 64", {"449000961"}),
        ("cl 39 14-64", {"449000961"}),
        ("carre 5", {"449000962"}),
    ],
)
def test_numbered_addresses_still_found(numbered_addresses, query, codes):
    assert found(query) == codes
