"""`manage.py import_subscribers FILE`: the subscriber registry import from the
command line, with the options, output and JSON of `import_customers`."""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import CommandError

from core.imports import ImportReport, run_import
from core.models import ImportJob
from customers.management.commands import import_customers
from subscribers.importer import SubscriberImporter


class Command(import_customers.Command):
    help = (
        "Import the subscriber registry (catastro) from a CSV or XLSX file. Without "
        "--skip-invalid, one invalid row means nothing is written and the exit "
        "status is 1."
    )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        user = self._user(options["user"])

        report = run_import(
            SubscriberImporter(user=user),
            path,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        if not options["dry_run"]:
            self._record_job(path, user, report, options["skip_invalid"])

        if options["json"]:
            summary = import_customers._json_report(report)
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self._print_report(report)

        failed = report.rejected and not options["skip_invalid"]
        if failed or any(issue.row == 0 for issue in report.errors):
            raise SystemExit(1)

    def _record_job(self, path: Path, user, report: ImportReport, skip_invalid):
        job = ImportJob(
            kind=SubscriberImporter.kind,
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
