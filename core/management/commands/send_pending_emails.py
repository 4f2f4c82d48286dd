from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.mail import email_send_pending


class Command(BaseCommand):
    help = (
        "Send again the failed outgoing e-mails, and the pending ones older than "
        "five minutes, that have attempts left. Run it every few minutes from cron "
        "or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=None,
            help=(
                "Skip messages that already had this many attempts "
                "(default: the EMAIL_MAX_ATTEMPTS setting)."
            ),
        )

    def handle(self, *args, max_attempts=None, **options):
        if max_attempts is not None and max_attempts < 1:
            raise CommandError(
                _("--max-attempts=%(value)s no es válido: use 1 o más.")
                % {"value": max_attempts}
            )
        summary = email_send_pending(max_attempts=max_attempts)
        self.stdout.write(f"Enviados: {summary.sent}, fallidos: {summary.failed}")
        if summary.failed:
            raise CommandError(
                ngettext(
                    "%(count)s correo falló. Vea su error en Correos enviados.",
                    "%(count)s correos fallaron. Vea el error de cada uno en "
                    "Correos enviados.",
                    summary.failed,
                )
                % {"count": summary.failed}
            )
