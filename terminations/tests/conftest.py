"""Fixtures of the termination tests: the registry sample, the competitor and
small hand-made requests."""

import csv
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from subscribers.models import Competitor, SubscriberAccount
from terminations.models import RequestList, TerminationRequest

DATA = Path(__file__).parent / "data"
COMPETITOR_LIST = DATA / "novedades_competidor.xlsx"
# The day the October 2026 sample list arrives: after its last filing date
# (30/10/2026), so the import's date checks accept every row on any clock.
LIST_RECEIVED_ON = date(2026, 11, 3)
REGISTRY_SAMPLE = (
    Path(settings.BASE_DIR)
    / "subscribers"
    / "tests"
    / "data"
    / "catastro_suscriptores.csv"
)

USE_CLASSES = {
    "RESIDENCIAL": SubscriberAccount.UseClass.RESIDENTIAL,
    "COMERCIAL": SubscriberAccount.UseClass.COMMERCIAL,
    "INDUSTRIAL": SubscriberAccount.UseClass.INDUSTRIAL,
    "OFICIAL": SubscriberAccount.UseClass.OFFICIAL,
}
STATUSES = {
    "ACTIVO": SubscriberAccount.Status.ACTIVE,
    "DESVINCULADO": SubscriberAccount.Status.UNLINKED,
    "SUSPENDIDO": SubscriberAccount.Status.SUSPENDED,
}


def load_registry_sample() -> int:
    """Load the registry sample straight into SubscriberAccount (the registry's
    own importer is tested in its app)."""
    accounts = []
    with REGISTRY_SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            accounts.append(
                SubscriberAccount(
                    account_code=row["CODIGO_CUENTA"],
                    cadastral_number=row["NUMERO_PREDIAL"],
                    id_type=row["TIPO_DOCUMENTO"],
                    id_number=row["NUMERO_DOCUMENTO"],
                    check_digit=row["DV"],
                    name=row["NOMBRE_SUSCRIPTOR"],
                    address=row["DIRECCION"],
                    barrio=row["BARRIO"],
                    municipality_id=row["COD_DANE_MUNICIPIO"],
                    use_class=USE_CLASSES[row["USO"]],
                    estrato=int(row["ESTRATO"]) if row["ESTRATO"] else None,
                    status=STATUSES[row["ESTADO"]],
                    linked_on=date.fromisoformat(row["FECHA_VINCULACION"])
                    if row["FECHA_VINCULACION"]
                    else None,
                )
            )
    SubscriberAccount.objects.bulk_create(accounts, batch_size=2000)
    return len(accounts)


@pytest.fixture
def registry(db):
    return load_registry_sample()


@pytest.fixture
def competitor(db):
    return Competitor.objects.create(
        name="SERVIASEO ALTO MAGDALENA S.A.S. E.S.P.", nit="901318645", check_digit="5"
    )


@pytest.fixture
def other_competitor(db):
    return Competitor.objects.create(
        name="ASEO TOTAL DEL TOLIMA S.A.S. E.S.P.", nit="900123456", check_digit="8"
    )


def make_account(code: str = "449000001", **fields) -> SubscriberAccount:
    defaults = {
        "account_code": code,
        "cadastral_number": "7344901" + code.rjust(23, "0"),
        "id_type": "CC",
        "id_number": "1" + code,
        "name": "Lucero Díaz Portilla",
        "address": "CL 10 # 5-32",
        "barrio": "Centro",
        "municipality_id": "73449",
        "use_class": SubscriberAccount.UseClass.RESIDENTIAL,
        "estrato": 3,
    }
    defaults.update(fields)
    return SubscriberAccount.objects.create(**defaults)


def make_request(
    competitor, account=None, filed_on=date(2026, 10, 1), **fields
) -> TerminationRequest:
    request_list = RequestList.objects.create(
        competitor=competitor,
        original_name="lista.xlsx",
        status=RequestList.Status.IMPORTED,
    )
    defaults = {
        "request_list": request_list,
        "competitor": competitor,
        "row_number": 5,
        "filed_on": filed_on,
        "received_code": account.account_code if account else "999999999",
        "account": account,
        "match_method": "cuenta" if account else "ninguno",
        "response_due_on": date(2026, 10, 23),
        "effective_due_on": date(2026, 12, 1),
    }
    defaults.update(fields)
    return TerminationRequest.objects.create(**defaults)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploaded and generated files of each test in its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
