"""`manage.py import_termination_requests FILE --competitor NAME`: import the list of
termination requests a competitor delivered."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from core.imports import Severity
from core.imports.command import (
    JsonErrorMixin,
    add_import_arguments,
    file_check,
    import_failed,
    user_by_username,
)
from subscribers.models import Competitor
from terminations.services import request_list_create, request_list_import


class Command(JsonErrorMixin, BaseCommand):
    help = (
        "Import a competitor's list of termination requests (CSV or XLSX) and "
        "match each row to the subscriber registry. Rows with no match, repeats "
        "and accounts already claimed are kept and flagged."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser, user_help="User recorded as the importer.")
        parser.add_argument(
            "--competitor",
            required=True,
            help="Name of the competitor that delivered the list, as registered.",
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
        file_check(path)
        competitor = self._competitor(options["competitor"])
        user = user_by_username(options["user"])

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
            data = {
                **report.as_dict(),
                "tally": tally,
                "same_file": request_list.report.get("same_file", []),
            }
            data.pop("preview", None)
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
        else:
            for warning in request_list.report.get("same_file", []):
                self.stdout.write(f"AVISO {warning}")
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

        if import_failed(report, skip_invalid=options["skip_invalid"]):
            raise SystemExit(1)

    def _competitor(self, name: str) -> Competitor:
        try:
            return Competitor.objects.get(name__iexact=name.strip())
        except Competitor.DoesNotExist as error:
            known = ", ".join(
                f"«{known_name}»"
                for known_name in Competitor.objects.values_list("name", flat=True)
            )
            raise CommandError(
                _(
                    "No existe el competidor «%(name)s». Competidores registrados: "
                    "%(known)s. Escriba el nombre como está registrado o regístrelo "
                    "en Terminaciones → Listas de competidores."
                )
                % {"name": name, "known": known or _("ninguno")}
            ) from error
