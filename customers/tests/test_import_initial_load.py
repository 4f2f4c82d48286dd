"""The customer import into an empty table, which PostgreSQL loads with COPY
after dropping the secondary indexes and foreign keys (customers/initial_load.py).
On SQLite the same tests run the ordinary path."""

from pathlib import Path

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from core.imports import run_import
from customers.importer import CustomerImporter
from customers.models import Contact, Customer
from tests.factories import make_customer
from zones.models import Municipality

SAMPLE = Path(__file__).parent / "data" / "clientes_base_datos.csv"
CUSTOMER_FIELDS = [
    field.attname
    for field in Customer._meta.concrete_fields
    if field.attname not in ("id", "created_at", "updated_at")
]
CONTACT_FIELDS = ["customer__id_number", "name", "role", "phone", "mobile", "email"]
# Every tracked field but the key and the timestamps.
HISTORY_FIELDS = [
    field.attname
    for field in Customer.history.model._meta.concrete_fields
    if field.attname not in ("id", "created_at", "history_id", "history_date")
]
CONTACT_HISTORY_FIELDS = [
    "name",
    "role",
    "phone",
    "mobile",
    "email",
    "is_primary",
    "history_type",
]


def import_sample(**options):
    return run_import(
        CustomerImporter(user=options.pop("user", None)),
        SAMPLE,
        skip_invalid=True,
        **options,
    )


def stored_rows(exclude_id: str = "") -> dict:
    """Return every stored customer, contact and history record as plain values,
    without keys and timestamps, leaving out the customer `exclude_id`."""
    customers = Customer.objects.exclude(id_number=exclude_id)
    contacts = Contact.objects.exclude(customer__id_number=exclude_id)
    customer_history = Customer.history.exclude(id_number=exclude_id)
    contact_history = Contact.history.exclude(customer__id_number=exclude_id)
    return {
        "customers": sorted(customers.values_list(*CUSTOMER_FIELDS)),
        "contacts": sorted(contacts.values_list(*CONTACT_FIELDS, "is_primary")),
        "customer_history": sorted(customer_history.values_list(*HISTORY_FIELDS)),
        "contact_history": sorted(contact_history.values_list(*CONTACT_HISTORY_FIELDS)),
    }


def table_constraints(model) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


def test_initial_load_matches_ordinary_import(db):
    import_sample()
    loaded = stored_rows()
    Customer.objects.all().delete()
    Customer.history.all().delete()
    Contact.history.all().delete()
    other = make_customer(id_number="860000001", check_digit="7")
    import_sample()
    assert stored_rows(exclude_id=other.id_number) == loaded


def test_initial_load_counts(db):
    report = import_sample()
    counts = (report.created, report.updated, report.unchanged, report.rejected)
    assert counts == (590, 6, 0, 4)
    assert Customer.objects.count() == 590
    assert Contact.objects.filter(is_primary=True).count() == Contact.objects.count()


def test_initial_load_history_names_user_and_time(db, director):
    started = timezone.now()
    import_sample(user=director)
    finished = timezone.now()
    customer_history = Customer.history.all()
    contact_history = Contact.history.all()
    assert customer_history.count() == 590
    assert contact_history.count() == Contact.objects.count()
    assert set(customer_history.values_list("history_type", flat=True)) == {"+"}
    assert set(customer_history.values_list("history_user", flat=True)) == {director.pk}
    assert set(contact_history.values_list("history_user", flat=True)) == {director.pk}
    dates = set(customer_history.values_list("history_date", flat=True))
    assert started <= min(dates)
    assert max(dates) <= finished


def test_initial_load_keeps_every_index_and_foreign_key(db):
    before = {model: table_constraints(model) for model in (Customer, Contact)}
    import_sample()
    after = {model: table_constraints(model) for model in (Customer, Contact)}
    assert after == before


def test_dry_run_initial_load_keeps_every_index(db):
    before = {model: table_constraints(model) for model in (Customer, Contact)}
    report = import_sample(dry_run=True)
    assert report.created == 590
    assert not Customer.objects.exists()
    after = {model: table_constraints(model) for model in (Customer, Contact)}
    assert after == before


@pytest.mark.postgresql
def test_dry_run_initial_load_lets_readers_in(db):
    modes = []

    class LockProbe(CustomerImporter):
        def finish(self) -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() "
                    "AND relation = %s::regclass",
                    [Customer._meta.db_table],
                )
                modes.extend(mode for (mode,) in cursor.fetchall())
            super().finish()

    run_import(LockProbe(), SAMPLE, dry_run=True, skip_invalid=True)
    assert modes
    assert "AccessExclusiveLock" not in modes


def test_dry_run_initial_load_counts_as_import(db):
    preview = import_sample(dry_run=True)
    imported = import_sample()
    for count in ("rows", "created", "updated", "unchanged", "rejected"):
        assert getattr(preview, count) == getattr(imported, count), count
    assert len(preview.warnings) == len(imported.warnings)
    assert len(preview.matches) == len(imported.matches)


def test_initial_load_then_search_finds_customer(db):
    import_sample()
    assert Customer.objects.search("parrilla san jorge").exists()


class UnknownTownImporter(CustomerImporter):
    """An importer that takes DANE code 99999 for a town the database lacks."""

    def prepare(self) -> None:
        super().prepare()
        town = Municipality(dane_code="99999", name="Inexistente", landline_prefix="")
        self.municipalities_by_code["99999"] = town


@pytest.mark.postgresql
def test_initial_load_checks_foreign_keys(db, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_text(
        "NIT;DV;Nombre;Código DANE\n900123456;8;Hotel Inexistente S.A.S.;99999\n",
        encoding="utf-8",
    )
    with pytest.raises(IntegrityError):
        run_import(UnknownTownImporter(), path)
