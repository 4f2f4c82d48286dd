"""`manage.py import_tariffs FILE`: load a tariff sheet as a draft version."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from core.imports import ImportReport, Severity, run_import
from core.models import ImportJob
from tariffs.importer import TariffImporter


class Command(BaseCommand):
    help = (
        "Load the tariff sheet (CSV or XLSX) as one draft tariff version that the "
        "sales director approves before it is in force. Without --skip-invalid, one "
        "invalid row means nothing is written and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file to import.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and count everything, write nothing.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Load the valid rows and leave out the rejected ones.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the report as one JSON object on standard output.",
        )
        parser.add_argument(
            "--name", help="Name of the new version (default: the file name)."
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="User recorded as the one who loaded the version.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        user = self._user(options["user"])

        importer = TariffImporter(
            user=user,
            version_name=options["name"] or path.stem.replace("_", " ").capitalize(),
        )
        report = run_import(
            importer,
            path,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        version_id = (
            importer.version.pk if report.committed and importer.version else None
        )
        if not options["dry_run"]:
            self._record_job(path, user, report, options["skip_invalid"])

        if options["json"]:
            summary = {**json_report(report), "version": version_id}
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self._print_report(report)

        failed = report.rejected and not options["skip_invalid"]
        if failed or any(issue.row == 0 for issue in report.errors):
            raise SystemExit(1)

    def _user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"User not found: {username}") from error

    def _record_job(self, path: Path, user, report: ImportReport, skip_invalid):
        job = ImportJob(
            kind=TariffImporter.kind,
            original_name=path.name,
            created_by=user,
            skip_invalid=skip_invalid,
            status=(
                ImportJob.Status.DONE if report.committed else ImportJob.Status.REJECTED
            ),
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            warnings=len(report.warnings),
            report=report.as_dict(),
            progress_done=report.rows + report.skipped,
            progress_total=report.rows + report.skipped,
        )
        with path.open("rb") as handle:
            job.file.save(path.name, File(handle), save=False)
        job.save()

    def _print_report(self, report: ImportReport) -> None:
        for issue in report.errors:
            prefix = "ERROR" if issue.severity == Severity.ERROR else "AVISO"
            self.stdout.write(f"{prefix} {issue.message}")
        for note in report.notes:
            self.stdout.write(f"NOTA {note}")
        self.stdout.write("-" * 60)
        self.stdout.write(
            f"filas {report.rows} · tarifas creadas {report.created} · rechazadas "
            f"{report.rejected} · omitidas {report.skipped} · advertencias "
            f"{len(report.warnings)}"
        )
        if report.dry_run:
            self.stdout.write("Simulación (--dry-run): no se guardó nada.")


def json_report(report: ImportReport) -> dict:
    """Build the JSON summary in the shape of the customer import: counts, then
    every problem with its row and column."""
    return {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "errors": [
            {
                "row": issue.row,
                "column": issue.column,
                "message": issue.message,
                "value": issue.value,
                "severity": str(issue.severity),
            }
            for issue in report.errors
        ],
        "matches": [match.as_dict() for match in report.matches],
        "notes": report.notes,
        "committed": report.committed,
        "dry_run": report.dry_run,
    }
