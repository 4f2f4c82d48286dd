"""`manage.py import_termination_requests FILE --competitor NAME`: import the list of
termination requests a competitor delivered."""

import json
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.imports import Severity
from subscribers.models import Competitor
from terminations.services import request_list_create, request_list_import


class Command(BaseCommand):
    help = (
        "Import a competitor's list of termination requests (CSV or XLSX) and "
        "match each row to the subscriber registry. Rows with no match, repeats "
        "and accounts already claimed are kept and flagged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file to import.")
        parser.add_argument(
            "--competitor",
            required=True,
            help="Name of the competitor that delivered the list, as registered.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and match everything, write nothing.",
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
        parser.add_argument(
            "--user", metavar="USERNAME", help="User recorded as the importer."
        )
        parser.add_argument(
            "--received-on",
            type=date.fromisoformat,
            metavar="YYYY-MM-DD",
            help=(
                "Day the competitor delivered the list (default: today). Rows filed "
                "after it, or more than TERMINATION_FILED_MAX_AGE_MONTHS before it, "
                "are rejected."
            ),
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        competitor = self._competitor(options["competitor"])
        user = self._user(options["user"])

        with transaction.atomic():
            request_list = request_list_create(
                competitor=competitor,
                path=path,
                user=user,
                received_on=options["received_on"],
            )
            report, tally = request_list_import(
                request_list=request_list,
                user=user,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
            )
            if options["dry_run"]:
                # The list record itself goes too: a dry run leaves no trace.
                transaction.set_rollback(True)
                request_list.file.delete(save=False)

        if options["json"]:
            data = {**report.as_dict(), "tally": tally}
            data.pop("preview", None)
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            for issue in report.errors:
                prefix = "ERROR" if issue.severity == Severity.ERROR else "AVISO"
                self.stdout.write(f"{prefix} {issue.message}")
            for note in report.notes:
                self.stdout.write(f"NOTA {note}")
            self.stdout.write(
                f"filas {report.rows} · creadas {report.created} · rechazadas "
                f"{report.rejected}"
            )
            if options["dry_run"]:
                self.stdout.write("Simulación (--dry-run): no se guardó nada.")

        failed = report.rejected and not options["skip_invalid"]
        if failed or any(issue.row == 0 for issue in report.errors):
            raise SystemExit(1)

    def _competitor(self, name: str) -> Competitor:
        try:
            return Competitor.objects.get(name__iexact=name.strip())
        except Competitor.DoesNotExist as error:
            known = ", ".join(Competitor.objects.values_list("name", flat=True))
            raise CommandError(
                f"Competitor not found: {name!r}. Known competitors: {known or 'none'}"
            ) from error

    def _user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"User not found: {username}") from error
