"""`manage.py send_termination_digest`: the daily e-mail of termination deadlines."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from terminations.services import digest_send


class Command(BaseCommand):
    help = (
        "E-mail each advisor the termination requests of theirs whose response "
        "is overdue and the deadlines that fall due in the next "
        "TERMINATION_DIGEST_BUSINESS_DAYS business days; directors and "
        "coordinators get those of every advisor. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="Day to compute the digest for (default: today in Bogotá).",
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(
                    _(
                        "La fecha --date «%(value)s» no es válida. Escríbala como "
                        "AAAA-MM-DD, p. ej. 2026-10-20."
                    )
                    % {"value": options["date"]}
                ) from error
        sent = digest_send(today=today)
        self.stdout.write(f"{sent} e-mails queued.")
