"""`manage.py make_terminations_effective`: record the due terminations as efectiva."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import date_option
from terminations.services import terminations_make_effective


class Command(BaseCommand):
    help = (
        "Record as efectiva every accepted termination request whose unlinking "
        "date has come, and unlink its account, so that account pages and the "
        "novedades report show it unlinked. Run daily, after midnight."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="Day to apply, at most today (default: today in Bogotá).",
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        day = today
        if options["date"]:
            day = date_option(options["date"])
            if day > today:
                raise CommandError(
                    _(
                        "La fecha --date «%(value)s» es posterior a hoy: una "
                        "terminación no puede hacerse efectiva antes de su fecha."
                    )
                    % {"value": options["date"]}
                )
        count = terminations_make_effective(today=day)
        self.stdout.write(f"{count} terminations made effective as of {day}.")
