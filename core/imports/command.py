"""The base of the `import_*` management commands: the common options, the run
through the import engine, the import job record and the printed or JSON report.

A command sets `importer_class` (or overrides `importer_build`) and may override
`counts_line` and `json_summary`; see customers' `import_customers` for the plain case.
"""

import json
import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.imports.engine import Importer, run_import
from core.imports.forms import spreadsheet_content_check
from core.imports.report import ImportReport, Severity
from core.models import ImportJob


def add_import_arguments(parser, *, user_help: str) -> None:
    """Add FILE, --dry-run, --skip-invalid, --json and --user to `parser`."""
    parser.add_argument("file", type=Path, help="CSV or XLSX file to import.")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Validate and count everything, write nothing.",
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="Import the valid rows and leave out the rejected ones.",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="Print the report as one JSON object on standard output.",
    )
    parser.add_argument("--user", metavar="USERNAME", help=user_help)


def user_by_username(username: str | None):
    """Return the user called `username`, None for no name, or raise CommandError."""
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as error:
        raise CommandError(
            _(
                "No existe el usuario «%(username)s». Escriba el nombre de usuario "
                "con el que la persona inicia sesión."
            )
            % {"username": username}
        ) from error


def file_check(path: Path) -> None:
    """Raise CommandError in Spanish unless `path` is an existing file whose
    content is text or an XLSX workbook, with the message the import pages give
    (core.imports.forms.spreadsheet_content_check)."""
    if not path.is_file():
        raise CommandError(
            _(
                "No se encontró el archivo «%(path)s». Revise la ruta y el nombre "
                "del archivo."
            )
            % {"path": path}
        )
    with path.open("rb") as handle:
        try:
            spreadsheet_content_check(File(handle, name=path.name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error


def import_failed(report: ImportReport, *, skip_invalid: bool) -> bool:
    """Return whether the command must exit with status 1: a rejected row without
    --skip-invalid, or a problem with the whole file (row 0)."""
    rejected = bool(report.rejected) and not skip_invalid
    return rejected or any(issue.row == 0 for issue in report.errors)


def json_report(report: ImportReport) -> dict:
    """Build the stable JSON shape: counts, then every problem with its row and column."""
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


class JsonErrorMixin:
    """With --json, print a CommandError as one JSON object, {"error": message},
    on standard output and exit with its status (1), so a script reading the
    output always gets JSON."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if not options.get("json"):
                raise
            self.stdout.write(json.dumps({"error": str(error)}, ensure_ascii=False))
            raise SystemExit(error.returncode) from error


class ImportCommand(JsonErrorMixin, BaseCommand):
    """Import one file with `importer_class`, record the import job unless it is a
    dry run, print the report and exit with status 1 when the import failed."""

    importer_class: type[Importer]
    user_help = "User recorded as the importer in the job and the history."
    # The system checks import every view module, PDF and spreadsheet libraries
    # included, which cost about a second (measured) that an import does not
    # need. `check`, `migrate` and `runserver` run them.
    requires_system_checks = []

    def add_arguments(self, parser):
        add_import_arguments(parser, user_help=self.user_help)

    def importer_build(self, user, path: Path, options: dict) -> Importer:
        return self.importer_class(user=user)

    def handle(self, *args, **options):
        path: Path = options["file"]
        file_check(path)
        user = user_by_username(options["user"])

        importer = self.importer_build(user, path, options)
        report = run_import(
            importer,
            path,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        if not options["dry_run"]:
            self._record_job(path, user, report, options["skip_invalid"])

        if options["json"]:
            summary = self.json_summary(report, importer)
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self._print_report(report)

        if import_failed(report, skip_invalid=options["skip_invalid"]):
            raise SystemExit(1)

    def json_summary(self, report: ImportReport, importer: Importer) -> dict:
        return json_report(report)

    def counts_line(self, report: ImportReport) -> str:
        return (
            f"filas {report.rows} · creados {report.created} · actualizados "
            f"{report.updated} · sin cambios {report.unchanged} · rechazados "
            f"{report.rejected} · advertencias {len(report.warnings)}"
        )

    def _record_job(self, path: Path, user, report: ImportReport, skip_invalid):
        job = ImportJob(
            kind=self.importer_class.kind,
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
            progress_done=report.progress_rows,
            progress_total=report.progress_rows,
        )
        with path.open("rb") as handle:
            job.file.save(path.name, File(handle), save=False)
        job.save()

    def _print_report(self, report: ImportReport) -> None:
        for issue in report.errors:
            prefix = "ERROR" if issue.severity == Severity.ERROR else "AVISO"
            self.stdout.write(f"{prefix} {issue.message}")
        for match in report.matches:
            target = (
                f"fila {match.earlier_row}" if match.earlier_row else match.existing
            )
            line = f"COINCIDE fila {match.row} ({match.key}) con {target}"
            if match.changes:
                line += f": {match.changes}"
            self.stdout.write(line)
        for note in report.notes:
            self.stdout.write(f"NOTA {note}")
        width = shutil.get_terminal_size((80, 20)).columns
        self.stdout.write("-" * min(width, 60))
        self.stdout.write(self.counts_line(report))
        if report.dry_run:
            self.stdout.write("Simulación (--dry-run): no se guardó nada.")
        elif not report.committed and any(issue.row == 0 for issue in report.errors):
            # A problem with the whole file: skipping rows would not help.
            self.stdout.write(
                self.style.ERROR(
                    "No se guardó nada: corrija el archivo como dice el ERROR y "
                    "cárguelo de nuevo."
                )
            )
        elif not report.committed:
            self.stdout.write(
                self.style.ERROR(
                    "No se guardó nada: corrija las filas con ERROR o use "
                    "--skip-invalid para importar solo las válidas."
                )
            )
