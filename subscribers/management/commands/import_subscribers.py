"""`manage.py import_subscribers FILE`: the subscriber registry import from the
command line."""

from core.imports.command import ImportCommand
from subscribers.importer import SubscriberImporter


class Command(ImportCommand):
    help = (
        "Import the subscriber registry (catastro) from a CSV or XLSX file. Without "
        "--skip-invalid, one invalid row means nothing is written and the exit "
        "status is 1."
    )
    importer_class = SubscriberImporter
