"""`manage.py import_tariffs FILE`: load a tariff sheet as a draft version."""

from pathlib import Path

from core.imports import ImportReport
from core.imports.command import ImportCommand, json_report
from tariffs.importer import TariffImporter


class Command(ImportCommand):
    help = (
        "Load the tariff sheet (CSV or XLSX) as one draft tariff version that the "
        "sales director approves before it is in force. Without --skip-invalid, one "
        "invalid row means nothing is written and the exit status is 1."
    )
    importer_class = TariffImporter
    user_help = "User recorded as the one who loaded the version."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--name", help="Name of the new version (default: the file name)."
        )

    def importer_build(self, user, path: Path, options: dict) -> TariffImporter:
        name = options["name"] or path.stem.replace("_", " ").capitalize()
        return TariffImporter(user=user, version_name=name)

    def json_summary(self, report: ImportReport, importer: TariffImporter) -> dict:
        version = importer.version if report.committed else None
        return {**json_report(report), "version": version.pk if version else None}

    def counts_line(self, report: ImportReport) -> str:
        return (
            f"filas {report.rows} · tarifas creadas {report.created} · rechazadas "
            f"{report.rejected} · omitidas {report.skipped} · advertencias "
            f"{len(report.warnings)}"
        )
