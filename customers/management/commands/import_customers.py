"""`manage.py import_customers FILE`: the customer import from the command line."""

from core.imports.command import ImportCommand
from customers.importer import CustomerImporter


class Command(ImportCommand):
    help = (
        "Import customers from a CSV or XLSX file. Without --skip-invalid, one "
        "invalid row means nothing is written and the exit status is 1."
    )
    importer_class = CustomerImporter
