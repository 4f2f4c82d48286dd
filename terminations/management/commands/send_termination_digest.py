"""`manage.py send_termination_digest`: the daily e-mail of termination deadlines."""

from django.core.management.base import BaseCommand

from core.dates import date_option
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
            today = date_option(options["date"])
        sent = digest_send(today=today)
        self.stdout.write(f"{sent} e-mails queued.")
