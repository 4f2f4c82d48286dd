from django.core.management.base import BaseCommand

from quotations.services import quotations_expire


class Command(BaseCommand):
    help = "Mark as expired (vencida) every open quotation whose validity has passed."

    def handle(self, *args, **options):
        count = quotations_expire()
        self.stdout.write(f"{count} cotizaciones vencidas.")
